import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertNever,
  type DecodeInput,
  type DecodeResult,
  type DecodeSummary,
  type DirectionSummary,
  decodeSession,
  parseKeyLog,
  parseTsharkFollowRaw,
  type StreamDirection,
} from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import { EXIT, InputError, UsageError } from '../errors.js';
import { checkOutputFile, fileSize, pieces, readRanges, readText } from '../files.js';
import { CaptureIndexSchema } from '../inputSchemas.js';
import { parseJsonInput, validateInput } from '../jsonInput.js';
import { writeOut } from '../output.js';
import { StreamedTrace } from '../streamedTrace.js';
import { untrusted } from '../untrusted.js';

/**
 * `ktls-lab decode`: opens every record of a captured session with an NSS key log and writes the
 * standard trace, with where `linux-ktls` would freeze, hand a record to userspace, or fail.
 */
export interface DecodeOptions {
  readonly keylog: string;
  readonly dir?: string;
  readonly c2s?: string;
  readonly s2c?: string;
  readonly tshark?: string;
  readonly trace?: string;
  readonly json?: boolean;
  readonly strict?: boolean;
}

type Chunk = { readonly dir: StreamDirection; readonly bytes: Uint8Array };
type Chunks = Iterable<Chunk>;

/** One direction's file read whole, lazily, in pieces (no index says where its chunks are). */
function* wholeFile(dir: StreamDirection, path: string, size: number): Generator<Chunk> {
  for (const bytes of readRanges(path, pieces(size))) yield { dir, bytes };
}

/**
 * A capture folder's chunks in the order the relay saw them. index.json must be a capture index,
 * and agree with the .bin files: each direction's chunks follow one another from offset 0 and end
 * exactly at the file's size (a .bin cut short, or grown, is refused with the byte offset). The
 * bytes are read lazily, chunk by chunk, as decode consumes them: memory stays flat in the size
 * of the capture.
 */
function captureChunks(dir: string): Chunks {
  const files = { c2s: join(dir, 'c2s.bin'), s2c: join(dir, 's2c.bin') };
  const sizes = { c2s: fileSize(files.c2s), s2c: fileSize(files.s2c) };
  const indexFile = join(dir, 'index.json');
  if (!existsSync(indexFile))
    return chain(wholeFile('c2s', files.c2s, sizes.c2s), wholeFile('s2c', files.s2c, sizes.s2c));
  const index = validateInput(
    indexFile,
    CaptureIndexSchema,
    parseJsonInput(indexFile, readText(indexFile), 'a capture index written by `ktls-lab capture`'),
  );
  const next = { c2s: 0, s2c: 0 };
  index.chunks.forEach((c, i) => {
    if (c.offset !== next[c.dir])
      throw new InputError(
        indexFile,
        `at chunks.${i}.offset`,
        `expected ${next[c.dir]} (the end of the previous ${c.dir} chunk), got ${c.offset}`,
      );
    next[c.dir] += c.length;
  });
  for (const d of ['c2s', 's2c'] as const) {
    if (next[d] !== sizes[d])
      throw new InputError(
        files[d],
        `byte ${Math.min(next[d], sizes[d])}`,
        next[d] > sizes[d]
          ? `cut off: index.json lists ${next[d]} bytes, the file has ${sizes[d]}`
          : `index.json lists ${next[d]} bytes, the file has ${sizes[d]} (not this capture's index?)`,
      );
  }
  return interleaved(files, index.chunks);
}

/** The chunks in the index's order, each read from its direction's file when it is reached. */
function* interleaved(
  files: { readonly c2s: string; readonly s2c: string },
  chunks: readonly {
    readonly dir: StreamDirection;
    readonly offset: number;
    readonly length: number;
  }[],
): Generator<Chunk> {
  const readers = {
    c2s: readRanges(files.c2s, rangesOf(chunks, 'c2s')),
    s2c: readRanges(files.s2c, rangesOf(chunks, 's2c')),
  };
  try {
    for (const c of chunks) {
      const next = readers[c.dir].next();
      if (next.done) return;
      yield { dir: c.dir, bytes: next.value };
    }
  } finally {
    readers.c2s.return(undefined);
    readers.s2c.return(undefined);
  }
}

function* rangesOf(
  chunks: readonly {
    readonly dir: StreamDirection;
    readonly offset: number;
    readonly length: number;
  }[],
  dir: StreamDirection,
): Generator<[number, number]> {
  for (const c of chunks) if (c.dir === dir) yield [c.offset, c.length];
}

function* chain<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const p of parts) yield* p;
}

export function loadChunks(o: DecodeOptions): Chunks {
  const sources = [
    o.dir !== undefined,
    o.c2s !== undefined || o.s2c !== undefined,
    o.tshark !== undefined,
  ].filter(Boolean).length;
  if (sources !== 1)
    throw new UsageError('give exactly one of --dir DIR, --c2s FILE --s2c FILE, or --tshark FILE');
  if (o.tshark !== undefined) {
    try {
      return parseTsharkFollowRaw(readText(o.tshark));
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) {
        const at = /^(.*?): line (\d+): (.*)$/.exec(e.message);
        throw at
          ? new InputError(o.tshark, `line ${at[2]}`, `${at[1]}: ${at[3]}`)
          : new InputError(o.tshark, null, e.message);
      }
      throw e;
    }
  }
  if (o.dir !== undefined) {
    if (existsSync(o.dir) && !statSync(o.dir).isDirectory())
      throw new UsageError(`--dir ${o.dir}: not a directory`);
    return captureChunks(o.dir);
  }
  if (o.c2s === undefined || o.s2c === undefined)
    throw new UsageError('--c2s and --s2c go together');
  // Sizes first: a missing or unreadable file is refused before any output.
  const sizes = { c2s: fileSize(o.c2s), s2c: fileSize(o.s2c) };
  return chain(wholeFile('c2s', o.c2s, sizes.c2s), wholeFile('s2c', o.s2c, sizes.s2c));
}

export function decodeFiles(
  o: DecodeOptions,
  stream: Pick<DecodeInput, 'onEvent' | 'keepData'> = {},
): DecodeResult {
  const chunks = loadChunks(o);
  // KeyLogError names the line; the CLI adds the file (exit 4, input).
  const text = readText(o.keylog);
  let keylog: ReturnType<typeof parseKeyLog>;
  try {
    keylog = parseKeyLog(text);
  } catch (e) {
    const line = (e as { line?: unknown }).line;
    if (typeof line === 'number')
      throw new InputError(o.keylog, null, (e as Error).message.replace(/^key log /, ''));
    throw e;
  }
  return decodeSession({ chunks, keylog, engine: new NodeCryptoAeadEngine(), ...stream });
}

/**
 * How a decoded session ended. `data missing`: something was not decoded (a record that did not
 * open, a framing error, a capture cut inside a record, a missing secret). `no close_notify`:
 * every record decoded, but a direction ended without close_notify, so the capture may have been
 * cut at a record boundary (RFC 8446 §6.1: close_notify is what says the data is complete).
 */
export type DecodeStatus =
  | { readonly kind: 'complete' }
  | { readonly kind: 'no-close-notify'; readonly directions: readonly StreamDirection[] }
  | { readonly kind: 'data-missing'; readonly problems: readonly string[] };

export function decodeStatus(s: DecodeSummary): DecodeStatus {
  const stopped = (['c2s', 's2c'] as const)
    .filter((d) => s[d].stopped !== null)
    .map((d) => `${d}: ${s[d].stopped}`);
  const problems = [...new Set([...s.problems, ...stopped])];
  if (problems.length > 0) return { kind: 'data-missing', problems };
  const open = (['c2s', 's2c'] as const).filter((d) => !s[d].alerts.includes('close_notify'));
  if (open.length > 0) return { kind: 'no-close-notify', directions: open };
  return { kind: 'complete' };
}

function statusLine(status: DecodeStatus, strict: boolean): string {
  switch (status.kind) {
    case 'complete':
      return 'complete: every record decoded, both directions ended with close_notify';
    case 'no-close-notify':
      return `ended without close_notify (${status.directions.join(', ')}): every record captured was decoded, but the capture may end early${strict ? ' (--strict: a failure)' : ''}`;
    case 'data-missing':
      return `data missing: ${status.problems.length} problem${status.problems.length === 1 ? '' : 's'}, records were not decoded`;
    default:
      return assertNever(status);
  }
}

export function decodeExit(status: DecodeStatus, strict: boolean): number {
  switch (status.kind) {
    case 'complete':
      return EXIT.ok;
    case 'no-close-notify':
      return strict ? EXIT.finding : EXIT.ok;
    case 'data-missing':
      return EXIT.finding;
    default:
      return assertNever(status);
  }
}

function directionLines(name: string, d: DirectionSummary): string[] {
  const records = Object.entries(d.records)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const messages = Object.entries(d.handshakeMessages)
    .map(([k, v]) => (v > 1 ? `${k}×${v}` : k))
    .join(', ');
  return [
    `${name}: ${d.bytes} bytes, records: ${records || 'none'}`,
    `    handshake: ${messages || 'none'}`,
    `    key epochs: ${d.epochs}, KeyUpdates: ${d.keyUpdates}${d.keyUpdates > 0 ? ' (linux-ktls: RX freezes at each until TLS_RX is set again; before 6.14: EBADMSG from there)' : ''}`,
    `    application data: ${d.applicationBytes} bytes, sha256 ${d.applicationSha256}`,
    ...(d.alerts.length > 0 ? [`    alerts: ${d.alerts.join(', ')}`] : []),
    ...(d.stopped ? [`    stopped: ${d.stopped}`] : []),
  ];
}

export function decodeCommand(o: DecodeOptions): number {
  if (o.trace !== undefined) checkOutputFile(o.trace, '--trace');
  const strict = o.strict === true;
  // Events go to the trace file as they are made and application data is only hashed, so memory
  // does not grow with the session (the trace is not built as one string).
  const trace = o.trace !== undefined ? new StreamedTrace(o.trace) : null;
  let result: DecodeResult;
  try {
    result = decodeFiles(o, { keepData: false, ...(trace ? { onEvent: trace.push } : {}) });
    trace?.finish(result.header);
  } catch (e) {
    trace?.abandon();
    throw e;
  }
  const s = result.summary;
  const status = decodeStatus(s);
  if (o.json) {
    writeOut(`${JSON.stringify({ ...s, status: status.kind }, null, 2)}\n`);
  } else {
    const lines = [
      `${s.version}, ${s.suite ?? 'suite unknown'}, client random ${s.clientRandom ?? 'unknown'}`,
      ...directionLines('client → server', s.c2s),
      ...directionLines('server → client', s.s2c),
      ...(status.kind === 'data-missing' ? status.problems.map((p) => `problem: ${p}`) : []),
      ...(trace ? [`trace: ${o.trace} (${trace.count} events)`] : []),
      statusLine(status, strict),
    ];
    // Strings in the summary can come from the capture (alert names, messages): escaped.
    writeOut(`${lines.map(untrusted).join('\n')}\n`);
  }
  return decodeExit(status, strict);
}
