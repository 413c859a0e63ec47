/**
 * What the passes after placement (freezes, epochs, crypto spans, violations) read: the trace's
 * columns, each event's x and row, and the few events those passes are made of, collected by
 * placement (layout/place.ts) so that each pass visits a fraction of the events.
 */
import { LANES, type Lane, type TraceKind } from '@ktls-lab/core';
import { kindCode, NONE, type TraceColumns } from '../columns';

/** Kinds that freezes, epoch bands and crypto spans are made of, as small numbers. */
export const FREEZE = 1;
export const RESUME = 2;
export const SEAL_REQUEST = 3;
export const SEAL_DONE = 4;
export const OPEN_REQUEST = 5;
export const OPEN_DONE = 6;
export const KEY_INSTALL = 7;

/** Column kind code → special kind (0: not special). */
export const SPECIAL_OF_KIND = (() => {
  const out = new Uint8Array(256);
  const special: [TraceKind, number][] = [
    ['freeze', FREEZE],
    ['resume', RESUME],
    ['seal-request', SEAL_REQUEST],
    ['seal-done', SEAL_DONE],
    ['open-request', OPEN_REQUEST],
    ['open-done', OPEN_DONE],
    ['key-install', KEY_INSTALL],
  ];
  for (const [kind, code] of special) out[kindCode(kind)] = code;
  return out;
})();

/** The special events in trace order, and their kinds (`SPECIAL_OF_KIND`). */
export interface Special {
  readonly index: number[];
  readonly kind: number[];
}

export interface Geometry {
  readonly columns: TraceColumns;
  readonly special: Special;
  readonly eventX: Float64Array;
  readonly eventRow: Int32Array;
  readonly width: number;
}

export const boxEnd = (g: Geometry, i: number): number => g.eventX[i]! + 1;
export const laneOf = (g: Geometry, i: number): Lane => LANES[g.columns.lane[i]!]!;
export const epOf = (g: Geometry, i: number): string => g.columns.endpoints[g.columns.ep[i]!]!;
export const stringOf = (g: Geometry, k: number): string | null =>
  k === NONE ? null : g.columns.strings[k]!;
