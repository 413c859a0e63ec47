import { contentTypeName } from './protocol.js';
import { LANES, type Lane, type TraceEvent, type TraceHeader, type TraceKind } from './trace.js';

/**
 * Converts a trace to Chrome trace-event JSON, the format Perfetto (ui.perfetto.dev) and
 * chrome://tracing open. The mapping:
 *
 * - one process per endpoint: pid 1 is the header's first endpoint (the client), 2 the second,
 *   then any other endpoint in order of appearance;
 * - one thread per lane: tid = index in `LANES` + 1, named after the lane;
 * - every event is an instant event (`ph: 'i'`, thread scope) named after its kind, with its
 *   content type or reason, and the event's fields as `args`; a violation is global (`s: 'g'`);
 * - a freeze and the resume that ends it on the same lane become a complete span
 *   (`ph: 'X'`) named `frozen: <reason>`; a freeze never resumed lasts to the end of the trace;
 * - a crypto request and its completion (same endpoint, same `req`) become a span named
 *   `seal #req` / `open #req`. Async completions overlap, and spans on one thread must nest, so
 *   crypto spans go on extra threads per lane ("dp-rx crypto 1", ...; tid = 100 × (lane tid) +
 *   slot), each slot holding spans that do not overlap.
 *
 * Logical time t becomes t × 1000 µs (one step is drawn as 1 ms). The output is a pure function of
 * the input: the same trace gives the same JSON string.
 */
export interface PerfettoTrace {
  readonly traceEvents: readonly PerfettoEvent[];
  readonly displayTimeUnit: 'ms';
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface PerfettoEvent {
  readonly name: string;
  readonly ph: 'M' | 'i' | 'X';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly s?: 't' | 'g';
  readonly cat?: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** Microseconds per logical time step. */
export const PERFETTO_US_PER_STEP = 1000;

export function laneTid(lane: Lane): number {
  return LANES.indexOf(lane) + 1;
}

/**
 * One converted event as the streaming converter hands it out: metadata (`order` null), or a
 * timed event with the input position it sorts by (`order`, for a span that of its first event).
 */
export interface PerfettoItem {
  readonly ev: PerfettoEvent;
  readonly order: number | null;
}

/**
 * The conversion one event at a time, for traces too large to hold (`ktls-lab export` streams a
 * trace of any size through it). Each event is handed to `sink` as soon as it is known: the
 * instant of an input event at once, a freeze span at its resume, a crypto span at its completion,
 * process and thread names when first needed, unresumed freezes at `end`. It keeps only what is
 * still open (freezes, crypto requests, the end of each crypto thread's last span), never the
 * events. The order is not sorted: Chrome's JSON trace format does not require it, and Perfetto
 * and chrome://tracing sort on load; `toPerfetto` sorts.
 *
 * Crypto spans take a thread ("slot") when their request is read: the first slot of the lane whose
 * last span has ended before the request, or ended at its instant after lasting a while, so spans
 * on one slot never overlap (a trace's t never decreases, so a slot whose span has not completed
 * yet is busy).
 */
export class PerfettoStream {
  private readonly pids = new Map<string, number>();
  private readonly freezes = new Map<string, { e: TraceEvent; order: number }[]>();
  private readonly requests = new Map<string, { e: TraceEvent; order: number; slot: number }>();
  /** Per endpoint and lane: each slot's last span (`null` while it is open). */
  private readonly slots = new Map<string, ({ start: number; end: number } | null)[]>();
  private order = 0;
  private lastT = 0;

  constructor(
    header: TraceHeader,
    private readonly sink: (item: PerfettoItem) => void,
  ) {
    for (const ep of header.endpoints) this.pidOf(ep);
  }

  /** Converts the next event of the trace. */
  push(e: TraceEvent): void {
    const order = this.order++;
    this.lastT = Math.max(this.lastT, e.t);
    const pid = this.pidOf(e.ep);
    const tid = laneTid(e.lane);
    this.sink({
      ev: {
        name: eventName(e),
        ph: 'i',
        pid,
        tid,
        ts: e.t * PERFETTO_US_PER_STEP,
        s: e.kind === 'violation' ? 'g' : 't',
        cat: e.lane,
        args: sortedFields(e),
      },
      order,
    });

    const laneKey = `${e.ep}\u0000${e.lane}`;
    if (e.kind === 'freeze') {
      const open = this.freezes.get(laneKey) ?? [];
      open.push({ e, order });
      this.freezes.set(laneKey, open);
    } else if (e.kind === 'resume') {
      // Last in, first out: spans on one thread must nest.
      const start = this.freezes.get(laneKey)?.pop();
      if (start) {
        this.sink({
          ev: {
            name: `frozen: ${start.e.reason ?? 'unknown'}`,
            ph: 'X',
            pid,
            tid,
            ts: start.e.t * PERFETTO_US_PER_STEP,
            dur: (e.t - start.e.t) * PERFETTO_US_PER_STEP,
            cat: 'freeze',
            args: { freeze: sortedFields(start.e), resume: sortedFields(e) },
          },
          order: start.order,
        });
      }
    }

    const crypto = cryptoOf(e);
    if (crypto && e.req !== undefined) {
      const key = `${e.ep}\u0000${crypto.op}\u0000${e.req}`;
      if (crypto.phase === 'request') {
        this.requests.set(key, { e, order, slot: this.takeSlot(e) });
      } else {
        const start = this.requests.get(key);
        if (start) {
          this.requests.delete(key);
          const lane = start.e.lane;
          this.slotsOf(e.ep, lane)[start.slot] = { start: start.e.t, end: e.t };
          this.sink({
            ev: {
              name: `${crypto.op} #${e.req}`,
              ph: 'X',
              pid,
              tid: laneTid(lane) * 100 + start.slot + 1,
              ts: start.e.t * PERFETTO_US_PER_STEP,
              dur: (e.t - start.e.t) * PERFETTO_US_PER_STEP,
              cat: 'crypto',
              args: { request: sortedFields(start.e), done: sortedFields(e) },
            },
            order: start.order,
          });
        }
      }
    }
  }

  /** No more events: freezes still open last to the end of the trace. */
  end(): void {
    const endTs = this.lastT * PERFETTO_US_PER_STEP;
    for (const open of this.freezes.values()) {
      for (const start of open) {
        this.sink({
          ev: {
            name: `frozen: ${start.e.reason ?? 'unknown'} (never resumed)`,
            ph: 'X',
            pid: this.pidOf(start.e.ep),
            tid: laneTid(start.e.lane),
            ts: start.e.t * PERFETTO_US_PER_STEP,
            dur: endTs - start.e.t * PERFETTO_US_PER_STEP,
            cat: 'freeze',
            args: { freeze: sortedFields(start.e), resumed: false },
          },
          order: start.order,
        });
      }
    }
    this.freezes.clear();
  }

  /** The process of an endpoint, named (with its lanes' threads) the first time it is seen. */
  private pidOf(ep: string): number {
    const known = this.pids.get(ep);
    if (known !== undefined) return known;
    const pid = this.pids.size + 1;
    this.pids.set(ep, pid);
    const meta = (ev: PerfettoEvent) => this.sink({ ev, order: null });
    meta({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: ep } });
    meta({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
    for (const lane of LANES) {
      const tid = laneTid(lane);
      meta({ name: 'thread_name', ph: 'M', pid, tid, args: { name: lane } });
      meta({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid * 100 } });
    }
    return pid;
  }

  private slotsOf(ep: string, lane: Lane): ({ start: number; end: number } | null)[] {
    const key = `${ep}\u0000${lane}`;
    let slots = this.slots.get(key);
    if (!slots) {
      slots = [];
      this.slots.set(key, slots);
    }
    return slots;
  }

  /** A free crypto slot for a request at `e.t` (named when first used); it is busy until done. */
  private takeSlot(e: TraceEvent): number {
    const slots = this.slotsOf(e.ep, e.lane);
    // A zero-length span ending at this instant would stack ambiguously with one starting here.
    let slot = slots.findIndex(
      (s) => s !== null && (s.end < e.t || (s.end === e.t && s.start < s.end)),
    );
    if (slot < 0) {
      slot = slots.length;
      const pid = this.pidOf(e.ep);
      const tid = laneTid(e.lane) * 100 + slot + 1;
      this.sink({
        ev: {
          name: 'thread_name',
          ph: 'M',
          pid,
          tid,
          args: { name: `${e.lane} crypto ${slot + 1}` },
        },
        order: null,
      });
      this.sink({
        ev: { name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } },
        order: null,
      });
    }
    slots[slot] = null;
    return slot;
  }
}

/** The opening of the JSON `toPerfetto` gives, for a writer that streams the events after it. */
export const PERFETTO_JSON_START = '{"traceEvents":[';

/** The rest of that JSON after the events: `displayTimeUnit` and the header as `metadata`. */
export function perfettoJsonEnd(header: TraceHeader): string {
  return `],"displayTimeUnit":"ms","metadata":${JSON.stringify({ ...header })}}`;
}

export function toPerfetto(header: TraceHeader, events: readonly TraceEvent[]): PerfettoTrace {
  const meta: PerfettoEvent[] = [];
  const timed: { ev: PerfettoEvent; order: number }[] = [];
  const stream = new PerfettoStream(header, ({ ev, order }) => {
    if (order === null) meta.push(ev);
    else timed.push({ ev, order });
  });
  for (const e of events) stream.push(e);
  stream.end();
  // Process names first, then the crypto threads (as they were taken), then timed events by time.
  const processes = meta.filter((m) => m.tid < 100);
  const cryptoThreads = meta.filter((m) => m.tid >= 100);
  timed.sort((a, b) => a.ev.ts! - b.ev.ts! || a.order - b.order || rank(a.ev) - rank(b.ev));
  return {
    traceEvents: [...processes, ...cryptoThreads, ...timed.map((x) => x.ev)],
    displayTimeUnit: 'ms',
    metadata: { ...header },
  };
}

/** Spans before the instants of the same event, so that a viewer opens the span first. */
function rank(e: PerfettoEvent): number {
  return e.ph === 'X' ? 0 : 1;
}

/** The crypto span each request and completion belongs to (other kinds are instants). */
const CRYPTO_PHASES: Partial<
  Record<TraceKind, { readonly op: 'seal' | 'open'; readonly phase: 'request' | 'done' }>
> = {
  'seal-request': { op: 'seal', phase: 'request' },
  'seal-done': { op: 'seal', phase: 'done' },
  'open-request': { op: 'open', phase: 'request' },
  'open-done': { op: 'open', phase: 'done' },
};

function cryptoOf(e: TraceEvent): { op: 'seal' | 'open'; phase: 'request' | 'done' } | null {
  return CRYPTO_PHASES[e.kind] ?? null;
}

function eventName(e: TraceEvent): string {
  if (e.kind === 'violation' && e.violation) {
    return `violation: invariant ${e.violation.invariant} (${e.violation.name})`;
  }
  const parts: string[] = [e.kind];
  if (e.type !== undefined) parts.push(contentTypeName(e.type));
  if (e.reason !== undefined) parts.push(e.reason);
  return parts.join(' ');
}

/** The event's fields with keys in sorted order: the output never depends on how it was built. */
function sortedFields(e: TraceEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(e).sort()) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
