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

export function toPerfetto(header: TraceHeader, events: readonly TraceEvent[]): PerfettoTrace {
  const pids = new Map<string, number>();
  for (const ep of header.endpoints) if (!pids.has(ep)) pids.set(ep, pids.size + 1);
  for (const e of events) if (!pids.has(e.ep)) pids.set(e.ep, pids.size + 1);
  const pidOf = (ep: string): number => pids.get(ep)!;

  const meta: PerfettoEvent[] = [];
  for (const [ep, pid] of pids) {
    meta.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: ep } });
    meta.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
    for (const lane of LANES) {
      const tid = laneTid(lane);
      meta.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: lane } });
      meta.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid * 100 } });
    }
  }

  // Timed events carry their position in the input so that sorting by ts is stable.
  const timed: { ev: PerfettoEvent; order: number }[] = [];
  const push = (ev: PerfettoEvent, order: number) => timed.push({ ev, order });
  const endTs = events.reduce((m, e) => Math.max(m, e.t), 0) * PERFETTO_US_PER_STEP;

  const freezes = new Map<string, { e: TraceEvent; order: number }[]>();
  const requests = new Map<string, { e: TraceEvent; order: number }>();
  const spans: {
    ep: string;
    lane: Lane;
    start: number;
    end: number;
    name: string;
    args: Record<string, unknown>;
    order: number;
  }[] = [];

  events.forEach((e, order) => {
    const pid = pidOf(e.ep);
    const tid = laneTid(e.lane);
    const ts = e.t * PERFETTO_US_PER_STEP;
    const isViolation = e.kind === 'violation';
    push(
      {
        name: eventName(e),
        ph: 'i',
        pid,
        tid,
        ts,
        s: isViolation ? 'g' : 't',
        cat: e.lane,
        args: sortedFields(e),
      },
      order,
    );

    const laneKey = `${e.ep}\u0000${e.lane}`;
    if (e.kind === 'freeze') {
      const open = freezes.get(laneKey) ?? [];
      open.push({ e, order });
      freezes.set(laneKey, open);
    } else if (e.kind === 'resume') {
      // Last in, first out: spans on one thread must nest.
      const start = freezes.get(laneKey)?.pop();
      if (start) {
        push(
          {
            name: `frozen: ${start.e.reason ?? 'unknown'}`,
            ph: 'X',
            pid,
            tid,
            ts: start.e.t * PERFETTO_US_PER_STEP,
            dur: (e.t - start.e.t) * PERFETTO_US_PER_STEP,
            cat: 'freeze',
            args: { freeze: sortedFields(start.e), resume: sortedFields(e) },
          },
          start.order,
        );
      }
    }

    const crypto = cryptoOf(e);
    if (crypto && e.req !== undefined) {
      const key = `${e.ep}\u0000${crypto.op}\u0000${e.req}`;
      if (crypto.phase === 'request') {
        requests.set(key, { e, order });
      } else {
        const start = requests.get(key);
        if (start) {
          requests.delete(key);
          spans.push({
            ep: e.ep,
            lane: start.e.lane,
            start: start.e.t,
            end: e.t,
            name: `${crypto.op} #${e.req}`,
            args: { request: sortedFields(start.e), done: sortedFields(e) },
            order: start.order,
          });
        }
      }
    }
  });

  // Freezes still open at the end of the trace.
  for (const open of freezes.values()) {
    for (const start of open) {
      push(
        {
          name: `frozen: ${start.e.reason ?? 'unknown'} (never resumed)`,
          ph: 'X',
          pid: pidOf(start.e.ep),
          tid: laneTid(start.e.lane),
          ts: start.e.t * PERFETTO_US_PER_STEP,
          dur: endTs - start.e.t * PERFETTO_US_PER_STEP,
          cat: 'freeze',
          args: { freeze: sortedFields(start.e), resumed: false },
        },
        start.order,
      );
    }
  }

  // Crypto spans: greedy interval colouring per (endpoint, lane), in order of start.
  spans.sort((a, b) => a.start - b.start || a.order - b.order);
  const slotEnds = new Map<string, number[]>();
  const slotThreads = new Set<string>();
  for (const s of spans) {
    const key = `${s.ep}\u0000${s.lane}`;
    const ends = slotEnds.get(key) ?? [];
    slotEnds.set(key, ends);
    // A span may start where the previous one ended (adjacent, not overlapping) only if both
    // have length: two zero-length spans at one instant would otherwise stack ambiguously.
    let slot = ends.findIndex((end) => end <= s.start && !(end === s.start && s.end === s.start));
    if (slot < 0) {
      slot = ends.length;
      ends.push(s.end);
    } else {
      ends[slot] = s.end;
    }
    const pid = pidOf(s.ep);
    const tid = laneTid(s.lane) * 100 + slot + 1;
    const threadKey = `${pid}:${tid}`;
    if (!slotThreads.has(threadKey)) {
      slotThreads.add(threadKey);
      meta.push({
        name: 'thread_name',
        ph: 'M',
        pid,
        tid,
        args: { name: `${s.lane} crypto ${slot + 1}` },
      });
      meta.push({
        name: 'thread_sort_index',
        ph: 'M',
        pid,
        tid,
        args: { sort_index: laneTid(s.lane) * 100 + slot + 1 },
      });
    }
    push(
      {
        name: s.name,
        ph: 'X',
        pid,
        tid,
        ts: s.start * PERFETTO_US_PER_STEP,
        dur: (s.end - s.start) * PERFETTO_US_PER_STEP,
        cat: 'crypto',
        args: s.args,
      },
      s.order,
    );
  }

  timed.sort((a, b) => a.ev.ts! - b.ev.ts! || a.order - b.order || rank(a.ev) - rank(b.ev));
  return {
    traceEvents: [...meta, ...timed.map((x) => x.ev)],
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
