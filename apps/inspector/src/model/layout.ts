/**
 * The geometry of a trace, computed once per trace by a pure function and then only read by the
 * canvas renderer, hit testing and the keyboard cursor. Units are abstract: x is in slots (one slot
 * is one event box wide), rows are indexes. The view turns them into pixels with its zoom, so
 * panning and zooming never recompute the layout.
 *
 * Time runs left to right in columns, one column per logical time `t` (the driver's step). Several
 * events may share a step, even in one lane; a column is as wide as its busiest row, and events of
 * one row at one step sit side by side in trace order.
 */
import { LANES, type Lane, type TraceEvent, type TraceHeader } from '@ktls-lab/core';

export interface Row {
  readonly index: number;
  readonly ep: string;
  readonly lane: Lane;
}

/** Columns as parallel typed arrays: 100,000 events must lay out in a few milliseconds. */
export interface Columns {
  /** Logical time of each column, ascending. */
  readonly t: Float64Array;
  /** Left edge of each column, in slots. */
  readonly x: Float64Array;
  readonly width: Float64Array;
  /** Events of column c are `order[start[c]] .. order[start[c + 1] - 1]`. */
  readonly start: Int32Array;
}

/** A freeze: from the `freeze` event to the `resume` event of the same endpoint and lane. */
export interface FreezeInterval {
  readonly ep: string;
  readonly lane: Lane;
  readonly row: number;
  readonly x0: number;
  readonly x1: number;
  readonly start: number;
  /** Index of the `resume` event, or null when the trace ends frozen. */
  readonly end: number | null;
  readonly reason: string;
  readonly resumeReason: string | null;
}

export type Direction = 'tx' | 'rx';

/** A stretch during which one endpoint seals (tx) or opens (rx) under one key epoch. */
export interface EpochBand {
  readonly ep: string;
  readonly dir: Direction;
  readonly epoch: number;
  readonly key: string | null;
  readonly x0: number;
  readonly x1: number;
  /** Event that started the band (a key install, or the first crypto request at this epoch). */
  readonly start: number;
  /** Rows the band shades: the endpoint's send-side or receive-side lanes. */
  readonly rows: readonly number[];
}

/** An async crypto request, from `seal-request`/`open-request` to its `-done` with the same `req`. */
export interface CryptoSpan {
  readonly ep: string;
  readonly op: 'seal' | 'open';
  readonly row: number;
  readonly req: number;
  readonly x0: number;
  readonly x1: number;
  readonly request: number;
  readonly done: number | null;
}

export interface ViolationMarker {
  readonly event: number;
  readonly row: number;
  readonly x: number;
  readonly t: number;
  readonly invariant: number;
  readonly name: string;
  readonly message: string;
}

export interface Layout {
  readonly endpoints: readonly string[];
  readonly rows: readonly Row[];
  readonly columns: Columns;
  /** Event indexes grouped by column, in column order (see `Columns.start`). */
  readonly order: Int32Array;
  readonly eventX: Float64Array;
  readonly eventRow: Int32Array;
  readonly eventColumn: Int32Array;
  readonly freezes: readonly FreezeInterval[];
  readonly epochs: readonly EpochBand[];
  readonly crypto: readonly CryptoSpan[];
  readonly violations: readonly ViolationMarker[];
  /** Total width in slots. */
  readonly width: number;
}

export interface LayoutOptions {
  /**
   * Minimum width of the column at each logical time. Two traces laid out with the same merged
   * widths (`mergeStepWidths`) put the same step at the same x: that is how compare aligns them.
   */
  readonly stepWidths?: ReadonlyMap<number, number>;
}

/** Space between columns, in slots, so that adjacent steps read as separate. */
export const COLUMN_GAP = 0.25;

const LANE_INDEX: ReadonlyMap<Lane, number> = new Map(LANES.map((l, i) => [l, i]));
const TX_LANES: readonly Lane[] = ['app-tx', 'dp-tx', 'wire'];
const RX_LANES: readonly Lane[] = ['dp-rx', 'app-rx'];

/** Endpoints in header order, then any the events name that the header did not. */
export function endpointsOf(header: TraceHeader, events: readonly TraceEvent[]): string[] {
  const eps = [...header.endpoints];
  const seen = new Set(eps);
  for (const e of events) {
    if (!seen.has(e.ep)) {
      seen.add(e.ep);
      eps.push(e.ep);
    }
  }
  return eps;
}

/** How wide each step's column must be for this trace alone: its busiest row's event count. */
export function stepWidths(events: readonly TraceEvent[]): Map<number, number> {
  // Numeric keys: a string key per event costs about a microsecond, ten times a numeric one.
  const eps = new Map<string, number>();
  const perRow = new Map<number, number>();
  const widths = new Map<number, number>();
  for (const e of events) {
    let ep = eps.get(e.ep);
    if (ep === undefined) {
      ep = eps.size;
      eps.set(e.ep, ep);
    }
    const key = (e.t * 4096 + ep) * LANES.length + LANE_INDEX.get(e.lane)!;
    const n = (perRow.get(key) ?? 0) + 1;
    perRow.set(key, n);
    if (n > (widths.get(e.t) ?? 0)) widths.set(e.t, n);
  }
  return widths;
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

export function layoutTrace(
  header: TraceHeader,
  events: readonly TraceEvent[],
  options: LayoutOptions = {},
): Layout {
  const endpoints = endpointsOf(header, events);
  const epIndex = new Map(endpoints.map((ep, i) => [ep, i]));
  const rows: Row[] = [];
  for (const ep of endpoints) for (const lane of LANES) rows.push({ index: rows.length, ep, lane });
  let lastEp = '';
  let lastEpBase = 0;
  const rowOf = (ep: string, lane: Lane): number => {
    if (ep !== lastEp) {
      lastEp = ep;
      lastEpBase = epIndex.get(ep)! * LANES.length;
    }
    return lastEpBase + LANE_INDEX.get(lane)!;
  };

  // Columns: every step of this trace and of the alignment widths, ascending.
  const own = stepWidths(events);
  const widths = options.stepWidths ? mergeStepWidths(own, options.stepWidths) : own;
  const ts = Float64Array.from(widths.keys()).sort();
  const colOfT = new Map<number, number>();
  const colX = new Float64Array(ts.length);
  const colW = new Float64Array(ts.length);
  let x = 0;
  for (let c = 0; c < ts.length; c++) {
    const t = ts[c]!;
    colOfT.set(t, c);
    colX[c] = x;
    colW[c] = widths.get(t)! + COLUMN_GAP;
    x += colW[c]!;
  }
  const width = x;

  // Place events: column, then the next free slot of their row in that column. Counting sort by
  // column gives `order` without a comparison sort.
  const n = events.length;
  const eventX = new Float64Array(n);
  const eventRow = new Int32Array(n);
  const eventColumn = new Int32Array(n);
  const counts = new Int32Array(ts.length + 1);
  // Sorted traces (every driver writes them) need only the slot count of the current column per
  // row; a trace whose steps go backwards falls back to a map keyed by (column, row).
  const sorted = isSortedByStep(events);
  const slotCol = new Int32Array(rows.length).fill(-1);
  const slotNext = new Int32Array(rows.length);
  const used = new Map<number, number>();
  let lastT = Number.NaN;
  let c = -1;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    if (e.t !== lastT) {
      c = colOfT.get(e.t)!;
      lastT = e.t;
    }
    const r = rowOf(e.ep, e.lane);
    let slot: number;
    if (sorted) {
      if (slotCol[r] !== c) {
        slotCol[r] = c;
        slotNext[r] = 0;
      }
      slot = slotNext[r]!++;
    } else {
      const key = c * rows.length + r;
      slot = used.get(key) ?? 0;
      used.set(key, slot + 1);
    }
    eventColumn[i] = c;
    eventRow[i] = r;
    eventX[i] = colX[c]! + slot;
    counts[c + 1]!++;
  }
  const start = new Int32Array(ts.length + 1);
  for (let c = 0; c < ts.length; c++) start[c + 1] = start[c]! + counts[c + 1]!;
  const fill = start.slice(0, ts.length);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[eventColumn[i]!]!++] = i;

  const boxEnd = (i: number): number => eventX[i]! + 1;

  return {
    endpoints,
    rows,
    columns: { t: ts, x: colX, width: colW, start },
    order,
    eventX,
    eventRow,
    eventColumn,
    freezes: freezesOf(events, eventX, eventRow, boxEnd, width),
    epochs: epochsOf(events, eventX, rowOf, width),
    crypto: cryptoOf(events, eventX, eventRow, boxEnd, width),
    violations: violationsOf(events, eventX, eventRow),
    width,
  };
}

function isSortedByStep(events: readonly TraceEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.t < events[i - 1]!.t) return false;
  return true;
}

function freezesOf(
  events: readonly TraceEvent[],
  eventX: Float64Array,
  eventRow: Int32Array,
  boxEnd: (i: number) => number,
  width: number,
): FreezeInterval[] {
  const out: FreezeInterval[] = [];
  const open = new Map<number, number>(); // row -> index of the freeze event
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind !== 'freeze' && e.kind !== 'resume') continue;
    const key = eventRow[i]!;
    const at = open.get(key);
    // A second freeze while frozen extends the first; a resume with nothing frozen is drawn as
    // a plain event box only.
    if (e.kind === 'freeze') {
      if (at === undefined) open.set(key, i);
      continue;
    }
    if (at === undefined) continue;
    open.delete(key);
    const f = events[at]!;
    out.push({
      ep: f.ep,
      lane: f.lane,
      row: eventRow[at]!,
      x0: eventX[at]!,
      x1: boxEnd(i),
      start: at,
      end: i,
      reason: f.reason ?? 'unspecified',
      resumeReason: e.reason ?? 'unspecified',
    });
  }
  // Unterminated freezes run to the end of the trace: the stream never resumed.
  for (const at of open.values()) {
    const f = events[at]!;
    out.push({
      ep: f.ep,
      lane: f.lane,
      row: eventRow[at]!,
      x0: eventX[at]!,
      x1: width,
      start: at,
      end: null,
      reason: f.reason ?? 'unspecified',
      resumeReason: null,
    });
  }
  return out.sort((a, b) => a.x0 - b.x0);
}

/**
 * Key epochs per endpoint and direction. A `key-install` carries no direction, so it is assigned
 * the direction in which the same endpoint later uses that key fingerprint (a seal is TX, an open
 * is RX). Crypto requests at a new epoch start a band too, so traces without key installs (a
 * capture) still show their epochs.
 */
function epochsOf(
  events: readonly TraceEvent[],
  eventX: Float64Array,
  rowOf: (ep: string, lane: Lane) => number,
  width: number,
): EpochBand[] {
  // ep -> key fingerprint -> direction. Nested maps, not `${ep}|${key}` strings: building a
  // string per event is the slowest thing a layout of 100,000 events could do.
  const keyDir = new Map<string, Map<string, Direction>>();
  for (const e of events) {
    if (e.key === undefined || (e.kind !== 'seal-request' && e.kind !== 'open-request')) continue;
    let m = keyDir.get(e.ep);
    if (!m) {
      m = new Map();
      keyDir.set(e.ep, m);
    }
    m.set(e.key, e.kind === 'seal-request' ? 'tx' : 'rx');
  }
  type Open = { epoch: number; key: string | null; x0: number; start: number };
  const out: EpochBand[] = [];
  const current = new Map<string, { tx?: Open; rx?: Open }>();
  const close = (ep: string, dir: Direction, band: Open, x1: number): void => {
    if (x1 <= band.x0) return;
    const lanes = dir === 'tx' ? TX_LANES : RX_LANES;
    out.push({ ep, dir, ...band, x1, rows: lanes.map((l) => rowOf(ep, l)) });
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.epoch === undefined) continue;
    let dir: Direction | undefined;
    if (e.kind === 'seal-request') dir = 'tx';
    else if (e.kind === 'open-request') dir = 'rx';
    else if (e.kind === 'key-install' && e.key !== undefined) dir = keyDir.get(e.ep)?.get(e.key);
    if (dir === undefined) continue;
    let bands = current.get(e.ep);
    if (!bands) {
      bands = {};
      current.set(e.ep, bands);
    }
    const band = bands[dir];
    const key = e.key ?? null;
    if (band && band.epoch === e.epoch && (e.kind !== 'key-install' || band.key === key)) continue;
    if (band) close(e.ep, dir, band, eventX[i]!);
    bands[dir] = { epoch: e.epoch, key, x0: eventX[i]!, start: i };
  }
  for (const [ep, bands] of current) {
    if (bands.tx) close(ep, 'tx', bands.tx, width);
    if (bands.rx) close(ep, 'rx', bands.rx, width);
  }
  return out.sort((a, b) => a.x0 - b.x0);
}

function cryptoOf(
  events: readonly TraceEvent[],
  eventX: Float64Array,
  eventRow: Int32Array,
  boxEnd: (i: number) => number,
  width: number,
): CryptoSpan[] {
  const out: CryptoSpan[] = [];
  // (endpoint, operation, req) -> index of the request, as one number (see stepWidths).
  const pending = new Map<number, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.req === undefined) continue;
    const op =
      e.kind === 'seal-request' || e.kind === 'seal-done'
        ? 'seal'
        : e.kind === 'open-request' || e.kind === 'open-done'
          ? 'open'
          : null;
    if (op === null) continue;
    const ep = Math.floor(eventRow[i]! / LANES.length);
    const key = (e.req * 4096 + ep) * 2 + (op === 'seal' ? 0 : 1);
    if (e.kind.endsWith('-request')) {
      pending.set(key, i);
      continue;
    }
    const at = pending.get(key);
    if (at === undefined) continue;
    pending.delete(key);
    out.push({
      ep: e.ep,
      op,
      row: eventRow[at]!,
      req: e.req,
      x0: eventX[at]!,
      x1: boxEnd(i),
      request: at,
      done: i,
    });
  }
  // A request never completed: the span runs to the end (the run stopped while it was in flight).
  for (const [key, at] of pending) {
    const e = events[at]!;
    out.push({
      ep: e.ep,
      op: key % 2 === 0 ? 'seal' : 'open',
      row: eventRow[at]!,
      req: e.req!,
      x0: eventX[at]!,
      x1: width,
      request: at,
      done: null,
    });
  }
  return out.sort((a, b) => a.x0 - b.x0);
}

function violationsOf(
  events: readonly TraceEvent[],
  eventX: Float64Array,
  eventRow: Int32Array,
): ViolationMarker[] {
  const out: ViolationMarker[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!e.violation) continue;
    out.push({
      event: i,
      row: eventRow[i]!,
      x: eventX[i]!,
      t: e.t,
      invariant: e.violation.invariant,
      name: e.violation.name,
      message: e.violation.message,
    });
  }
  return out;
}

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
