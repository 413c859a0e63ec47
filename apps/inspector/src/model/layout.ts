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
import { LANES, type Lane, type TraceKind } from '@ktls-lab/core';
import { kindCode, LANE_CODE, NONE, type TraceColumns } from './columns';

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

const TX_LANES: readonly Lane[] = ['app-tx', 'dp-tx', 'wire'];
const RX_LANES: readonly Lane[] = ['dp-rx', 'app-rx'];

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

/** Where each event goes before any x is known: its row, its step's column, its slot there. */
interface Placement {
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
/** Column kind code → special kind (0: not special). */
const SPECIAL_OF_KIND = (() => {
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

/**
 * One pass over the columns for a trace sorted by step (every driver writes them so): a step
 * change opens the next column, and each row counts its slots in the current column. Typed arrays
 * and no map lookups: this pass is most of the layout of 100,000 events.
 */
function place(columns: TraceColumns): Placement {
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

/** What the passes after placement read. */
interface Geometry {
  readonly columns: TraceColumns;
  readonly special: Special;
  readonly eventX: Float64Array;
  readonly eventRow: Int32Array;
  readonly width: number;
}

const boxEnd = (g: Geometry, i: number): number => g.eventX[i]! + 1;
const laneOf = (g: Geometry, i: number): Lane => LANES[g.columns.lane[i]!]!;
const epOf = (g: Geometry, i: number): string => g.columns.endpoints[g.columns.ep[i]!]!;
const stringOf = (g: Geometry, k: number): string | null =>
  k === NONE ? null : g.columns.strings[k]!;

function freezesOf(g: Geometry): FreezeInterval[] {
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

/**
 * Key epochs per endpoint and direction. A `key-install` carries no direction, so it is assigned
 * the direction in which the same endpoint later uses that key fingerprint (a seal is TX, an open
 * is RX). Crypto requests at a new epoch start a band too, so traces without key installs (a
 * capture) still show their epochs.
 */
function epochsOf(g: Geometry): EpochBand[] {
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

function cryptoOf(g: Geometry): CryptoSpan[] {
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

function violationsOf(g: Geometry): ViolationMarker[] {
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
