/** Async crypto spans: each `seal-request`/`open-request` to its `-done` with the same `req`. */
import { NONE } from '../columns';
import {
  boxEnd,
  epOf,
  type Geometry,
  OPEN_DONE,
  OPEN_REQUEST,
  SEAL_DONE,
  SEAL_REQUEST,
} from './geometry';
import type { CryptoSpan } from './types';

export function cryptoOf(g: Geometry): CryptoSpan[] {
  const { special, eventX, eventRow, columns } = g;
  const out: CryptoSpan[] = [];
  // (endpoint, operation, req) -> index of the request, as one number.
  const pending = new Map<number, number>();
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind < SEAL_REQUEST || kind > OPEN_DONE) continue;
    const i = special.index[k]!;
    const req = columns.req[i]!;
    if (req === NONE) continue;
    const op = kind === SEAL_REQUEST || kind === SEAL_DONE ? 'seal' : 'open';
    const key = (req * 4096 + columns.ep[i]!) * 2 + (op === 'seal' ? 0 : 1);
    if (kind === SEAL_REQUEST || kind === OPEN_REQUEST) {
      pending.set(key, i);
      continue;
    }
    const at = pending.get(key);
    if (at === undefined) continue;
    pending.delete(key);
    out.push({
      ep: epOf(g, i),
      op,
      row: eventRow[at]!,
      req,
      x0: eventX[at]!,
      x1: boxEnd(g, i),
      request: at,
      done: i,
    });
  }
  // A request never completed: the span runs to the end (the run stopped while it was in flight).
  for (const [key, at] of pending) {
    out.push({
      ep: epOf(g, at),
      op: key % 2 === 0 ? 'seal' : 'open',
      row: eventRow[at]!,
      req: columns.req[at]!,
      x0: eventX[at]!,
      x1: g.width,
      request: at,
      done: null,
    });
  }
  return out.sort((a, b) => a.x0 - b.x0);
}
