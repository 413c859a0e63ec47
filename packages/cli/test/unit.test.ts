import {
  emptyResults,
  parseShard,
  type Results,
  ReproError,
  ResultsError,
  record,
  runTask,
  SIM_DESIGNS,
  select,
  tasks,
} from '@ktls-lab/sim';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collect, formatDuration, parseDuration } from '../src/args.js';
import { exitOf } from '../src/cli.js';
import { EnvironmentError, InputError, InterruptedError, UsageError } from '../src/errors.js';
import { RecordLayerError } from '@ktls-lab/core';
import { EXIT, EXIT_CODES, exitCodeHelp, exitCodeMarkdown } from '../src/exitCodes.js';
import { explore } from '../src/explore.js';
import { killSearch } from '@ktls-lab/sim';
import { failureLines, verdictSentence, verdictTable } from '../src/report.js';
import { createRunner, type Runner } from '../src/runner.js';
import { PLAIN } from '../src/style.js';

describe('arguments', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('20')).toBe(20_000);
    for (const bad of ['', 's', '-1s', '3 days', '0ms', '1e3s']) {
      expect(() => parseDuration(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(formatDuration(20_040)).toBe('20.0s');
  });

  it('collects repeated and comma-separated names', () => {
    expect(collect('c', collect('a,b', []))).toEqual(['a', 'b', 'c']);
  });
});

/** A runner that counts what it is given, running inline. */
function countingRunner(): Runner & { batches: number[] } {
  const inline = createRunner(1);
  const batches: number[] = [];
  return {
    ...inline,
    batches,
    runTasks(batch) {
      batches.push(batch.length);
      return inline.runTasks(batch);
    },
  };
}

describe('explore loop', () => {
  const selection = select(
    ['key-update-one-way', 'ticket-between-data'],
    ['linux-ktls', 'mutant-control-merged-into-data'],
  );

  it('with --seeds and --keep-going, equals running every task directly', async () => {
    const out = await explore(createRunner(1), {
      selection,
      strategy: 'random',
      seeds: 30,
      keepGoing: true,
    });
    const direct = emptyResults(selection, 'random');
    record(
      direct,
      tasks(selection, 'random', 1, 31).map((t) => runTask(t)),
    );
    expect(out.results).toEqual(direct);
    expect(out.stoppedBy).toBe('seeds');
    expect(out.runs).toBe(120);
  });

  it('stops giving seeds to a cell after its first failure (the batch in flight is finished)', async () => {
    const runner = countingRunner();
    const out = await explore(runner, { selection, strategy: 'random', seeds: 30 });
    const merged = out.results.cells.filter((c) => c.design === 'mutant-control-merged-into-data');
    // Caught by seed 1 on both scenarios: one run each, then no more.
    for (const c of merged) expect(c).toMatchObject({ runs: 1, failures: 1 });
    for (const c of out.results.cells.filter((c) => c.kind === 'correct')) expect(c.runs).toBe(30);
    expect(out.runs).toBe(2 * 30 + 2);
  });

  it('stops when every cell has failed', async () => {
    const only = select(['key-update-one-way'], ['mutant-control-merged-into-data']);
    const out = await explore(createRunner(1), {
      selection: only,
      strategy: 'random',
      budgetMs: 60_000,
    });
    expect(out.stoppedBy).toBe('all-failed');
    expect(out.runs).toBe(1);
  });

  it('stops at the budget by its clock, finishing the batch in flight', async () => {
    let clock = 0;
    const runner = countingRunner();
    const ticking: Runner = {
      ...runner,
      async runTasks(batch) {
        clock += 100 * batch.length; // 100 ms per run
        return runner.runTasks(batch);
      },
    };
    const out = await explore(ticking, {
      selection,
      strategy: 'random',
      budgetMs: 1000,
      now: () => clock,
    });
    expect(out.stoppedBy).toBe('budget');
    // Never more than one batch past the deadline, and that batch was finished.
    expect(out.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(out.elapsedMs).toBeLessThan(1000 + 100 * Math.max(...runner.batches) + 1);
    expect(out.runs).toBe(runner.batches.reduce((a, b) => a + b, 0));
  });

  it('a shard runs its share of the same tasks', async () => {
    const shard = parseShard('1/3');
    const out = await explore(createRunner(1), {
      selection,
      strategy: 'random',
      seeds: 9,
      shard,
      keepGoing: true,
    });
    const direct = emptyResults(selection, 'random', shard);
    record(
      direct,
      tasks(selection, 'random', 1, 10, shard).map((t) => runTask(t)),
    );
    expect(out.results).toEqual(direct);
    expect(out.results.shard).toBe('1/3');
  });
});

describe('report', () => {
  const full = (): Results => {
    const r = emptyResults(select([], []), 'random');
    for (const c of r.cells) c.runs = 1234;
    const m = r.cells.find((c) => c.design === 'mutant-shared-sequence-number')!;
    m.failures = 1;
    m.first = {
      seed: 1,
      repro: 'ktls1:x:y:random:1:',
      invariant: 1,
      message: 'm',
      steps: 9,
      choices: 11,
    };
    return r;
  };

  it('fits the whole catalog in 160 columns, correct designs first', () => {
    const lines = verdictTable(full(), PLAIN);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(160);
    const rows = lines.filter((l) => /^(linux|rfc|mutant)/.test(l)).map((l) => l.split(/\s+/)[0]);
    const kinds = rows.map((d) => SIM_DESIGNS.find((x) => x.name === d)!.kind);
    expect(kinds).toEqual([...kinds].sort());
    expect(rows).toHaveLength(SIM_DESIGNS.length);
    expect(lines.join('\n')).toContain('S14 async-depth-8-control-behind-data');
    expect(lines.find((l) => l.startsWith('mutant-shared-sequence-number'))).toContain('inv 1');
  });

  it('verdictTable and failureLines need no style argument (plain text by default)', () => {
    expect(verdictTable(full())).toEqual(verdictTable(full(), PLAIN));
    expect(failureLines(full())).toEqual(failureLines(full(), PLAIN));
  });

  it('prints one block per failure with its repro', () => {
    const lines = failureLines(full(), PLAIN);
    expect(lines[0]).toContain(
      'mutant-shared-sequence-number × bulk-both-ways: caught invariant 1 (nonce-unique)',
    );
    expect(lines[2]).toBe('      ktls1:x:y:random:1:');
  });

  it('words the verdict', () => {
    const r = full();
    expect(verdictSentence(r)).toEqual({
      ok: false,
      text: `FAILED: all correct designs held on every scenario; 7 of 8 mutants NOT caught on the selected scenarios: ${SIM_DESIGNS.filter(
        (d) => d.kind === 'mutant' && d.name !== 'mutant-shared-sequence-number',
      )
        .map((d) => d.name)
        .join(', ')}`,
    });
    for (const c of r.cells) if (c.kind === 'mutant') c.failures = 1;
    expect(verdictSentence(r)).toEqual({
      ok: true,
      text: 'all correct designs held on every scenario; all 8 mutants caught',
    });
    r.cells[0]!.failures = 1;
    expect(verdictSentence(r).text).toMatch(
      /^FAILED: correct design linux-ktls VIOLATED on bulk-both-ways; all 8/,
    );
    // A shard that misses a mutant is not a failure: the merge decides.
    const shard: Results = { ...full(), shard: '0/2' };
    expect(verdictSentence(shard)).toMatchObject({ ok: true });
    expect(verdictSentence(shard).text).toContain('1 of 8 mutants caught in shard 0/2');
  });
});

describe('kill search', () => {
  it('finds the lowest failing seed across scenarios', () => {
    const r = killSearch({
      mutant: 'mutant-control-merged-into-data',
      strategy: 'random',
      maxSeeds: 5,
    });
    expect(r).toMatchObject({ schedules: 1, invariant: 4, expected: true });
    expect(r.repro).toMatch(/^ktls1:/);
  });

  it('reports a mutant dfs cannot reach', () => {
    const r = killSearch({
      mutant: 'mutant-bytes-dropped-on-punt',
      strategy: 'dfs',
      maxSeeds: 1,
      dfsMaxRuns: 50,
    });
    expect(r).toMatchObject({ schedules: null, note: 'not in small scenarios' });
  });
});

describe('exit codes', () => {
  it('are one name each, and EXIT is the same table by name', () => {
    expect(EXIT_CODES.map((e) => [e.code, e.name])).toEqual([
      [0, 'ok'],
      [1, 'finding'],
      [2, 'usage'],
      [3, 'internal'],
      [4, 'input'],
      [5, 'environment'],
      [130, 'interrupted'],
    ]);
    expect(EXIT).toEqual({
      ok: 0,
      finding: 1,
      usage: 2,
      internal: 3,
      input: 4,
      environment: 5,
      interrupted: 130,
    });
  });

  it("packages/cli/README.md shows exactly the table's data", () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const block = /<!-- exit-codes:start -->\n([\s\S]*?)\n<!-- exit-codes:end -->/.exec(readme);
    expect(block, 'README.md has no exit-codes markers').not.toBeNull();
    // On failure: paste exitCodeMarkdown() (src/exitCodes.ts) between the markers.
    expect(block![1]).toBe(exitCodeMarkdown());
  });

  it('--help text lists every code with its name, within 100 columns', () => {
    const help = exitCodeHelp();
    for (const e of EXIT_CODES)
      expect(help).toMatch(new RegExp(`^ +${e.code}  ${e.name} +\\S`, 'm'));
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    // Every word of every meaning is there, in order.
    const words = help.split(/\s+/).join(' ');
    for (const e of EXIT_CODES) expect(words).toContain(e.meaning);
  });

  it('maps what escapes a command to its code', () => {
    expect(exitOf(new UsageError('bad'))).toEqual({ code: 2, message: 'ktls-lab: error: bad' });
    expect(exitOf(new ReproError('not a repro')).code).toBe(EXIT.usage);
    expect(exitOf(new CommanderError(1, 'commander.unknownOption', 'x'))).toEqual({ code: 2 });
    expect(exitOf(new CommanderError(0, 'commander.helpDisplayed', '(help)'))).toEqual({ code: 0 });
    expect(exitOf(new InputError('r.json', 'at cells.0.runs', 'expected a count'))).toEqual({
      code: 4,
      message: 'ktls-lab: error: r.json: at cells.0.runs: expected a count',
    });
    expect(exitOf(new ResultsError('nothing to merge')).code).toBe(EXIT.input);
    expect(exitOf(new EnvironmentError('no kernel TLS')).code).toBe(EXIT.environment);
    expect(exitOf(new InterruptedError('SIGTERM')).code).toBe(EXIT.interrupted);
    expect(exitOf(RecordLayerError.of('invalid_argument', 'bad')).code).toBe(EXIT.usage);
    // A message quoting input is one line, its control characters escaped.
    expect(exitOf(new UsageError('unknown "\u001b[2Jx\ny"')).message).toBe(
      'ktls-lab: error: unknown "\\x1b[2Jx\\x0ay"',
    );
    const bug = exitOf(new TypeError('undefined is not a function'));
    expect(bug.code).toBe(EXIT.internal);
    expect(bug.message).toMatch(
      /^ktls-lab: internal error: TypeError: undefined is not a function/,
    );
  });
});
