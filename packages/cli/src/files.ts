import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { invariantName, type Results } from '@ktls-lab/sim';
import { errnoCode, fsError, UsageError } from './errors.js';
import type { CheckedFailure } from './failures.js';
import { verdictJson } from './report.js';

/**
 * Pseudo-file systems whose files are kernel interfaces, not storage: a write there can block
 * forever or change the running system, so no output goes there.
 */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

function underPseudoRoot(path: string): string | null {
  let real = resolve(path);
  try {
    real = realpathSync(dirname(real));
    real = join(real, basename(path));
  } catch {
    // The directory does not exist yet: judge the path as written.
  }
  return PSEUDO_ROOTS.find((root) => real === root || real.startsWith(`${root}/`)) ?? null;
}

/** Reads a file (or a pipe: `--keylog <(...)` is fine); failures name the file. */
function readRegular(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw fsError('read', path, e);
  }
}

/** Reads a text file; a failure is a usage (or environment) error naming the file. */
export function readText(path: string): string {
  return readRegular(path).toString('utf8');
}

/** Reads a binary file; a failure is a usage (or environment) error naming the file. */
export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readRegular(path));
}

/** A file's size in bytes; a failure (missing, unreadable, not a file) is a usage error naming it. */
export function fileSize(path: string): number {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${path}: not a regular file`);
    return st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw fsError('read', path, e);
  }
}

/** Pieces a whole file is read in by `readRanges` when no index says where its chunks are. */
export const READ_PIECE = 1 << 20;

/** `[offset, length]` ranges that cover `size` bytes in pieces of at most `piece`. */
export function pieces(size: number, piece = READ_PIECE): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0; at < size; at += piece) out.push([at, Math.min(piece, size - at)]);
  return out;
}

/**
 * Reads the given ranges of a file lazily, one fresh buffer per range, as the consumer iterates:
 * memory holds one range at a time, not the file (a capture may be larger than memory). The file
 * is opened at the first read and closed when the iteration ends, however it ends.
 */
export function* readRanges(
  path: string,
  ranges: Iterable<readonly [offset: number, length: number]>,
): Generator<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fsError('read', path, e);
  }
  try {
    for (const [offset, length] of ranges) {
      const bytes = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, bytes, got, length - got, offset + got);
        if (n === 0)
          throw new UsageError(`${path}: ends at byte ${offset + got}, before ${offset + length}`);
        got += n;
      }
      yield bytes;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that `path` can be an output file before any work: not a directory, not a device, FIFO
 * or socket (a write could block), nothing under /proc, /sys or /dev; /dev/null is allowed.
 */
export function checkOutputFile(path: string, option: string): void {
  if (path === '/dev/null') return;
  const root = underPseudoRoot(path);
  if (root !== null)
    throw new UsageError(`${option} ${path}: output cannot go under ${root} (not a regular file)`);
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`${option} ${path}: is a directory (EISDIR)`);
    if (!st.isFile()) throw new UsageError(`${option} ${path}: not a regular file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (errnoCode(e) !== 'ENOENT') throw fsError('write', path, e, `${option}: `);
  }
}

/**
 * Writes a text file, creating its directory, through a temporary file renamed into place: an
 * interrupted or failed write leaves no partial file that could pass for a whole one. A failure
 * is a usage (or environment) error naming the file.
 */
export function writeText(path: string, text: string): void {
  if (path === '/dev/null') return;
  checkOutputFile(path, 'cannot write');
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (e) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created.
    }
    throw fsError('write', path, e);
  }
}

/**
 * Creates `--out DIR` (and DIR/traces) and checks that it can be written, before any work is done:
 * a typo in a path should cost a second, not a whole exploration.
 */
export function prepareOutDir(dir: string): void {
  const root = underPseudoRoot(dir);
  if (root !== null) throw new UsageError(`--out ${dir}: output cannot go under ${root}`);
  try {
    mkdirSync(join(dir, 'traces'), { recursive: true });
    accessSync(dir, constants.W_OK);
    accessSync(join(dir, 'traces'), constants.W_OK);
  } catch (e) {
    throw fsError('create', dir, e, '--out: ');
  }
}

export function traceFileName(design: string, scenario: string): string {
  return `traces/${design}--${scenario}.ndjson`;
}

/** One line of index.json per cell. */
export interface IndexEntry {
  readonly design: string;
  readonly scenario: string;
  readonly kind: 'correct' | 'mutant';
  readonly verdict: 'held' | 'violated' | 'not-run';
  readonly runs: number;
  readonly failures: number;
  readonly exhaustive?: boolean;
  readonly repro: string | null;
  readonly invariant: number | null;
  readonly invariantName: string | null;
  readonly message: string | null;
  readonly steps: number | null;
  readonly choices: number | null;
  readonly shrunk: boolean;
  readonly traceHash: string | null;
  readonly trace: string | null;
  readonly problems: readonly string[];
}

/**
 * Writes DIR/results.json (the Results object, mergeable), DIR/traces/<design>--<scenario>.ndjson
 * for every failing cell (its shrunk failure, or its first), and DIR/index.json listing every cell.
 * Returns the trace files written, relative to DIR.
 */
export function writeOutDir(
  dir: string,
  results: Results,
  checked: readonly CheckedFailure[],
  interrupted = false,
): string[] {
  writeText(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const byCell = new Map(checked.map((c) => [`${c.cell.design}\u0000${c.cell.scenario}`, c]));
  const traces: string[] = [];
  const entries: IndexEntry[] = results.cells.map((cell) => {
    const c = byCell.get(`${cell.design}\u0000${cell.scenario}`);
    let trace: string | null = null;
    if (c?.trace) {
      trace = traceFileName(cell.design, cell.scenario);
      writeText(join(dir, trace), c.trace);
      traces.push(trace);
    }
    const f = c?.failure ?? null;
    return {
      design: cell.design,
      scenario: cell.scenario,
      kind: cell.kind,
      verdict: cell.failures > 0 ? 'violated' : cell.runs > 0 ? 'held' : 'not-run',
      runs: cell.runs,
      failures: cell.failures,
      ...(cell.exhaustive === undefined ? {} : { exhaustive: cell.exhaustive }),
      repro: f?.repro ?? null,
      invariant: f?.invariant ?? null,
      invariantName: f ? invariantName(f.invariant) : null,
      message: f?.message ?? null,
      steps: f?.steps ?? null,
      choices: f?.choices ?? null,
      shrunk: c?.shrunk ?? false,
      traceHash: c?.traceHash ?? null,
      trace,
      problems: c?.problems ?? [],
    };
  });
  const index = {
    format: 'ktls-lab-index',
    version: 1,
    strategy: results.strategy,
    shard: results.shard,
    // An interrupted run's verdict is over part of the work: it must not read as a success.
    verdict: interrupted ? interruptedVerdict(results) : verdictJson(results),
    ...(interrupted ? { interrupted: true } : {}),
    results: 'results.json',
    runs: entries,
  };
  writeText(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return traces;
}

function interruptedVerdict(results: Results) {
  const v = verdictJson(results);
  return { ...v, ok: false, summary: `interrupted before the end: ${v.summary}` };
}
