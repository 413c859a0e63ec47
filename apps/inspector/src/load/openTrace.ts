/**
 * Opens a trace: reads its bytes (with the size limit checked before reading), decodes them once,
 * and parses and checks them with core's streaming `TraceReader` a slice at a time, building the
 * columns (columns.ts) as each event is read; then lays the trace out. Between slices the page
 * gets a task of its own, so it keeps answering input and painting the progress bar however large
 * the trace. No event object outlives its line: the page reads an event whole from the bytes when
 * it shows it (eventTable.ts).
 *
 * Why on the page and not in a worker (bench/bench.mjs: 100,000 events, 12 MB, 2 cores): a
 * worker is a fresh JavaScript engine each time, so every load parses with cold code, and handing
 * the layout over costs a structured clone. Measured, a load worker painted the trace 0.2 s later
 * than the page does on a reload and 0.5 s later on a first visit.
 */
import { TraceReader, type TraceHeader } from '@ktls-lab/core';
import { benchMeasure } from '../model/benchMark';
import { ColumnBuilder } from '../model/columns';
import { type EventTable, lineTable } from '../model/eventTable';
import { type Layout, layoutTrace } from '../model/layout';
import type { LoadError } from '../model/loadError';
import type { LoadProgress } from '../model/traceDoc';
import { readBytes } from './readBytes';
import type { TraceSource } from './traceSource';

export type OpenOutcome =
  | {
      readonly ok: true;
      readonly header: TraceHeader;
      readonly events: EventTable;
      readonly layout: Layout;
      readonly bytes: number;
    }
  | { readonly ok: false; readonly error: LoadError };

/** Characters per push into the reader; the clock is looked at between pushes. */
const SLICE_CHARS = 256 * 1024;
/** Longest the page goes without a task of its own while parsing (under the 50 ms of a long task). */
const SLICE_MS = 40;

/**
 * Reads, parses and lays out `source`. `stale` says the result is no longer wanted (another
 * trace was opened meanwhile): parsing stops at the next slice and the outcome is null.
 */
export async function openTrace(
  source: TraceSource,
  maxBytes: number,
  progress: (p: LoadProgress) => void,
  stale: () => boolean = () => false,
): Promise<OpenOutcome | null> {
  const t0 = performance.now();
  const read = await readBytes(source, maxBytes, (loaded, total) =>
    progress({ phase: 'reading', loaded, total }),
  );
  if (!read.ok) return read;
  const { bytes } = read;
  // Not fatal: bytes that are not UTF-8 become U+FFFD, and the reader reports the line.
  const text = read.text ?? new TextDecoder('utf-8').decode(bytes);
  benchMeasure('read', t0);
  const t1 = performance.now();
  let columns: ColumnBuilder | null = null;
  const reader = new TraceReader({
    maxBytes,
    onEvent: (e) => {
      // The header is line 1, checked before any event is handed on.
      columns ??= new ColumnBuilder(reader.header!.endpoints, Math.ceil(bytes.length / 100));
      columns.add(e);
    },
  });
  let sliceStart = t1;
  for (let at = 0; at < text.length; at += SLICE_CHARS) {
    const failed = reader.push(text.slice(at, at + SLICE_CHARS));
    if (failed && !failed.ok) return failed;
    if (performance.now() - sliceStart >= SLICE_MS) {
      progress({ phase: 'parsing', loaded: reader.pushed, total: text.length });
      await nextTask();
      if (stale()) return null;
      sliceStart = performance.now();
    }
  }
  const result = reader.end();
  if (!result.ok) return result;
  benchMeasure('parse', t1);
  const t2 = performance.now();
  const built = (columns ?? new ColumnBuilder(result.header.endpoints, 0)).finish();
  const layout = layoutTrace(built);
  benchMeasure('layout', t2);
  return {
    ok: true,
    header: result.header,
    events: lineTable(built, bytes),
    layout,
    bytes: bytes.length,
  };
}

/** A new task: input, timers and rendering get their turn before the next slice. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}
