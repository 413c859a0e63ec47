/**
 * The events of an opened trace as the page holds them: columns for what every frame and filter
 * reads, and any one event whole on demand. An opened trace keeps its bytes; an event is parsed
 * again from its line when the detail panel, a box label or a search asks for it. `openTrace` has
 * already checked every line, so this parse cannot fail.
 */
import type { TraceEvent, TraceHeader } from '@ktls-lab/core';
import { columnsOf, type TraceColumns } from './columns';

export interface EventTable {
  readonly length: number;
  readonly columns: TraceColumns;
  /** Event `i` (0 ≤ i < length), whole. */
  at(i: number): TraceEvent;
}

/** Parsed events kept at once; a frame of labelled boxes or a detail panel needs far fewer. */
const CACHE_LIMIT = 8192;

/**
 * Events read from the trace's UTF-8 bytes. Event i is line i + 2 (after the header; the loader
 * has checked that no blank line comes before the last event), so it runs from just after the
 * (i + 1)-th `\n` to the next `\n`, or to the end for an unterminated last line. Where the `\n`s
 * are is found on the first read, not while the trace opens: a trace looked at only zoomed out
 * never needs it.
 */
export function lineTable(columns: TraceColumns, bytes: Uint8Array): EventTable {
  const decoder = new TextDecoder();
  const cache = new Map<number, TraceEvent>();
  let newlines: Float64Array | null = null;
  return {
    length: columns.length,
    columns,
    at(i) {
      let e = cache.get(i);
      if (e) return e;
      if (!(i >= 0 && i < columns.length)) throw new RangeError(`no event ${i}`);
      newlines ??= newlinesOf(bytes, columns.length + 1);
      const start = newlines[i]! + 1;
      const end = i + 1 < newlines.length ? newlines[i + 1]! : bytes.length;
      e = JSON.parse(decoder.decode(bytes.subarray(start, end))) as TraceEvent;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(i, e);
      return e;
    },
  };
}

/** Offsets of the first `max` `\n` bytes (a plain loop: faster than calling indexOf per line). */
function newlinesOf(bytes: Uint8Array, max: number): Float64Array {
  const out = new Float64Array(max);
  let n = 0;
  for (let p = 0; p < bytes.length && n < max; p++) if (bytes[p] === 10) out[n++] = p;
  return n === max ? out : out.subarray(0, n);
}

/** Events already in memory (a test, or anything that has the objects at hand). */
export function memoryTable(header: TraceHeader, events: readonly TraceEvent[]): EventTable {
  return {
    length: events.length,
    columns: columnsOf(header, events),
    at(i) {
      const e = events[i];
      if (!e) throw new RangeError(`no event ${i}`);
      return e;
    },
  };
}
