import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { invariantName, type Results } from '@ktls-lab/sim';
import { fsMessage, UsageError } from './errors.js';
import type { CheckedFailure } from './failures.js';
import { verdictJson } from './report.js';

/** Reads a text file; a failure is a usage error naming the file. */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(fsMessage('read', path, e));
  }
}

/** Reads a binary file; a failure is a usage error naming the file. */
export function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(fsMessage('read', path, e));
  }
}

/** Writes a text file, creating its directory; a failure is a usage error naming the file. */
export function writeText(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(fsMessage('write', path, e));
  }
}

/**
 * Creates `--out DIR` (and DIR/traces) and checks that it can be written, before any work is done:
 * a typo in a path should cost a second, not a whole exploration.
 */
export function prepareOutDir(dir: string): void {
  try {
    mkdirSync(join(dir, 'traces'), { recursive: true });
    accessSync(dir, constants.W_OK);
    accessSync(join(dir, 'traces'), constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out: ${fsMessage('create', dir, e)}`);
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
    verdict: verdictJson(results),
    results: 'results.json',
    runs: entries,
  };
  writeText(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return traces;
}
