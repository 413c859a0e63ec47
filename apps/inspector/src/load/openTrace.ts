/**
 * Opens a trace: reads it (asynchronously, with the size limit checked before reading), then
 * parses and validates it on the page with core's `TraceReader`, which is `parseTrace` a slice of
 * lines at a time. Between slices the page gets a task of its own, so it keeps answering input and
 * painting the progress bar however large the trace.
 *
 * Why on the page and not in a worker (bench/bench.mjs: 100,000 events, 12 MB, 2 cores): the page
 * needs the events as objects, and a worker can hand objects over only through structured clone,
 * which costs as much as parsing them again. With core's hand-written event check, parsing and
 * validating once, where the events are used, costs little more than a bare `JSON.parse` of the
 * text, and a bad trace gets `parseTrace`'s own error (code, line, column, field).
 */
import { TraceReader, type TraceEvent, type TraceHeader } from '@ktls-lab/core';
import { benchMeasure } from '../model/benchMark';
import type { LoadError } from '../model/loadError';
import type { LoadProgress } from '../model/traceDoc';
import { readSource } from './readSource';
import type { TraceSource } from './traceSource';

export type OpenOutcome =
  | {
      readonly ok: true;
      readonly header: TraceHeader;
      readonly events: TraceEvent[];
      readonly bytes: number;
    }
  | { readonly ok: false; readonly error: LoadError };

/** Lines per call into the reader; the clock is looked at between calls. */
const LINES_PER_READ = 2048;
/** Longest the page goes without a task of its own while parsing (under the 50 ms of a long task). */
const SLICE_MS = 40;

/**
 * Reads and parses `source`. `stale` says the result is no longer wanted (another trace was
 * opened meanwhile): parsing stops at the next slice and the outcome is null.
 */
export async function openTrace(
  source: TraceSource,
  maxBytes: number,
  progress: (p: LoadProgress) => void,
  stale: () => boolean = () => false,
): Promise<OpenOutcome | null> {
  const t0 = performance.now();
  const read = await readSource(source, maxBytes, (loaded, total) =>
    progress({ phase: 'reading', loaded, total }),
  );
  benchMeasure('read', t0);
  if (!read.ok) return read;
  const t1 = performance.now();
  const reader = new TraceReader(read.text, { maxBytes });
  let sliceStart = t1;
  for (;;) {
    const result = reader.read(LINES_PER_READ);
    if (result) {
      benchMeasure('parse', t1);
      return result.ok
        ? { ok: true, header: result.header, events: result.events, bytes: read.bytes }
        : result;
    }
    if (performance.now() - sliceStart >= SLICE_MS) {
      progress({ phase: 'parsing', loaded: reader.position, total: reader.length });
      await nextTask();
      if (stale()) return null;
      sliceStart = performance.now();
    }
  }
}

/** A new task: input, timers and rendering get their turn before the next slice. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}
