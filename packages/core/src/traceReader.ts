/**
 * The reader of the NDJSON trace format (trace.ts). Reading never throws: a trace comes from files
 * and uploads, so every problem is a `TraceParseError` value naming the line and the field.
 */
import * as v from 'valibot';
import {
  TRACE_FORMAT,
  TRACE_KINDS,
  TRACE_VERSION,
  type TraceEvent,
  type TraceHeader,
} from './trace.js';
import { checkText } from './argumentChecks.js';
import { isTraceEvent } from './traceCheck.js';
import { LegacyEvents } from './traceLegacy.js';
import { TraceEventSchema, TraceHeaderSchema } from './traceSchema.js';
import { isBlank, isPlainObject, kindOf, parseJson, show, utf8Bytes } from './traceText.js';

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
 * Parses and validates a whole trace. Never throws for bad text (a value that is not a string is
 * a misuse: `RecordLayerError` invalid_argument).
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
  private readonly legacy = new LegacyEvents();
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
    checkText('trace text', text);
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
    const e = checkEvent(json.value, lineNo, this.legacy);
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
  legacy: LegacyEvents,
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
  // Written before the vocabulary was closed (traceLegacy.ts): today's spelling of the same event.
  const upgraded = legacy.upgrade(value);
  if (upgraded !== null && isTraceEvent(upgraded)) return { ok: true, event: upgraded };
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
