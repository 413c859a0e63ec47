/** Freeze intervals: each `freeze` to the `resume` of the same endpoint and lane (kTLS RX freeze). */
import { boxEnd, epOf, FREEZE, type Geometry, laneOf, RESUME, stringOf } from './geometry';
import type { FreezeInterval } from './types';

export function freezesOf(g: Geometry): FreezeInterval[] {
  const { special, eventX, eventRow, columns } = g;
  const out: FreezeInterval[] = [];
  const open = new Map<number, number>(); // row -> index of the freeze event
  const interval = (at: number, end: number | null, x1: number): FreezeInterval => ({
    ep: epOf(g, at),
    lane: laneOf(g, at),
    row: eventRow[at]!,
    x0: eventX[at]!,
    x1,
    start: at,
    end,
    reason: stringOf(g, columns.reason[at]!) ?? 'unspecified',
    resumeReason: end === null ? null : (stringOf(g, columns.reason[end]!) ?? 'unspecified'),
  });
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind !== FREEZE && kind !== RESUME) continue;
    const i = special.index[k]!;
    const key = eventRow[i]!;
    const at = open.get(key);
    // A second freeze while frozen extends the first; a resume with nothing frozen is drawn as
    // a plain event box only.
    if (kind === FREEZE) {
      if (at === undefined) open.set(key, i);
      continue;
    }
    if (at === undefined) continue;
    open.delete(key);
    out.push(interval(at, i, boxEnd(g, i)));
  }
  // Unterminated freezes run to the end of the trace: the stream never resumed.
  for (const at of open.values()) out.push(interval(at, null, g.width));
  return out.sort((a, b) => a.x0 - b.x0);
}
