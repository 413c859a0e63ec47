/**
 * Reader and writer for the NDJSON trace format of trace.ts: one header line, then one event per
 * line, each terminated by `\n`.
 *
 * Writing is deterministic byte for byte: keys are emitted in the order of the interfaces in
 * trace.ts, never in whatever order an object happened to be built, so two runs of the same seed
 * give the same text and the same `traceHash`. Reading never throws: a trace comes from files and
 * uploads, so every problem is a `TraceParseError` value naming the line and the field.
 */
import * as v from 'valibot';
import {
  TRACE_FORMAT,
  TRACE_KINDS,
  TRACE_VERSION,
  type TraceEvent,
  type TraceHeader,
  type TraceViolation,
} from './trace.js';
import { isTraceEvent } from './traceCheck.js';
import { TraceEventSchema, TraceHeaderSchema } from './traceSchema.js';

// ---------------------------------------------------------------------------------------------
// Writer

/** Key order of each line: the declaration order of the interfaces in trace.ts and errors.ts. */
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
const EVENT_KEYS = [
  't',
  'ep',
  'lane',
  'kind',
  'seq',
  'epoch',
  'type',
  'size',
  'wire',
  'req',
  'reason',
  'key',
  'nonce',
  'aad',
  'header',
  'preview',
  'error',
  'violation',
  'note',
] as const satisfies readonly (keyof TraceEvent)[];
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

// ---------------------------------------------------------------------------------------------
// Hash

/**
 * 64-bit FNV-1a of the UTF-8 bytes of `text`, as 16 lowercase hex digits.
 *
 * For the simulator's determinism self-check (same seed ⇒ same hash), not for security. Runs on
 * 16-bit limbs in plain numbers: no BigInt in the loop, no TextEncoder copy of a large trace, same
 * answer in every JS engine. Lone surrogates hash as U+FFFD, as TextEncoder encodes them.
 */
export function traceHash(text: string): string {
  // Offset basis 0xcbf29ce484222325, least significant limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const step = (byte: number): void => {
    h0 ^= byte;
    // × FNV prime 0x00000100000001b3 = 2^40 + 0x1b3, mod 2^64.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      step(c);
      continue;
    }
    if (c < 0x800) {
      step(0xc0 | (c >> 6));
      step(0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        step(0xf0 | (cp >> 18));
        step(0x80 | ((cp >> 12) & 0x3f));
        step(0x80 | ((cp >> 6) & 0x3f));
        step(0x80 | (cp & 0x3f));
        continue;
      }
      c = 0xfffd;
    }
    step(0xe0 | (c >> 12));
    step(0x80 | ((c >> 6) & 0x3f));
    step(0x80 | (c & 0x3f));
  }
  return [h3, h2, h1, h0].map((x) => x.toString(16).padStart(4, '0')).join('');
}

// ---------------------------------------------------------------------------------------------
// Reader

export type TraceParseErrorCode =
  | 'empty'
  | 'not-json'
  | 'bad-header'
  | 'wrong-format'
  | 'unsupported-version'
  | 'bad-event'
  | 'truncated'
  | 'too-large';

export interface TraceParseError {
  readonly code: TraceParseErrorCode;
  /** 1-based line the problem is on; 0 when it concerns the input as a whole (empty, too large). */
  readonly line: number;
  /** 1-based position in the line (UTF-16 code units), when the JSON parser reports one. */
  readonly column?: number;
  /** Human-readable: what is wrong and where, starting with the line. */
  readonly message: string;
  /** Dot path of the offending field (`error.errno`), for schema errors. */
  readonly path?: string;
}

export type ParsedTrace =
  | { readonly ok: true; readonly header: TraceHeader; readonly events: TraceEvent[] }
  | { readonly ok: false; readonly error: TraceParseError };

export interface ParseTraceOptions {
  /** Largest input accepted, in UTF-8 bytes. Default 512 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_TRACE_BYTES = 512 * 1024 * 1024;

/**
 * Parses and validates a whole trace. Never throws.
 *
 * Rules: 0 bytes (or only blank lines) → `empty`; line 1 is the header (`wrong-format` if its
 * `format` is not ours, `unsupported-version` for another version, `bad-header` for any other
 * schema problem); every other line is an event (`bad-event`); a line that is not JSON is
 * `not-json`, unless it is the last line and has no `\n`, which is what an interrupted write
 * leaves: `truncated`. Blank lines may only trail. A leading byte-order mark is ignored, and so is
 * a `\r` before each `\n` (JSON counts it as white space).
 */
export function parseTrace(text: string, options: ParseTraceOptions = {}): ParsedTrace {
  const reader = new TraceReader(text, options);
  // With no limit on lines, the first read is the whole trace; the loop only satisfies the type.
  for (;;) {
    const result = reader.read(Number.POSITIVE_INFINITY);
    if (result) return result;
  }
}

/**
 * `parseTrace` a slice of lines at a time, for a caller that must stay responsive while a large
 * trace is parsed (the inspector parses on its page and lets it paint between slices). The result
 * is exactly `parseTrace`'s, whatever the slices:
 *
 *   const reader = new TraceReader(text);
 *   let result = reader.read(10_000);
 *   while (result === null) {
 *     await somethingThatLetsThePageRun();
 *     result = reader.read(10_000);
 *   }
 */
export class TraceReader {
  private text: string;
  private readonly maxBytes: number;
  /** Start of the next line, its 1-based number, and the start of the last line that is not blank. */
  private next = 0;
  private lineNo = 1;
  private lastStart = -1;
  private header: TraceHeader | undefined;
  private readonly events: TraceEvent[] = [];
  private result: ParsedTrace | null = null;

  constructor(text: string, options: ParseTraceOptions = {}) {
    this.text = text;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_TRACE_BYTES;
  }

  /** UTF-16 code units of the text read so far, out of `length`: for a progress display. */
  get position(): number {
    // After an unterminated last line `next` points one past the end (no newline was consumed).
    return this.result ? this.text.length : Math.min(this.next, this.text.length);
  }

  get length(): number {
    return this.text.length;
  }

  /** Reads up to `maxLines` more lines: the result once the trace is read or found bad, else null. */
  read(maxLines: number): ParsedTrace | null {
    if (this.result) return this.result;
    if (this.lastStart < 0) {
      const problem = this.start();
      if (problem) return this.done(problem);
    }
    const { text } = this;
    for (let n = 0; n < maxLines; n++) {
      const start = this.next;
      if (start > this.lastStart)
        return this.done({ ok: true, header: this.header!, events: this.events });
      const newline = text.indexOf('\n', start);
      const end = newline < 0 ? text.length : newline;
      const problem = this.line(text.slice(start, end), newline < 0);
      if (problem) return this.done(problem);
      this.next = end + 1;
      this.lineNo++;
    }
    return null;
  }

  /** The checks on the text as a whole; finds where the last line that is not blank starts. */
  private start(): ParsedTrace | null {
    if (exceedsUtf8Bytes(this.text, this.maxBytes)) {
      return fail({
        code: 'too-large',
        line: 0,
        message: `trace is larger than the limit of ${this.maxBytes} bytes`,
      });
    }
    if (this.text.length === 0) {
      return fail({
        code: 'empty',
        line: 0,
        message: 'trace is empty (0 bytes): expected a header line',
      });
    }
    if (this.text.charCodeAt(0) === 0xfeff) this.text = this.text.slice(1);
    // Blank lines may trail; what follows the final `\n` is the unterminated last line, if any.
    let last = this.text.length - 1;
    while (last >= 0 && isBlankOrNewline(this.text.charCodeAt(last))) last--;
    if (last < 0) {
      return fail({
        code: 'empty',
        line: 0,
        message: 'trace has only blank lines: expected a header line',
      });
    }
    this.lastStart = this.text.lastIndexOf('\n', last) + 1;
    return null;
  }

  /** Checks one line and keeps what it holds; the failure, if any. */
  private line(line: string, unterminated: boolean): ParsedTrace | null {
    const lineNo = this.lineNo;
    // Most lines start with `{`: the blank test (a regular expression) only for the others.
    if (line.charCodeAt(0) !== 0x7b && isBlank(line)) {
      return fail({
        code: 'not-json',
        line: lineNo,
        message:
          lineNo === 1
            ? 'line 1 is blank: the trace header must be on line 1'
            : `line ${lineNo} is blank: blank lines are only allowed at the end of a trace`,
      });
    }
    const json = parseJson(line);
    if (!json.ok) {
      const column = json.column === undefined ? {} : { column: json.column };
      if (unterminated) {
        return fail({
          code: 'truncated',
          line: lineNo,
          message: `line ${lineNo} is cut off: the last line has no newline and is not complete JSON (${json.reason})`,
          ...column,
        });
      }
      return fail({
        code: 'not-json',
        line: lineNo,
        message: `line ${lineNo} is not valid JSON: ${json.reason}${json.column === undefined ? '' : ` at column ${json.column}`}`,
        ...column,
      });
    }
    if (lineNo === 1) {
      const h = checkHeader(json.value);
      if (!h.ok) return h;
      this.header = h.header;
      return null;
    }
    const e = checkEvent(json.value, lineNo);
    if (!e.ok) return e;
    this.events.push(e.event);
    return null;
  }

  private done(result: ParsedTrace): ParsedTrace {
    this.result = result;
    return result;
  }
}

function fail(error: TraceParseError): { readonly ok: false; readonly error: TraceParseError } {
  return { ok: false, error };
}

function checkHeader(
  value: unknown,
): { ok: true; header: TraceHeader } | { ok: false; error: TraceParseError } {
  if (!isPlainObject(value)) {
    return fail({
      code: 'bad-header',
      line: 1,
      message: `line 1: the trace header must be a JSON object, got ${kindOf(value)}`,
    });
  }
  // Format and version first: a file from another tool or a newer version should say so, not
  // list the fields it lacks.
  if (value.format !== TRACE_FORMAT) {
    const looksLikeEvent = 't' in value && 'kind' in value;
    return fail({
      code: 'wrong-format',
      line: 1,
      path: 'format',
      message:
        value.format === undefined
          ? `line 1: not a ${TRACE_FORMAT} trace: the header has no "format" field${looksLikeEvent ? ' (line 1 looks like an event: is the header line missing?)' : ''}`
          : `line 1: not a ${TRACE_FORMAT} trace: "format" is ${show(value.format)}, expected "${TRACE_FORMAT}"`,
    });
  }
  if (typeof value.version === 'number' && value.version !== TRACE_VERSION) {
    return fail({
      code: 'unsupported-version',
      line: 1,
      path: 'version',
      message: `line 1: trace version ${value.version} is not supported; this reader supports version ${TRACE_VERSION}`,
    });
  }
  const r = v.safeParse(TraceHeaderSchema, value, { abortEarly: true });
  if (r.success) return { ok: true, header: r.output };
  const issue = describeIssue(r.issues[0]);
  return fail({
    code: 'bad-header',
    line: 1,
    message: `line 1 (header): ${issue.text}`,
    ...(issue.path === undefined ? {} : { path: issue.path }),
  });
}

function checkEvent(
  value: unknown,
  line: number,
): { ok: true; event: TraceEvent } | { ok: false; error: TraceParseError } {
  if (!isPlainObject(value)) {
    return fail({
      code: 'bad-event',
      line,
      message: `line ${line}: an event must be a JSON object, got ${kindOf(value)}`,
    });
  }
  // The fast check accepts exactly what the schema accepts; the schema runs only to say what is
  // wrong (and, should the two ever disagree, its verdict is the one that counts).
  if (isTraceEvent(value)) return { ok: true, event: value };
  const r = v.safeParse(TraceEventSchema, value, { abortEarly: true });
  if (r.success) return { ok: true, event: r.output };
  const issue = describeIssue(r.issues[0]);
  const which =
    typeof value.kind === 'string' && (TRACE_KINDS as readonly string[]).includes(value.kind)
      ? ` (${value.kind} event)`
      : '';
  return fail({
    code: 'bad-event',
    line,
    message: `line ${line}${which}: ${issue.text}`,
    ...(issue.path === undefined ? {} : { path: issue.path }),
  });
}

/** A valibot issue as `field "x.y": what is wrong`, with the few structural cases said plainly. */
function describeIssue(issue: v.BaseIssue<unknown>): { text: string; path: string | undefined } {
  const path = v.getDotPath(issue) ?? undefined;
  if (path !== undefined && issue.kind === 'schema' && /_object$/.test(issue.type)) {
    if (issue.expected === 'never') return { path, text: `unknown field "${path}"` };
    if (issue.received === 'undefined') return { path, text: `missing field "${path}"` };
  }
  return { path, text: path === undefined ? issue.message : `field "${path}": ${issue.message}` };
}

type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string; readonly column?: number };

function parseJson(line: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    // V8 echoes the whole input (`Unexpected token 'x', "<line>" is not valid JSON`); a trace
    // line can be long, so keep only the diagnosis.
    const reason = raw.replace(/,\s*".*" is not valid JSON$/s, '').slice(0, 160);
    // V8: "... in JSON at position N"; SpiderMonkey: "... at line L column C of the JSON data".
    const position = /at position (\d+)/.exec(raw);
    const column = /line \d+ column (\d+)/.exec(raw);
    const col = position ? Number(position[1]) + 1 : column ? Number(column[1]) : undefined;
    return col === undefined ? { ok: false, reason } : { ok: false, reason, column: col };
  }
}

/** JSON white space only (space, tab, CR; LF cannot occur inside a line). */
function isBlank(line: string): boolean {
  return /^[ \t\r]*$/.test(line);
}

/** A character of a blank line, or a line end. */
function isBlankOrNewline(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Whether `text` takes more than `limit` bytes as UTF-8, without encoding it. A UTF-16 code unit
 * takes 1 to 3 bytes, so most inputs are decided by their length alone.
 */
function exceedsUtf8Bytes(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}
