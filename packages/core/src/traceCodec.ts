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

export interface TraceStreamOptions extends ParseTraceOptions {
  /**
   * Called with each valid event as soon as its line is read, with its index among the events
   * (0-based). When given, the reader does not keep the events: the ok result has `events: []`.
   * An exception it throws leaves `push` or `end`, and the reader must not be used after it.
   */
  readonly onEvent?: (event: TraceEvent, index: number) => void;
}

export const DEFAULT_MAX_TRACE_BYTES = 512 * 1024 * 1024;

/**
 * Parses and validates a whole trace. Never throws.
 *
 * Rules: 0 bytes (or only blank lines) → `empty`; line 1 is the header (`wrong-format` if its
 * `format` is not ours, `unsupported-version` for another version, `bad-header` for any other
 * schema problem); every other line is an event (`bad-event`); a line that is not JSON is
 * `not-json`, unless it is the last line and has no `\n`, which is what an interrupted write
 * leaves: `truncated`. Blank lines (only spaces, tabs and `\r`, or nothing) may only trail. A
 * leading byte-order mark is ignored, and so is a `\r` before each `\n` (JSON white space).
 */
export function parseTrace(text: string, options: ParseTraceOptions = {}): ParsedTrace {
  // The whole text as one push: a single implementation, so a stream and a string cannot drift.
  const reader = new TraceReader(options);
  return reader.push(text) ?? reader.end();
}

/**
 * `parseTrace` on text that arrives in pieces, for a caller that parses a trace while it downloads
 * or reads it and need not hold it whole, nor, with `onEvent`, all its events (the inspector
 * builds columns from them instead):
 *
 *   const reader = new TraceReader({ maxBytes, onEvent: (event, i) => index.add(event, i) });
 *   for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
 *     const failure = reader.push(chunk);
 *     if (failure) return failure;
 *   }
 *   return reader.end();
 *
 * The pieces may be split anywhere, inside a line, a `\r\n` or a surrogate pair, and the result is
 * exactly `parseTrace`'s on their concatenation, with one difference for input over `maxBytes`:
 * the size is counted as the text arrives, so `too-large` comes from the push that passes the
 * limit, and a line failure found in an earlier push, before the limit was passed, wins over it.
 * A single push is measured before any of its lines is read, so `parseTrace` checks the size first.
 *
 * Between pushes only the unfinished last line is kept; every line that ends inside a push is
 * sliced from that push.
 */
export class TraceReader {
  private readonly maxBytes: number;
  private readonly onEvent: ((event: TraceEvent, index: number) => void) | undefined;
  /** UTF-16 code units and UTF-8 bytes pushed, and whether the last unit is a high surrogate. */
  private units = 0;
  private bytes = 0;
  private afterHigh = false;
  /** What follows the last `\n` pushed (the line not yet ended), and its 1-based number. */
  private tail = '';
  private lineNo = 1;
  /** First of the blank lines read since the last line that is not blank; 0 if none. */
  private blankLine = 0;
  private parsedHeader: TraceHeader | undefined;
  private readonly events: TraceEvent[] = [];
  private eventCount = 0;
  private result: ParsedTrace | null = null;

  constructor(options: TraceStreamOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_TRACE_BYTES;
    this.onEvent = options.onEvent;
  }

  /** The header, once line 1 has been read and found valid. */
  get header(): TraceHeader | undefined {
    return this.parsedHeader;
  }

  /** UTF-16 code units pushed so far (for a progress display); pushes ignored are not counted. */
  get pushed(): number {
    return this.units;
  }

  /**
   * Feeds the next piece of text. Returns the failure as soon as one is known, else null. Once the
   * result is known (a failure, or `end` was called) the text is ignored and that result returned.
   */
  push(text: string): ParsedTrace | null {
    if (this.result) return this.result;
    // The byte-order mark is the first code unit of the whole text, in whichever push has one.
    const first = this.units === 0;
    const tooLarge = this.count(text);
    if (tooLarge) return this.done(tooLarge);
    let start = first && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (let newline = text.indexOf('\n', start); newline >= 0; ) {
      const piece = text.slice(start, newline);
      // Only the first line of a push can have begun in an earlier one.
      const problem = this.line(this.tail === '' ? piece : this.tail + piece, false);
      if (problem) return this.done(problem);
      this.tail = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start === text.length) return null;
    const rest = text.slice(start);
    this.tail += rest;
    // A line that is not blank after blank lines fails at the first of them, however it ends.
    if (this.blankLine !== 0 && !isBlank(rest)) return this.done(blankLineFailure(this.blankLine));
    return null;
  }

  /** No more text: the final result. Calling it again returns the same result. */
  end(): ParsedTrace {
    if (this.result) return this.result;
    if (this.units === 0) {
      // Never pushed is the empty text, which `parseTrace` measures too (against a negative limit).
      return this.done(this.bytes > this.maxBytes ? this.tooLarge() : emptyFailure(false));
    }
    // What follows the final `\n` is the last line, without one (blank, so trailing, if empty).
    const problem = this.line(this.tail, true);
    if (problem) return this.done(problem);
    if (this.parsedHeader === undefined) return this.done(emptyFailure(true));
    return this.done({
      ok: true,
      header: this.parsedHeader,
      events: this.onEvent ? [] : this.events,
    });
  }

  /** Adds `text` to the size: the `too-large` failure once the total passes the limit. */
  private count(text: string): ParsedTrace | null {
    this.units += text.length;
    // A code unit takes at least one byte: a push longer than the room left fails uncounted.
    if (text.length > this.maxBytes - this.bytes) return this.tooLarge();
    this.bytes += utf8Bytes(text, this.afterHigh);
    if (text.length > 0) {
      const c = text.charCodeAt(text.length - 1);
      this.afterHigh = c >= 0xd800 && c <= 0xdbff;
    }
    return this.bytes > this.maxBytes ? this.tooLarge() : null;
  }

  private tooLarge(): ParsedTrace {
    return fail({
      code: 'too-large',
      line: 0,
      message: `trace is larger than the limit of ${this.maxBytes} bytes`,
    });
  }

  /** Checks one line (without its `\n`) and keeps or hands on what it holds; the failure, if any. */
  private line(line: string, unterminated: boolean): ParsedTrace | null {
    const lineNo = this.lineNo++;
    // Most lines start with `{`: the blank test (a regular expression) only for the others.
    if (line.charCodeAt(0) !== 0x7b && isBlank(line)) {
      // Blank lines may only trail, which is known once a line that is not blank follows (then
      // the first of them fails) or the text ends (then they trailed).
      if (this.blankLine === 0) this.blankLine = lineNo;
      return null;
    }
    if (this.blankLine !== 0) return blankLineFailure(this.blankLine);
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
      this.parsedHeader = h.header;
      return null;
    }
    const e = checkEvent(json.value, lineNo);
    if (!e.ok) return e;
    const index = this.eventCount++;
    if (this.onEvent) this.onEvent(e.event, index);
    else this.events.push(e.event);
    return null;
  }

  private done(result: ParsedTrace): ParsedTrace {
    this.result = result;
    this.tail = '';
    return result;
  }
}

/** `empty`: 0 bytes, or nothing but blank lines (and maybe a byte-order mark). */
function emptyFailure(blankLines: boolean): ParsedTrace {
  return fail({
    code: 'empty',
    line: 0,
    message: blankLines
      ? 'trace has only blank lines: expected a header line'
      : 'trace is empty (0 bytes): expected a header line',
  });
}

/** A blank line that a line that is not blank follows. */
function blankLineFailure(lineNo: number): ParsedTrace {
  return fail({
    code: 'not-json',
    line: lineNo,
    message:
      lineNo === 1
        ? 'line 1 is blank: the trace header must be on line 1'
        : `line ${lineNo} is blank: blank lines are only allowed at the end of a trace`,
  });
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

const NON_ASCII_RUN = /[^\0-\x7f]+/g;

/**
 * Bytes of `text` as UTF-8 (TextEncoder's: a lone surrogate is U+FFFD, 3 bytes), without encoding
 * it. A high surrogate counts 3 and a low one right after it 1, so a pair split between two pushes
 * (`afterHigh`: the previous push ended in a high surrogate) still counts 4. ASCII runs are skipped
 * by a regular expression, several times faster than a loop over a 12 MB trace that is all ASCII.
 */
function utf8Bytes(text: string, afterHigh: boolean): number {
  let bytes = text.length;
  NON_ASCII_RUN.lastIndex = 0;
  for (let m = NON_ASCII_RUN.exec(text); m !== null; m = NON_ASCII_RUN.exec(text)) {
    const end = m.index + m[0].length;
    let high = m.index === 0 && afterHigh;
    for (let i = m.index; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x800) bytes += 1;
      else if (!(high && c >= 0xdc00 && c <= 0xdfff)) bytes += 2;
      high = c >= 0xd800 && c <= 0xdbff;
    }
  }
  return bytes;
}
