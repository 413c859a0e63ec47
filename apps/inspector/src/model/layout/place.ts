/**
 * Placement, the first pass of a layout: each event's row, its step's column and its slot there,
 * before any x is known; and the columns of a trace aligned on another's step widths (compare).
 */
import { LANES } from '@ktls-lab/core';
import type { TraceColumns } from '../columns';
import { SPECIAL_OF_KIND, type Special } from './geometry';

/** Where each event goes before any x is known: its row, its step's column, its slot there. */
export interface Placement {
  /** The trace's own steps, ascending, and each one's busiest-row event count. */
  readonly ts: Float64Array;
  readonly widths: Int32Array;
  readonly eventRow: Int32Array;
  /** Index into `ts`. */
  readonly eventColumn: Int32Array;
  /** Position among the events of the same row and column, in trace order. */
  readonly slot: Int32Array;
  /** Steps never go backwards: `order` is then the identity. */
  readonly sorted: boolean;
  /**
   * The events the later passes look at, and their kinds as small numbers (`Special`): freezes
   * and resumes, crypto requests and completions, key installs. Collected here so that each later
   * pass visits a fraction of the events.
   */
  readonly special: Special;
}

/**
 * One pass over the columns for a trace sorted by step (every driver writes them so): a step
 * change opens the next column, and each row counts its slots in the current column. Typed arrays
 * and no map lookups: this pass is most of the layout of 100,000 events.
 */
export function place(columns: TraceColumns): Placement {
  const n = columns.length;
  const { t: time, ep, lane, kind } = columns;
  const eventRow = new Int32Array(n);
  const eventColumn = new Int32Array(n);
  const slot = new Int32Array(n);
  const ts: number[] = [];
  const widths: number[] = [];
  // Per row: the column its count belongs to, and the count.
  const rowCount = Math.max(1, columns.endpoints.length) * LANES.length;
  const rowColumn = new Int32Array(rowCount).fill(-1);
  const rowUsed = new Int32Array(rowCount);
  const special: Special = { index: [], kind: [] };
  let lastT = Number.NaN;
  let c = -1;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const sk = SPECIAL_OF_KIND[kind[i]!]!;
    if (sk !== 0) {
      special.index.push(i);
      special.kind.push(sk);
    }
    const r = ep[i]! * LANES.length + lane[i]!;
    eventRow[i] = r;
    if (!sorted) continue;
    const t = time[i]!;
    if (t !== lastT) {
      if (t < lastT) {
        sorted = false;
        continue;
      }
      lastT = t;
      c++;
      ts.push(t);
      widths.push(0);
    }
    const s = rowColumn[r] === c ? rowUsed[r]! : 0;
    rowColumn[r] = c;
    rowUsed[r] = s + 1;
    if (s + 1 > widths[c]!) widths[c] = s + 1;
    eventColumn[i] = c;
    slot[i] = s;
  }
  if (!sorted) return placeUnsorted(columns, eventRow, special);
  return {
    ts: Float64Array.from(ts),
    widths: Int32Array.from(widths),
    eventRow,
    eventColumn,
    slot,
    sorted,
    special,
  };
}

/** The same placement for a trace whose steps go backwards somewhere: maps, not counters. */
function placeUnsorted(columns: TraceColumns, eventRow: Int32Array, special: Special): Placement {
  const n = columns.length;
  const ts = Float64Array.from(new Set(columns.t)).sort();
  const colOfT = new Map<number, number>();
  for (let c = 0; c < ts.length; c++) colOfT.set(ts[c]!, c);
  const rowCount = columns.endpoints.length * LANES.length;
  const widths = new Int32Array(ts.length);
  const eventColumn = new Int32Array(n);
  const slot = new Int32Array(n);
  const used = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = colOfT.get(columns.t[i]!)!;
    const key = c * rowCount + eventRow[i]!;
    const s = used.get(key) ?? 0;
    used.set(key, s + 1);
    if (s + 1 > widths[c]!) widths[c] = s + 1;
    eventColumn[i] = c;
    slot[i] = s;
  }
  return { ts, widths, eventRow, eventColumn, slot, sorted: false, special };
}

/**
 * Columns over the steps of the trace and of `align`, each as wide as the wider of both, and
 * where each of the trace's own columns went.
 */
export function alignColumns(
  ts: Float64Array,
  widths: Int32Array,
  align: ReadonlyMap<number, number>,
): { ts: Float64Array; widths: Float64Array; moved: Int32Array } {
  const merged = new Map<number, number>();
  for (let c = 0; c < ts.length; c++) merged.set(ts[c]!, widths[c]!);
  for (const [t, w] of align) merged.set(t, Math.max(w, merged.get(t) ?? 0));
  const all = Float64Array.from(merged.keys()).sort();
  const out = new Float64Array(all.length);
  const moved = new Int32Array(ts.length);
  // Both ascending: one walk finds each own step in the merged list.
  let k = 0;
  for (let m = 0; m < all.length; m++) {
    out[m] = merged.get(all[m]!)!;
    if (k < ts.length && ts[k] === all[m]) moved[k++] = m;
  }
  return { ts: all, widths: out, moved };
}
