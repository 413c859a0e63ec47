/**
 * Which events the view shows and the cursor steps through: lanes, content types, and a text
 * query. One mask for all three, computed once per filter change, read by drawing and stepping.
 */
import type { Lane, TraceEvent } from '@ktls-lab/core';

/** Content-type filter key of an event: its type byte, or "none". */
export function typeKey(e: TraceEvent): string {
  return e.type === undefined ? 'none' : String(e.type);
}

/** The text an event is searched by: what the detail panel shows of it, in one line. */
export function searchText(e: TraceEvent): string {
  let s = `${e.kind} ${e.ep} ${e.lane}`;
  if (e.seq !== undefined) s += ` #${e.seq}`;
  if (e.epoch !== undefined) s += ` e${e.epoch}`;
  if (e.reason !== undefined) s += ` ${e.reason}`;
  if (e.note !== undefined) s += ` ${e.note}`;
  if (e.error) s += ` ${e.error.code} ${e.error.errno} ${e.error.message}`;
  if (e.violation) s += ` ${e.violation.name} ${e.violation.message}`;
  return s.toLowerCase();
}

/** Null when nothing is filtered out, so the common case costs nothing. */
export function filterMask(
  events: readonly TraceEvent[],
  lanes: ReadonlySet<Lane>,
  types: ReadonlySet<string> | null,
  query: string,
): Uint8Array | null {
  const q = query.trim().toLowerCase();
  if (lanes.size === 6 && types === null && q === '') return null;
  const mask = new Uint8Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!lanes.has(e.lane)) continue;
    if (types && !types.has(typeKey(e))) continue;
    if (q && !searchText(e).includes(q)) continue;
    mask[i] = 1;
  }
  return mask;
}

/** Next (dir 1) or previous (dir -1) shown event from `from`, or `from` when there is none. */
export function stepFrom(
  mask: Uint8Array | null,
  count: number,
  from: number | null,
  dir: 1 | -1,
): number | null {
  if (count === 0) return null;
  let i = from === null ? (dir === 1 ? -1 : count) : from;
  for (;;) {
    i += dir;
    if (i < 0 || i >= count) return from;
    if (!mask || mask[i] === 1) return i;
  }
}
