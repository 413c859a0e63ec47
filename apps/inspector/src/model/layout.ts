/**
 * The geometry of a trace, computed once per trace by a pure function and then only read by the
 * canvas renderer, hit testing and the keyboard cursor. Units are abstract: x is in slots (one slot
 * is one event box wide), rows are indexes. The view turns them into pixels with its zoom, so
 * panning and zooming never recompute the layout.
 *
 * Time runs left to right in columns, one column per logical time `t` (the driver's step). Several
 * events may share a step, even in one lane; a column is as wide as its busiest row, and events of
 * one row at one step sit side by side in trace order.
 *
 * The passes, one file each under layout/: placement (rows, columns, slots), then freezes, key
 * epochs, crypto spans and violations over the events placement collected; lookups (hit testing,
 * a step's event) read the finished layout.
 */
import { LANES } from '@ktls-lab/core';
import type { TraceColumns } from './columns';
import { cryptoOf } from './layout/crypto';
import { epochsOf } from './layout/epochs';
import { freezesOf } from './layout/freezes';
import type { Geometry } from './layout/geometry';
import { alignColumns, place } from './layout/place';
import type { Layout, LayoutOptions, Row } from './layout/types';
import { violationsOf } from './layout/violations';

export { columnAt, eventAt, eventAtStep } from './layout/lookup';
export type {
  Columns,
  CryptoSpan,
  Direction,
  EpochBand,
  FreezeInterval,
  Layout,
  LayoutOptions,
  Row,
  ViolationMarker,
} from './layout/types';

/** Space between columns, in slots, so that adjacent steps read as separate. */
export const COLUMN_GAP = 0.25;

/** How wide each step's column must be for this trace alone: its busiest row's event count. */
export function stepWidths(columns: TraceColumns): Map<number, number> {
  const { ts, widths } = place(columns);
  const out = new Map<number, number>();
  for (let c = 0; c < ts.length; c++) out.set(ts[c]!, widths[c]!);
  return out;
}

/** The wider of both at every step, over the steps of either. */
export function mergeStepWidths(
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
): Map<number, number> {
  const out = new Map(a);
  for (const [t, w] of b) out.set(t, Math.max(w, out.get(t) ?? 0));
  return out;
}

/** The whole layout of a trace: placement, columns and x, then the spans over them. */
export function layoutTrace(columns: TraceColumns, options: LayoutOptions = {}): Layout {
  const placed = place(columns);
  const { eventRow, slot } = placed;
  const { endpoints } = columns;
  const rows: Row[] = [];
  for (const ep of endpoints) for (const lane of LANES) rows.push({ index: rows.length, ep, lane });

  // Columns: every step of this trace and of the alignment widths, ascending.
  let ts: Float64Array = placed.ts;
  let widths: ArrayLike<number> = placed.widths;
  let eventColumn = placed.eventColumn;
  if (options.stepWidths) {
    const aligned = alignColumns(placed.ts, placed.widths, options.stepWidths);
    ts = aligned.ts;
    widths = aligned.widths;
    eventColumn = eventColumn.map((c) => aligned.moved[c]!);
  }
  const colX = new Float64Array(ts.length);
  const colW = new Float64Array(ts.length);
  let x = 0;
  for (let c = 0; c < ts.length; c++) {
    colX[c] = x;
    colW[c] = widths[c]! + COLUMN_GAP;
    x += colW[c]!;
  }
  const width = x;

  // Events grouped by column: trace order for a sorted trace, else a counting sort by column
  // (no comparison sort either way).
  const n = columns.length;
  const eventX = new Float64Array(n);
  const order = new Int32Array(n);
  const counts = new Int32Array(ts.length + 1);
  for (let i = 0; i < n; i++) {
    const c = eventColumn[i]!;
    eventX[i] = colX[c]! + slot[i]!;
    counts[c + 1]!++;
    order[i] = i;
  }
  const start = new Int32Array(ts.length + 1);
  for (let c = 0; c < ts.length; c++) start[c + 1] = start[c]! + counts[c + 1]!;
  if (!placed.sorted) {
    const fill = start.slice(0, ts.length);
    for (let i = 0; i < n; i++) order[fill[eventColumn[i]!]!++] = i;
  }

  const geometry: Geometry = { columns, special: placed.special, eventX, eventRow, width };
  return {
    endpoints,
    rows,
    columns: { t: ts, x: colX, width: colW, start },
    order,
    eventX,
    eventRow,
    eventColumn,
    freezes: freezesOf(geometry),
    epochs: epochsOf(geometry),
    crypto: cryptoOf(geometry),
    violations: violationsOf(geometry),
    width,
  };
}
