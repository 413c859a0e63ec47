import { ContentType, contentTypeName as coreContentTypeName, isContentType } from '@ktls-lab/core';

/**
 * Colours. Okabe & Ito's palette ("Color Universal Design", 2008) stays distinguishable under the
 * common colour-vision deficiencies; every meaning that a colour carries is also carried by a
 * shape or a label (hatching for freezes, a triangle for violations, text in boxes), so the
 * drawing never depends on colour alone.
 */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
  grey: '#999999',
} as const;

/** TLS content types (RFC 8446 §5.1, RFC 6520 for heartbeat), named by core's one table. */
export const CONTENT_TYPES: readonly { readonly type: ContentType; readonly name: string }[] =
  Object.values(ContentType).map((type) => ({ type, name: coreContentTypeName(type) }));

const TYPE_COLOUR: ReadonlyMap<number, string> = new Map<ContentType, string>([
  [ContentType.changeCipherSpec, OKABE_ITO.reddishPurple],
  [ContentType.alert, OKABE_ITO.vermillion],
  [ContentType.handshake, OKABE_ITO.orange],
  [ContentType.applicationData, OKABE_ITO.blue],
  [ContentType.heartbeat, OKABE_ITO.bluishGreen],
]);

/** Events that carry no content type: segments, key installs, notes. */
export const NO_TYPE_COLOUR = OKABE_ITO.grey;

export function contentTypeName(type: number | undefined): string {
  if (type === undefined) return 'none';
  return isContentType(type) ? coreContentTypeName(type) : `unknown (${type})`;
}

export function colourOfType(type: number | undefined): string {
  return type === undefined ? NO_TYPE_COLOUR : (TYPE_COLOUR.get(type) ?? OKABE_ITO.black);
}

/** Text that must read on top of `colour` (dark fills get white text). */
export function textOn(colour: string): string {
  return colour === OKABE_ITO.blue ||
    colour === OKABE_ITO.black ||
    colour === OKABE_ITO.vermillion ||
    colour === OKABE_ITO.bluishGreen
    ? '#ffffff'
    : '#000000';
}

/** Background tints of key epochs: alternating so that adjacent epochs differ. */
export const EPOCH_TINTS = ['rgba(86,180,233,0.16)', 'rgba(240,228,66,0.22)'] as const;
export const FREEZE_FILL = 'rgba(0,0,0,0.10)';
export const FREEZE_HATCH = 'rgba(0,0,0,0.45)';
export const SEAL_SPAN = OKABE_ITO.bluishGreen;
export const OPEN_SPAN = OKABE_ITO.skyBlue;
export const VIOLATION = OKABE_ITO.vermillion;
export const CURSOR = OKABE_ITO.black;
