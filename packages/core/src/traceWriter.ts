/**
 * The writer of the NDJSON trace format (trace.ts): one header line, then one event per line, each
 * terminated by `\n`. Deterministic byte for byte: keys are emitted in the order of the field
 * table in traceEvent.ts, never in whatever order an object happened to be built, so two runs of
 * the same seed give the same text and the same `traceHash`.
 */
import { TRACE_FIELDS, type TraceEvent, type TraceHeader, type TraceViolation } from './trace.js';
import { traceHash } from './traceHash.js';

/** Key order of each line: the declaration order of trace.ts, traceEvent.ts and errors.ts. */
const HEADER_KEYS = [
  'format',
  'version',
  'world',
  'design',
  'scenario',
  'seed',
  'repro',
  'engine',
  'kernel',
  'endpoints',
  'suite',
] as const satisfies readonly (keyof TraceHeader)[];
const EVENT_KEYS = ['t', 'ep', 'lane', 'kind', ...TRACE_FIELDS] as const satisfies readonly (
  | keyof TraceEvent
  | (typeof TRACE_FIELDS)[number]
)[];
const ERROR_KEYS = ['code', 'errno', 'alert', 'fatal', 'message'] as const;
const VIOLATION_KEYS = [
  'invariant',
  'name',
  'message',
] as const satisfies readonly (keyof TraceViolation)[];

// A key added to an interface but not to its list above fails here at compile time.
type Missing<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;
const KEYS_COVERED: [
  Missing<TraceHeader, typeof HEADER_KEYS>,
  Missing<TraceEvent, typeof EVENT_KEYS>,
  Missing<TraceEvent['error'] & object, typeof ERROR_KEYS>,
  Missing<TraceViolation, typeof VIOLATION_KEYS>,
] extends [never, never, never, never]
  ? true
  : false = true;
void KEYS_COVERED;

/**
 * `{"k":v,...}` with keys in `keys` order, `undefined` values left out. Only listed keys are
 * written, so extra runtime properties (a `RecordLayerError`'s `stack`) never reach a trace.
 */
function objectJson(
  obj: object,
  keys: readonly string[],
  nested?: (key: string, value: unknown) => string | undefined,
): string {
  const record = obj as Record<string, unknown>;
  let out = '{';
  for (const key of keys) {
    const value = record[key];
    if (value === undefined) continue;
    const json = nested?.(key, value) ?? JSON.stringify(value);
    out += `${out.length > 1 ? ',' : ''}"${key}":${json}`;
  }
  return `${out}}`;
}

/** The header as one JSON line, without the trailing `\n`. */
export function headerLine(header: TraceHeader): string {
  return objectJson(header, HEADER_KEYS);
}

/**
 * One event as one JSON line, without the trailing `\n`.
 *
 * `JSON.stringify` escapes quotes, backslashes, control characters and lone surrogates, so no
 * string value can break the line or the JSON; `<`, `>` and `&` stay as they are (this is data, not
 * HTML; whoever renders it escapes for its own context). The writer does not validate: numbers
 * must be finite (`NaN` would be written as `null`), and `parseTrace` is the checker.
 */
export function traceLine(event: TraceEvent): string {
  return objectJson(event, EVENT_KEYS, (key, value) => {
    if (key === 'error') return objectJson(value as object, ERROR_KEYS);
    if (key === 'violation') return objectJson(value as object, VIOLATION_KEYS);
    return undefined;
  });
}

/** The whole trace: header line, then one line per event, each followed by `\n`. */
export function serializeTrace(header: TraceHeader, events: Iterable<TraceEvent>): string {
  let out = `${headerLine(header)}\n`;
  for (const e of events) out += `${traceLine(e)}\n`;
  return out;
}

/**
 * Accumulates a trace line by line as a driver runs. Events are serialized when pushed, so
 * mutating an object after `push` cannot change the trace.
 */
export class TraceWriter {
  readonly header: TraceHeader;
  private readonly lines: string[];

  constructor(header: TraceHeader) {
    this.header = header;
    this.lines = [headerLine(header)];
  }

  push(event: TraceEvent): this {
    this.lines.push(traceLine(event));
    return this;
  }

  /** Number of events pushed (the header not counted). */
  get count(): number {
    return this.lines.length - 1;
  }

  /** Exactly `serializeTrace(header, events)`. */
  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }

  hash(): string {
    return traceHash(this.toString());
  }
}
