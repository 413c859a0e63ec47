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
  return place(header.endpoints, events).endpoints;
}

/** How wide each step's column must be for this trace alone: its busiest row's event count. */
export function stepWidths(events: readonly TraceEvent[]): Map<number, number> {
  const { ts, widths } = place([], events);
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

/** Where each event goes before any x is known: its row, its step's column, its slot there. */
interface Placement {
  readonly endpoints: string[];
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
   * and resumes, crypto requests and completions, key installs; and the events that carry a
   * violation. Collected here so that each later pass visits a fraction of the events and compares
   * numbers, not kind strings.
   */
  readonly special: Special;
  readonly violating: number[];
}

interface Special {
  readonly index: number[];
  readonly kind: number[];
}

/** Kinds that freezes, epoch bands and crypto spans are made of, as numbers. */
const FREEZE = 1;
const RESUME = 2;
const SEAL_REQUEST = 3;
const SEAL_DONE = 4;
const OPEN_REQUEST = 5;
const OPEN_DONE = 6;
const KEY_INSTALL = 7;
const SPECIAL_KINDS: ReadonlyMap<string, number> = new Map([
  ['freeze', FREEZE],
  ['resume', RESUME],
  ['seal-request', SEAL_REQUEST],
  ['seal-done', SEAL_DONE],
  ['open-request', OPEN_REQUEST],
  ['open-done', OPEN_DONE],
  ['key-install', KEY_INSTALL],
]);

/**
 * One pass over the events for a trace sorted by step (every driver writes them so): a step
 * change opens the next column, and each row counts its slots in the current column. Typed arrays
 * and no per-event map lookups: this pass is most of the layout of 100,000 events.
 */
function place(headerEndpoints: readonly string[], events: readonly TraceEvent[]): Placement {
  const n = events.length;
  const endpoints = [...headerEndpoints];
  const epIndex = new Map(endpoints.map((ep, i) => [ep, i]));
  const eventRow = new Int32Array(n);
  const eventColumn = new Int32Array(n);
  const slot = new Int32Array(n);
  const ts: number[] = [];
  const widths: number[] = [];
  // Per row: the column its count belongs to, and the count. Grown as endpoints appear.
  let rowColumn = new Int32Array((endpoints.length + 2) * LANES.length).fill(-1);
  let rowUsed = new Int32Array(rowColumn.length);
  const special: Special = { index: [], kind: [] };
  const violating: number[] = [];
  let lastEp: string | undefined;
  let base = 0;
  let lastT = Number.NaN;
  let c = -1;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    const kind = SPECIAL_KINDS.get(e.kind);
    if (kind !== undefined) {
      special.index.push(i);
      special.kind.push(kind);
    }
    if (e.violation !== undefined) violating.push(i);
    if (e.ep !== lastEp) {
      let k = epIndex.get(e.ep);
      if (k === undefined) {
        k = endpoints.length;
        endpoints.push(e.ep);
        epIndex.set(e.ep, k);
      }
      lastEp = e.ep;
      base = k * LANES.length;
    }
    const r = base + LANE_INDEX.get(e.lane)!;
    eventRow[i] = r;
    if (!sorted) continue;
    if (e.t !== lastT) {
      if (e.t < lastT) {
        sorted = false;
        continue;
      }
      lastT = e.t;
      c++;
      ts.push(lastT);
      widths.push(0);
    }
    if (r >= rowColumn.length) {
      const grown = new Int32Array(Math.max(r + 1, rowColumn.length * 2)).fill(-1);
      grown.set(rowColumn);
      rowColumn = grown;
      const used = new Int32Array(grown.length);
      used.set(rowUsed);
      rowUsed = used;
    }
    const s = rowColumn[r] === c ? rowUsed[r]! : 0;
    rowColumn[r] = c;
    rowUsed[r] = s + 1;
    if (s + 1 > widths[c]!) widths[c] = s + 1;
    eventColumn[i] = c;
    slot[i] = s;
  }
  if (!sorted) return placeUnsorted(endpoints, events, eventRow, special, violating);
  return {
    endpoints,
    ts: Float64Array.from(ts),
    widths: Int32Array.from(widths),
    eventRow,
    eventColumn,
    slot,
    sorted,
    special,
    violating,
  };
}

/** The same placement for a trace whose steps go backwards somewhere: maps, not counters. */
function placeUnsorted(
  endpoints: string[],
  events: readonly TraceEvent[],
  eventRow: Int32Array,
  special: Special,
  violating: number[],
): Placement {
  const n = events.length;
  const ts = Float64Array.from(new Set(events.map((e) => e.t))).sort();
  const colOfT = new Map<number, number>();
  for (let c = 0; c < ts.length; c++) colOfT.set(ts[c]!, c);
  const rowCount = endpoints.length * LANES.length;
  const widths = new Int32Array(ts.length);
  const eventColumn = new Int32Array(n);
  const slot = new Int32Array(n);
  const used = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = colOfT.get(events[i]!.t)!;
    const key = c * rowCount + eventRow[i]!;
    const s = used.get(key) ?? 0;
    used.set(key, s + 1);
    if (s + 1 > widths[c]!) widths[c] = s + 1;
    eventColumn[i] = c;
    slot[i] = s;
  }
  return { endpoints, ts, widths, eventRow, eventColumn, slot, sorted: false, special, violating };
}

/**
 * Columns over the steps of the trace and of `align`, each as wide as the wider of both, and
 * where each of the trace's own columns went.
 */
function alignColumns(
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

export function layoutTrace(
  header: TraceHeader,
  events: readonly TraceEvent[],
  options: LayoutOptions = {},
): Layout {
  const placed = place(header.endpoints, events);
  const { endpoints, eventRow, slot } = placed;
  const rows: Row[] = [];
  for (const ep of endpoints) for (const lane of LANES) rows.push({ index: rows.length, ep, lane });
  const epIndex = new Map(endpoints.map((ep, i) => [ep, i]));
  const rowOf = (ep: string, lane: Lane): number =>
    epIndex.get(ep)! * LANES.length + LANE_INDEX.get(lane)!;

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
  const n = events.length;
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

  const boxEnd = (i: number): number => eventX[i]! + 1;

  return {
    endpoints,
    rows,
    columns: { t: ts, x: colX, width: colW, start },
    order,
    eventX,
    eventRow,
    eventColumn,
    freezes: freezesOf(events, placed.special, eventX, eventRow, boxEnd, width),
    epochs: epochsOf(events, placed.special, eventX, rowOf, width),
    crypto: cryptoOf(events, placed.special, eventX, eventRow, boxEnd, width),
    violations: violationsOf(events, placed.violating, eventX, eventRow),
    width,
  };
}

function freezesOf(
  events: readonly TraceEvent[],
  special: Special,
  eventX: Float64Array,
  eventRow: Int32Array,
  boxEnd: (i: number) => number,
  width: number,
): FreezeInterval[] {
  const out: FreezeInterval[] = [];
  const open = new Map<number, number>(); // row -> index of the freeze event
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind !== FREEZE && kind !== RESUME) continue;
    const i = special.index[k]!;
    const e = events[i]!;
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
  special: Special,
  eventX: Float64Array,
  rowOf: (ep: string, lane: Lane) => number,
  width: number,
): EpochBand[] {
  // ep -> key fingerprint -> direction. Nested maps, not `${ep}|${key}` strings: building a
  // string per event is the slowest thing a layout of 100,000 events could do.
  const keyDir = new Map<string, Map<string, Direction>>();
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind !== SEAL_REQUEST && kind !== OPEN_REQUEST) continue;
    const e = events[special.index[k]!]!;
    if (e.key === undefined) continue;
    let m = keyDir.get(e.ep);
    if (!m) {
      m = new Map();
      keyDir.set(e.ep, m);
    }
    m.set(e.key, kind === SEAL_REQUEST ? 'tx' : 'rx');
  }
  type Open = { epoch: number; key: string | null; x0: number; start: number };
  const out: EpochBand[] = [];
  const current = new Map<string, { tx?: Open; rx?: Open }>();
  const close = (ep: string, dir: Direction, band: Open, x1: number): void => {
    if (x1 <= band.x0) return;
    const lanes = dir === 'tx' ? TX_LANES : RX_LANES;
    out.push({ ep, dir, ...band, x1, rows: lanes.map((l) => rowOf(ep, l)) });
  };
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind !== SEAL_REQUEST && kind !== OPEN_REQUEST && kind !== KEY_INSTALL) continue;
    const i = special.index[k]!;
    const e = events[i]!;
    if (e.epoch === undefined) continue;
    let dir: Direction | undefined;
    if (kind === SEAL_REQUEST) dir = 'tx';
    else if (kind === OPEN_REQUEST) dir = 'rx';
    else if (e.key !== undefined) dir = keyDir.get(e.ep)?.get(e.key);
    if (dir === undefined) continue;
    let bands = current.get(e.ep);
    if (!bands) {
      bands = {};
      current.set(e.ep, bands);
    }
    const band = bands[dir];
    const key = e.key ?? null;
    if (band && band.epoch === e.epoch && (kind !== KEY_INSTALL || band.key === key)) continue;
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
  special: Special,
  eventX: Float64Array,
  eventRow: Int32Array,
  boxEnd: (i: number) => number,
  width: number,
): CryptoSpan[] {
  const out: CryptoSpan[] = [];
  // (endpoint, operation, req) -> index of the request, as one number.
  const pending = new Map<number, number>();
  for (let k = 0; k < special.index.length; k++) {
    const kind = special.kind[k]!;
    if (kind < SEAL_REQUEST || kind > OPEN_DONE) continue;
    const i = special.index[k]!;
    const e = events[i]!;
    if (e.req === undefined) continue;
    const op = kind === SEAL_REQUEST || kind === SEAL_DONE ? 'seal' : 'open';
    const ep = Math.floor(eventRow[i]! / LANES.length);
    const key = (e.req * 4096 + ep) * 2 + (op === 'seal' ? 0 : 1);
    if (kind === SEAL_REQUEST || kind === OPEN_REQUEST) {
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
  candidates: readonly number[],
  eventX: Float64Array,
  eventRow: Int32Array,
): ViolationMarker[] {
  const out: ViolationMarker[] = [];
  for (const i of candidates) {
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
