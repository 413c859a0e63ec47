/**
 * What a layout is (model/layout.ts makes one): abstract units, x in slots (one slot is one event
 * box wide), rows as indexes. The view turns them into pixels with its zoom.
 */
import type { Lane } from '@ktls-lab/core';

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
