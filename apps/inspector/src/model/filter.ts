/**
 * Which events the view shows and the cursor steps through: lanes, content types, and a text
 * query. One mask for all three, computed once per filter change, read by drawing and stepping.
 */
import { LANES, type Lane, type TraceEvent } from '@ktls-lab/core';
import { NONE } from './columns';
import type { EventTable } from './eventTable';

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

/**
 * The search text of every event, built on the first search of a trace (each event is read whole
 * once, from its line) and kept for the next ones.
 */
const searchIndex = new WeakMap<EventTable, string[]>();

function searchTexts(events: EventTable): string[] {
  let texts = searchIndex.get(events);
  if (!texts) {
    texts = new Array<string>(events.length);
    for (let i = 0; i < events.length; i++) texts[i] = searchText(events.at(i));
    searchIndex.set(events, texts);
  }
  return texts;
}

/** Null when nothing is filtered out, so the common case costs nothing. */
export function filterMask(
  events: EventTable,
  lanes: ReadonlySet<Lane>,
  types: ReadonlySet<string> | null,
  query: string,
): Uint8Array | null {
  const q = query.trim().toLowerCase();
  if (lanes.size === LANES.length && types === null && q === '') return null;
  const cols = events.columns;
  // Lanes and content types as lookup tables over their codes: no strings per event.
  const laneShown = Uint8Array.from(LANES, (l) => (lanes.has(l) ? 1 : 0));
  const typeShown = new Uint8Array(257);
  for (let type = -1; type < 256; type++) {
    // The content-type filter's keys: the type byte in decimal, or "none".
    const key = type === NONE ? 'none' : String(type);
    typeShown[type + 1] = types === null || types.has(key) ? 1 : 0;
  }
  const texts = q ? searchTexts(events) : null;
  const mask = new Uint8Array(events.length);
  for (let i = 0; i < events.length; i++) {
    if (laneShown[cols.lane[i]!] === 0) continue;
    if (typeShown[cols.type[i]! + 1] === 0) continue;
    if (texts && !texts[i]!.includes(q)) continue;
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
