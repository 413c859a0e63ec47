/** Violation markers: where the simulator's invariant checks failed, in event order. */
import type { Geometry } from './geometry';
import type { ViolationMarker } from './types';

export function violationsOf(g: Geometry): ViolationMarker[] {
  const out: ViolationMarker[] = [];
  for (const [i, v] of g.columns.violations) {
    out.push({
      event: i,
      row: g.eventRow[i]!,
      x: g.eventX[i]!,
      t: g.columns.t[i]!,
      invariant: v.invariant,
      name: v.name,
      message: v.message,
    });
  }
  return out.sort((a, b) => a.event - b.event);
}
