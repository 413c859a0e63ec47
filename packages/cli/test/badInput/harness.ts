import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli.js';
import { EXIT, type ExitName } from '../../src/exitCodes.js';
import type { CliRun } from '../helpers.js';

/**
 * How the bad-input suite runs the CLI and what it holds every run to. Most cases call `main`
 * in-process (stdout and stderr captured), a representative few run the real binary; both give a
 * `CliRun`, and every run is counted per command.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ktls-lab.js');

export interface Tally {
  readonly cases: Map<string, number>;
  spawned: number;
}

export const tally: Tally = { cases: new Map(), spawned: 0 };

/** The command a run exercises: `kernel run`, or the first word. */
function commandOf(args: readonly string[]): string {
  return args[0] === 'kernel' ? `kernel ${args[1] ?? ''}`.trim() : (args[0] ?? '(none)');
}

function count(args: readonly string[]): void {
  const c = commandOf(args);
  tally.cases.set(c, (tally.cases.get(c) ?? 0) + 1);
}

type Write = typeof process.stdout.write;

/** Runs `main(args)` in this process, capturing what it writes. */
export async function inProcess(...args: string[]): Promise<CliRun> {
  count(args);
  let stdout = '';
  let stderr = '';
  const saved = { out: process.stdout.write, err: process.stderr.write };
  const capture =
    (append: (s: string) => void): Write =>
    (chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    };
  process.stdout.write = capture((s) => {
    stdout += s;
  });
  process.stderr.write = capture((s) => {
    stderr += s;
  });
  let status: number;
  try {
    status = await main(args);
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
  return { status, stdout, stderr };
}

/** Runs the real binary (a child process), as a user does. */
export function spawned(...args: string[]): CliRun {
  count(args);
  tally.spawned++;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw control characters.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export interface Expectation {
  /** The rows of the exit-code table this run may end in. */
  readonly exits: readonly ExitName[];
  /** Output files that must not exist unless the run succeeded (0, or 1 for a finding). */
  readonly outputs?: readonly string[];
  /** What the error line must say (the file's name, a field, ...). */
  readonly mentions?: readonly (string | RegExp)[];
}

/**
 * What every run is held to: an exit code from the table (never 3, internal: a user mistake is
 * not a bug), no stack trace, no raw control characters from the input on the terminal, an error
 * that is one line, and no output file left behind by a run that failed.
 */
export function expectClean(what: string, run: CliRun, e: Expectation): void {
  const allowed = e.exits.map((n) => EXIT[n]);
  const context = `${what}\nexit ${run.status}\nstderr: ${run.stderr.slice(0, 2000)}`;
  expect(allowed, context).toContain(run.status);
  expect(run.stderr, context).not.toMatch(/internal error|^\s+at .+:\d+:\d+\)?$/m);
  expect(RAW_CONTROL.test(run.stderr), `raw control character on stderr: ${context}`).toBe(false);
  expect(RAW_CONTROL.test(run.stdout), `raw control character on stdout: ${context}`).toBe(false);
  const failed = run.status !== EXIT.ok && run.status !== EXIT.finding;
  if (failed) {
    // The error is one line, the last: "ktls-lab: error: ..." (ours) or "error: ..." (commander's
    // argument errors); progress notes may come before it.
    expect(run.stderr, context).toMatch(/(^|\n)(ktls-lab: )?error: [^\n]+\n$/);
    expect(run.stderr.match(/^(ktls-lab: )?error: /gm), context).toHaveLength(1);
    for (const m of e.mentions ?? []) expect(run.stderr, context).toMatch(m);
    for (const file of e.outputs ?? [])
      expect(existsSync(file), `${file} left behind: ${context}`).toBe(false);
  }
}
