/** Key epoch bands: per endpoint and direction, the stretches sealed or opened under one key. */
import { LANES, type Lane } from '@ktls-lab/core';
import { LANE_CODE, NONE } from '../columns';
import { type Geometry, KEY_INSTALL, OPEN_REQUEST, SEAL_REQUEST, stringOf } from './geometry';
import type { Direction, EpochBand } from './types';

const TX_LANES: readonly Lane[] = ['app-tx', 'dp-tx', 'wire'];
const RX_LANES: readonly Lane[] = ['dp-rx', 'app-rx'];

/**
 * Key epochs per endpoint and direction. A `key-install` carries no direction, so it is assigned
 * the direction in which the same endpoint later uses that key fingerprint (a seal is TX, an open
 * is RX). Crypto requests at a new epoch start a band too, so traces without key installs (a
 * capture) still show their epochs.
 */
export function epochsOf(g: Geometry): EpochBand[] {
  const { special, eventX, columns } = g;
  const endpoints = columns.endpoints.length;
  const rowOf = (ep: number, lane: Lane): number => ep * LANES.length + LANE_CODE.get(lane)!;
  // (endpoint, key fingerprint) -> direction, as one number: keys are interned strings.
  const keyDir = new Map<number, Direction>();
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind !== SEAL_REQUEST && kind !== OPEN_REQUEST) continue;
    const i = special.index[k]!;
    const key = columns.key[i]!;
    if (key === NONE) continue;
    keyDir.set(key * endpoints + columns.ep[i]!, kind === SEAL_REQUEST ? 'tx' : 'rx');
  }
  type Open = { epoch: number; key: string | null; x0: number; start: number };
  const out: EpochBand[] = [];
  const current: { tx?: Open; rx?: Open }[] = columns.endpoints.map(() => ({}));
  const close = (ep: number, dir: Direction, band: Open, x1: number): void => {
    if (x1 <= band.x0) return;
    const lanes = dir === 'tx' ? TX_LANES : RX_LANES;
    out.push({
      ep: columns.endpoints[ep]!,
      dir,
      ...band,
      x1,
      rows: lanes.map((l) => rowOf(ep, l)),
    });
  };
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind !== SEAL_REQUEST && kind !== OPEN_REQUEST && kind !== KEY_INSTALL) continue;
    const i = special.index[k]!;
    const epoch = columns.epoch[i]!;
    if (epoch === NONE) continue;
    const ep = columns.ep[i]!;
    const keyCode = columns.key[i]!;
    let dir: Direction | undefined;
    if (kind === SEAL_REQUEST) dir = 'tx';
    else if (kind === OPEN_REQUEST) dir = 'rx';
    else if (keyCode !== NONE) dir = keyDir.get(keyCode * endpoints + ep);
    if (dir === undefined) continue;
    const bands = current[ep]!;
    const band = bands[dir];
    const key = stringOf(g, keyCode);
    if (band && band.epoch === epoch && (kind !== KEY_INSTALL || band.key === key)) continue;
    if (band) close(ep, dir, band, eventX[i]!);
    bands[dir] = { epoch, key, x0: eventX[i]!, start: i };
  }
  current.forEach((bands, ep) => {
    if (bands.tx) close(ep, 'tx', bands.tx, g.width);
    if (bands.rx) close(ep, 'rx', bands.rx, g.width);
  });
  return out.sort((a, b) => a.x0 - b.x0);
}
