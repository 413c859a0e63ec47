/**
 * The events of a trace as columns: one typed array per field that layout, drawing and filtering
 * read for every event. `openTrace` builds them as the trace is parsed, so no parsed event object
 * outlives its line (100,000 of them took 12.6 MiB of JavaScript heap; the columns and what else
 * the page keeps, 4.7 MiB, plus the trace's bytes outside the heap), and the page reads any one
 * event whole from its line (eventTable.ts) only when it shows it.
 */
import {
  LANES,
  type Lane,
  TRACE_KINDS,
  type TraceEvent,
  type TraceHeader,
  type TraceKind,
  type TraceViolation,
} from '@ktls-lab/core';

export interface TraceColumns {
  readonly length: number;
  /** The header's endpoints in order, then any the events name that the header did not. */
  readonly endpoints: readonly string[];
  readonly t: Float64Array;
  /** Index into `endpoints`. */
  readonly ep: Uint16Array;
  /** Index into core's `LANES`. */
  readonly lane: Uint8Array;
  /** Index into core's `TRACE_KINDS`. */
  readonly kind: Uint8Array;
  /** Content type byte, or -1. */
  readonly type: Int16Array;
  /** Key epoch, or -1. */
  readonly epoch: Float64Array;
  /** Crypto request id, or -1. */
  readonly req: Float64Array;
  /** Key fingerprint, as an index into `strings`, or -1. */
  readonly key: Int32Array;
  /** Freeze, resume, punt or discard reason, as an index into `strings`, or -1. */
  readonly reason: Int32Array;
  /** Key fingerprints and reasons: few distinct ones, however long the trace. */
  readonly strings: readonly string[];
  /** The events that carry a violation (few), by index. */
  readonly violations: ReadonlyMap<number, TraceViolation>;
}

export const LANE_CODE: ReadonlyMap<Lane, number> = new Map(LANES.map((l, i) => [l, i]));
export const KIND_CODE: ReadonlyMap<TraceKind, number> = new Map(TRACE_KINDS.map((k, i) => [k, i]));
export const NONE = -1;

/** The code of `kind` in `TraceColumns.kind`. */
export function kindCode(kind: TraceKind): number {
  return KIND_CODE.get(kind)!;
}

/** Appends events one at a time; grows its arrays by doubling. */
export class ColumnBuilder {
  private n = 0;
  private cap: number;
  private readonly endpoints: string[];
  private readonly epIndex: Map<string, number>;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly violations = new Map<number, TraceViolation>();
  private t: Float64Array;
  private ep: Uint16Array;
  private lane: Uint8Array;
  private kind: Uint8Array;
  private type: Int16Array;
  private epoch: Float64Array;
  private req: Float64Array;
  private key: Int32Array;
  private reason: Int32Array;

  constructor(headerEndpoints: readonly string[], capacity = 1024) {
    this.endpoints = [...headerEndpoints];
    this.epIndex = new Map(this.endpoints.map((ep, i) => [ep, i]));
    this.cap = Math.max(16, capacity);
    this.t = new Float64Array(this.cap);
    this.ep = new Uint16Array(this.cap);
    this.lane = new Uint8Array(this.cap);
    this.kind = new Uint8Array(this.cap);
    this.type = new Int16Array(this.cap);
    this.epoch = new Float64Array(this.cap);
    this.req = new Float64Array(this.cap);
    this.key = new Int32Array(this.cap);
    this.reason = new Int32Array(this.cap);
  }

  add(e: TraceEvent): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.t[i] = e.t;
    let ep = this.epIndex.get(e.ep);
    if (ep === undefined) {
      ep = this.endpoints.length;
      this.endpoints.push(e.ep);
      this.epIndex.set(e.ep, ep);
    }
    this.ep[i] = ep;
    this.lane[i] = LANE_CODE.get(e.lane)!;
    this.kind[i] = KIND_CODE.get(e.kind)!;
    this.type[i] = e.type ?? NONE;
    this.epoch[i] = e.epoch ?? NONE;
    this.req[i] = e.req ?? NONE;
    this.key[i] = e.key === undefined ? NONE : this.intern(e.key);
    this.reason[i] = e.reason === undefined ? NONE : this.intern(e.reason);
    if (e.violation !== undefined) this.violations.set(i, e.violation);
  }

  finish(): TraceColumns {
    const n = this.n;
    return {
      length: n,
      endpoints: this.endpoints,
      t: this.t.slice(0, n),
      ep: this.ep.slice(0, n),
      lane: this.lane.slice(0, n),
      kind: this.kind.slice(0, n),
      type: this.type.slice(0, n),
      epoch: this.epoch.slice(0, n),
      req: this.req.slice(0, n),
      key: this.key.slice(0, n),
      reason: this.reason.slice(0, n),
      strings: this.strings,
      violations: this.violations,
    };
  }

  private intern(s: string): number {
    let k = this.stringIndex.get(s);
    if (k === undefined) {
      k = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, k);
    }
    return k;
  }

  private grow(): void {
    this.cap *= 2;
    const grown = <A extends Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array>(
      a: A,
    ): A => {
      const b = new (a.constructor as new (n: number) => A)(this.cap);
      b.set(a);
      return b;
    };
    this.t = grown(this.t);
    this.ep = grown(this.ep);
    this.lane = grown(this.lane);
    this.kind = grown(this.kind);
    this.type = grown(this.type);
    this.epoch = grown(this.epoch);
    this.req = grown(this.req);
    this.key = grown(this.key);
    this.reason = grown(this.reason);
  }
}

/** Columns of events already in memory (a simulator run, a test). */
export function columnsOf(header: TraceHeader, events: readonly TraceEvent[]): TraceColumns {
  const b = new ColumnBuilder(header.endpoints, events.length);
  for (const e of events) b.add(e);
  return b.finish();
}
