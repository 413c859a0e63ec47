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
 * The search text of every event. Each event is read whole from its line for it, which for a
 * 100,000-event trace takes longer than a keystroke should (bench: about 0.7 s), so the page
 * builds it in idle time once the trace is shown (`indexSomeText`), and a search that comes first
 * finishes it.
 */
interface SearchIndex {
  readonly texts: string[];
  built: number;
}
const searchIndexes = new WeakMap<EventTable, SearchIndex>();

function indexOf(events: EventTable): SearchIndex {
  let index = searchIndexes.get(events);
  if (!index) {
    index = { texts: new Array<string>(events.length), built: 0 };
    searchIndexes.set(events, index);
  }
  return index;
}

/**
 * Adds search texts to the index of `events` until `more()` says stop (checked every 256 events);
 * true once the index is complete.
 */
export function indexSomeText(events: EventTable, more: () => boolean = () => true): boolean {
  const index = indexOf(events);
  while (index.built < events.length) {
    const stop = Math.min(events.length, index.built + 256);
    for (let i = index.built; i < stop; i++) index.texts[i] = searchText(events.at(i));
    index.built = stop;
    if (!more()) break;
  }
  return index.built === events.length;
}

function searchTexts(events: EventTable): string[] {
  indexSomeText(events);
  return indexOf(events).texts;
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
