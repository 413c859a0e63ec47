/** Lookups in a finished layout: hit testing (x, row) and aligning a step across two traces. */
import type { Columns, Layout } from './types';

/** First column whose right edge is past `x` (binary search); `columns.t.length` if none. */
export function columnAt(columns: Columns, x: number): number {
  let lo = 0;
  let hi = columns.t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (columns.x[mid]! + columns.width[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The event whose box covers (x, row), or null. */
export function eventAt(layout: Layout, x: number, row: number): number | null {
  const c = columnAt(layout.columns, x);
  if (c >= layout.columns.t.length) return null;
  const { start } = layout.columns;
  for (let k = start[c]!; k < start[c + 1]!; k++) {
    const i = layout.order[k]!;
    if (layout.eventRow[i] === row && x >= layout.eventX[i]! && x < layout.eventX[i]! + 1) return i;
  }
  return null;
}

/** Index of the first event at or after logical time `t`, for aligning a second trace. */
export function eventAtStep(layout: Layout, t: number): number | null {
  const { columns } = layout;
  let lo = 0;
  let hi = columns.t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (columns.t[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  for (let c = lo; c < columns.t.length; c++) {
    if (columns.start[c + 1]! > columns.start[c]!) return layout.order[columns.start[c]!]!;
  }
  return null;
}
