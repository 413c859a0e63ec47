import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PerfettoTrace, parseTrace, toPerfetto } from '@ktls-lab/core';
import { INVARIANTS, type Results, SCENARIOS, SIM_DESIGNS } from '@ktls-lab/sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitCodeHelp } from '../src/exitCodes.js';
import type { IndexEntry } from '../src/files.js';
import { cli, tempDir } from './helpers.js';

/** Five seeds of the one scenario with a ticket between data records, on one worker. */
const TICKET_FIVE_SEEDS = [
  '--scenario',
  'ticket-between-data',
  '--seeds',
  '5',
  '--workers',
  '1',
] as const;

const SMALL = [
  '--scenario',
  'async-depth-8-control-behind-data',
  '--design',
  'linux-ktls',
  '--design',
  'mutant-completion-order-delivery',
  '--seeds',
  '20',
];
const MUTANT_TRACE =
  'traces/mutant-completion-order-delivery--async-depth-8-control-behind-data.ndjson';

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const cellSummary = (r: Results) =>
  r.cells.map((c) => ({
    design: c.design,
    scenario: c.scenario,
    runs: c.runs,
    failures: c.failures,
    first: c.first?.repro ?? null,
  }));

describe('ktls-lab list', () => {
  it('lists every scenario, design and the 10 invariants as JSON', () => {
    const r = cli('list', '--json');
    expect(r.status).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.scenarios.map((s: { name: string }) => s.name)).toEqual(SCENARIOS.map((s) => s.name));
    expect(c.designs.map((d: { name: string }) => d.name)).toEqual(SIM_DESIGNS.map((d) => d.name));
    expect(c.invariants).toHaveLength(10);
    expect(c.invariants.map((i: { id: number }) => i.id)).toEqual(INVARIANTS.map((i) => i.id));
    expect(c.strategies).toEqual(['random', 'pct', 'dfs']);
    const mutant = c.designs.find((d: { kind: string }) => d.kind === 'mutant');
    expect(mutant.caughtBy.length).toBeGreaterThan(0);
    expect(c.scenarios.some((s: { small: boolean }) => s.small)).toBe(true);
  });

  it('prints a readable catalog', () => {
    const r = cli('list');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('mutant-completion-order-delivery');
    expect(r.stdout).toMatch(/caught by 2 \(stream-intact\), 4 \(control-in-order\)/);
    expect(r.stdout).not.toContain('\u001b[');
  });
});

describe('ktls-lab explore', () => {
  let out: string;
  let run: ReturnType<typeof cli>;
  beforeAll(() => {
    out = tempDir();
    run = cli('explore', ...SMALL, '--workers', '1', '--out', out);
  });

  it('exits 0 when the correct design holds and the mutant is caught, and prints the table', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^linux-ktls\s+correct\s+held\s+20$/m);
    expect(run.stdout).toMatch(/^mutant-completion-order-delivery\s+mutant\s+inv 2\s+\d+$/m);
    expect(run.stdout).toContain(
      'all correct designs held on every scenario; the mutant was caught',
    );
    expect(run.stdout).toMatch(/shrunk to \d+ steps, \d+ choices/);
    expect(run.stdout).toMatch(/\d+ runs in .*runs\/s/);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('writes results.json, index.json and a trace for the failing mutant', () => {
    const results = readJson<Results>(join(out, 'results.json'));
    expect(results.format).toBe('ktls-lab-results');
    const mutant = results.cells.find((c) => c.design === 'mutant-completion-order-delivery')!;
    expect(mutant.failures).toBeGreaterThan(0);
    expect(mutant.shrunk!.choices).toBeLessThanOrEqual(mutant.first!.choices);
    expect(results.cells.find((c) => c.design === 'linux-ktls')).toMatchObject({
      runs: 20,
      failures: 0,
    });

    const index = readJson<{ runs: IndexEntry[] }>(join(out, 'index.json'));
    const entry = index.runs.find((e) => e.design === 'mutant-completion-order-delivery')!;
    expect(entry).toMatchObject({
      verdict: 'violated',
      kind: 'mutant',
      invariant: 2,
      repro: mutant.shrunk!.repro,
      trace: MUTANT_TRACE,
      shrunk: true,
      problems: [],
    });
    expect(index.runs.find((e) => e.design === 'linux-ktls')).toMatchObject({
      verdict: 'held',
      trace: null,
    });

    const parsed = parseTrace(readFileSync(join(out, MUTANT_TRACE), 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.header.repro).toBe(mutant.shrunk!.repro);
    expect(parsed.events.at(-1)).toMatchObject({ kind: 'violation', violation: { invariant: 2 } });
  });

  it('gives the same table with a worker pool', () => {
    const r = cli('explore', ...SMALL, '--workers', '2', '--json');
    expect(r.status, r.stderr).toBe(0);
    const pooled = JSON.parse(r.stdout) as Results & { verdict: { ok: boolean } };
    expect(pooled.verdict.ok).toBe(true);
    expect(cellSummary(pooled)).toEqual(cellSummary(readJson<Results>(join(out, 'results.json'))));
  });

  it('exits 0 for a selection of correct designs only (no mutants: nothing to catch)', () => {
    const r = cli('explore', '--design', 'linux-ktls,rfc-2015', ...TICKET_FIVE_SEEDS);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'all correct designs held on every scenario; no mutants in the selection',
    );
  });

  it('exits 1 when a mutant is run only where it cannot be caught', () => {
    const r = cli('explore', '--design', 'mutant-bytes-dropped-on-punt', ...TICKET_FIVE_SEEDS);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'NOT caught on the selected scenarios: mutant-bytes-dropped-on-punt',
    );
  });

  it('explores small scenarios exhaustively with --strategy dfs', () => {
    const r = cli(
      'explore',
      '--strategy',
      'dfs',
      '--design',
      'linux-ktls,mutant-rekey-without-sequence-reset',
      '--scenario',
      'key-update-one-way,bulk-both-ways',
      '--workers',
      '1',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as Results;
    // bulk-both-ways is not small: dfs leaves it out.
    expect(res.cells.map((c) => c.scenario)).toEqual(['key-update-one-way', 'key-update-one-way']);
    const correct = res.cells.find((c) => c.design === 'linux-ktls')!;
    expect(correct.exhaustive).toBe(true);
    expect(correct.runs).toBeGreaterThan(1);
    expect(res.cells.find((c) => c.design !== 'linux-ktls')!.failures).toBe(1);
  });

  it('stops at the budget', () => {
    const r = cli(
      'explore',
      '--design',
      'linux-ktls',
      '--budget',
      '700ms',
      '--workers',
      '1',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as {
      stats: { stoppedBy: string; runs: number; elapsedMs: number };
    };
    expect(res.stats.stoppedBy).toBe('budget');
    expect(res.stats.runs).toBeGreaterThan(0);
    expect(res.stats.elapsedMs).toBeGreaterThanOrEqual(700);
  });
});

describe('ktls-lab explore --generated', () => {
  it('explores generated scenarios in one cell per design and shrinks a failure into a replayable scn- repro', () => {
    const r = cli(
      'explore',
      '--generated',
      '40',
      '--design',
      'linux-ktls,mutant-rekey-without-sequence-reset',
      '--workers',
      '1',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 designs × 0 \+ generated scenarios, generated scenarios 1\.\.40,/);
    expect(r.stdout).toMatch(/^linux-ktls\s+correct\s+held\s+40$/m);
    expect(r.stdout).toMatch(/^mutant-rekey-without-sequence-reset\s+mutant\s+inv 5\s+\d+$/m);
    const repro =
      /ktls1:scn-[A-Za-z0-9_-]+:mutant-rekey-without-sequence-reset:random:\d+\.[a-z0-9]+:\S*/.exec(
        r.stdout,
      )?.[0];
    expect(repro, r.stdout).toBeDefined();
    const again = cli('replay', repro!);
    expect(again.status).toBe(1);
    expect(again.stdout).toMatch(/invariant 5 \(right-key\)/);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['explore', '--design', 'linux-ktl'], /unknown design "linux-ktl" \(did you mean linux-ktls/],
    [
      ['explore', '--scenario', 'bulk-both'],
      /unknown scenario "bulk-both" \(did you mean bulk-both-ways/,
    ],
    [['explore', '--shard', '2/2'], /--shard.*0 ≤ i < n|need 0 ≤ i < n/],
    [['explore', '--shard', 'x'], /takes i\/n/],
    [['explore', '--budget', '10 parsecs'], /duration such as 500ms, 30s or 2m/],
    [['explore', '--budget', '0s'], /more than 0/],
    [['explore', '--strategy', 'bfs'], /Allowed choices are random, pct, dfs/],
    [['explore', '--seeds', '-3'], /positive integer|unknown option/],
    [['explore', '--workers', '0'], /at least 1/],
    [['explore', '--frobnicate'], /unknown option '--frobnicate'/],
    [['explore', '--generated', '5', '--seeds', '5'], /--generated N runs seeds 1..N already/],
    [['explore', '--generated', '5', '--strategy', 'dfs'], /not --strategy dfs/],
    [['explore', '--generated', '0'], /positive integer|at least 1/],
    [['explorr'], /unknown command 'explorr'/],
    [[], /Usage: ktls-lab/],
    [['bench', 'nonsense'], /unknown benchmark "nonsense"/],
  ])('%j', (args, message) => {
    const r = cli(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('probe says what this kernel lacks and why', () => {
    const r = cli('probe', '--json');
    const p = JSON.parse(r.stdout);
    // The development machines and CI have neither AF_ALG nor kernel TLS; the VM run checks the
    // positive side (packages/native, pnpm test:kernel).
    if (p.missing.length > 0) {
      expect(r.status).toBe(1);
      expect(p.missing.join('\n')).toMatch(/EAFNOSUPPORT|ENOENT/);
    } else {
      expect(r.status).toBe(0);
    }
  });

  it('kernel run refuses sim-only scenarios and explains a kernel without kTLS', () => {
    const sim = cli('kernel', 'run', 'rds-framed-control-inside');
    expect(sim.status).toBe(2);
    expect(sim.stderr).toMatch(/cannot run on a kernel: upper-layer framer/);
    const typo = cli('kernel', 'run', 'bulk-both-wayz');
    expect(typo.stderr).toMatch(/did you mean bulk-both-ways/);
    const r = cli('kernel', 'run', 'bulk-both-ways');
    // No kernel TLS here: an environment error (5), one line, with the way out.
    if (r.status === 5)
      expect(r.stderr).toMatch(
        /^ktls-lab: error: this kernel cannot run kernel TLS .*pnpm test:kernel.*\n$/,
      );
    else expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it.each([
    [['capture'], /required option '--listen/],
    [
      ['capture', '--listen', 'nowhere', '--connect', '127.0.0.1:1', '--out', '/tmp/x'],
      /--listen takes HOST:PORT/,
    ],
    [['decode', '--keylog', 'k', '--pcap', 'a'], /unknown option '--pcap'/],
    [['decode', '--keylog', 'k', '--dir', 'a', '--c2s', 'b'], /exactly one of --dir/],
  ])('capture/decode usage: %s', (args, message) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--help exits 0', () => {
    const r = cli('explore', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--budget <duration>');
    expect(r.stdout).toContain(exitCodeHelp());
  });

  it('ktls-lab --help prints the exit-code table, internal error (3) included', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(exitCodeHelp());
    expect(r.stdout).toMatch(/^ {4}3 {2}internal +internal error: a bug in ktls-lab/m);
    for (const c of ['inspect', 'capture', 'decode', 'probe', 'kernel']) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}${c}\\b`, 'm'));
    }
  });

  it('--out under a regular file exits 2 before any work', () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = cli('explore', ...SMALL, '--workers', '1', '--out', join(file, 'run'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out: cannot create .*a-file\/run: .*not a directory \(ENOTDIR\)/);
    expect(r.stdout).not.toContain('runs in');
  });
});

describe('sharding and merge', () => {
  const SEL = [
    '--scenario',
    'key-update-one-way,punt-chacha-on-aes-profile,ticket-between-data',
    '--design',
    'linux-ktls,mutant-bytes-dropped-on-punt,mutant-no-freeze-on-key-update',
    '--seeds',
    '24',
    '--workers',
    '1',
    '--no-shrink',
  ];

  const shardsAndMerge = (extra: string[]) => {
    const dir = tempDir();
    const whole = cli('explore', ...SEL, ...extra, '--out', join(dir, 'all'));
    expect(whole.status, whole.stderr).toBe(0);
    for (const i of [0, 1]) {
      const r = cli('explore', ...SEL, ...extra, '--shard', `${i}/2`, '--out', join(dir, `s${i}`));
      // A shard alone never fails for a mutant it did not see.
      expect(r.status, r.stdout).toBe(0);
      expect(readJson<Results>(join(dir, `s${i}`, 'results.json')).shard).toBe(`${i}/2`);
    }
    const merged = cli(
      'merge',
      join(dir, 's0', 'results.json'),
      join(dir, 's1', 'results.json'),
      '--out',
      join(dir, 'merged.json'),
    );
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('all 2 mutants caught');
    return {
      whole: readJson<Results>(join(dir, 'all', 'results.json')),
      merged: readJson<Results>(join(dir, 'merged.json')),
    };
  };

  it('shards 0/2 and 1/2 merged equal the unsharded run, cell by cell (--keep-going)', () => {
    const { whole, merged } = shardsAndMerge(['--keep-going']);
    expect(cellSummary(merged)).toEqual(cellSummary(whole));
    expect(whole.cells.every((c) => c.runs === 24)).toBe(true);
  });

  it('with early stopping, merged shards catch exactly the cells the unsharded run catches', () => {
    const { whole, merged } = shardsAndMerge([]);
    const failing = (r: Results) =>
      r.cells.filter((c) => c.failures > 0).map((c) => `${c.design} × ${c.scenario}`);
    expect(failing(merged)).toEqual(failing(whole));
    expect(failing(whole).length).toBeGreaterThan(0);
  });

  it('names the file it cannot merge', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    writeFileSync(join(dir, 'other.json'), '{"format":"something-else"}');
    let r = cli('merge', join(dir, 'bad.json'));
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/bad\.json: line 1, column 3: not valid JSON/);
    r = cli('merge', join(dir, 'other.json'));
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/other\.json: at format: expected "ktls-lab-results"/);
    r = cli('merge', join(dir, 'missing.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*missing\.json: no such file or directory \(ENOENT\)/);
  });
});

describe('replay, shrink, export', () => {
  let out: string;
  let index: { runs: IndexEntry[] };
  let results: Results;
  beforeAll(() => {
    out = tempDir();
    const r = cli('explore', ...SMALL, '--workers', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    index = readJson(join(out, 'index.json'));
    results = readJson(join(out, 'results.json'));
  });
  const failing = () => index.runs.find((e) => e.verdict === 'violated')!;

  it('replays a repro from the results: exit 1 and the same violation', () => {
    const e = failing();
    const r = cli('replay', e.repro!);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/verdict\s+VIOLATED/);
    expect(r.stdout).toContain(`invariant ${e.invariant} (${e.invariantName})`);
    expect(r.stdout).toContain(e.message!);
    expect(r.stdout).toContain(e.traceHash!);
  });

  it('replays the unshrunk first failure exactly as it was found', () => {
    for (const c of results.cells.filter((c) => c.first)) {
      const r = cli('replay', c.first!.repro, '--json');
      expect(r.status).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({
        steps: c.first!.steps,
        choices: c.first!.choices,
        violation: { invariant: c.first!.invariant, message: c.first!.message },
      });
    }
  });

  it('replays deterministically: two traces are byte-identical, and equal to the explore trace', () => {
    const dir = tempDir();
    const e = failing();
    expect(cli('replay', e.repro!, '--trace', join(dir, 'a.ndjson')).status).toBe(1);
    expect(cli('replay', e.repro!, '--trace', join(dir, 'b.ndjson')).status).toBe(1);
    const a = readFileSync(join(dir, 'a.ndjson'));
    expect(a.equals(readFileSync(join(dir, 'b.ndjson')))).toBe(true);
    expect(a.equals(readFileSync(join(out, e.trace!)))).toBe(true);
  });

  it('replays a run that holds with exit 0', () => {
    const r = cli('replay', 'ktls1:ticket-between-data:linux-ktls:random:7:');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/verdict\s+held/);
  });

  it.each([
    ['garbage', /not a repro string: it must start with "ktls1:"/],
    ['ktls9:a:b:random:1:', /repro version ktls9 is not supported/],
    [
      'ktls1:ticket-between-dat:linux-ktls:random:1:',
      /unknown scenario "ticket-between-dat" \(did you mean ticket-between-data/,
    ],
    ['ktls1:ticket-between-data:linux-ktls:random:1:!!', /not base64url/],
  ])('rejects %s with exit 2', (repro, message) => {
    const r = cli('replay', repro);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('shrinks a first failure to a choice list no longer than before, that still fails', () => {
    const cell = results.cells.find((c) => c.failures > 0)!;
    const r = cli('shrink', cell.first!.repro, '--json');
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.invariant).toBe(cell.first!.invariant);
    expect(s.choices.after).toBeLessThanOrEqual(s.choices.before);
    expect(s.steps.after).toBeLessThanOrEqual(s.steps.before);
    // The first failure replays exactly as it was found.
    expect(s.choices.before).toBe(cell.first!.choices);
    expect(s.steps.before).toBe(cell.first!.steps);
    expect(s.attempts).toBeGreaterThan(0);
    expect(cli('replay', s.shrunk).status).toBe(1);

    const text = cli('shrink', cell.first!.repro);
    expect(text.stdout).toMatch(/choices\s+\d+ -> \d+/);
    expect(text.stdout).toMatch(/steps\s+\d+ -> \d+/);
  });

  it('refuses to shrink a repro that does not fail', () => {
    const r = cli('shrink', 'ktls1:ticket-between-data:linux-ktls:random:7:');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('repro does not fail');
  });

  it('exports a trace for Perfetto', () => {
    const file = join(tempDir(), 'trace.json');
    const r = cli('export', join(out, MUTANT_TRACE), '--format', 'perfetto', '--out', file);
    expect(r.status, r.stderr).toBe(0);
    const json = readJson<{
      traceEvents: { ph: string; name: string }[];
      metadata: { design: string };
    }>(file);
    expect(json.metadata.design).toBe('mutant-completion-order-delivery');
    expect(json.traceEvents.some((e) => e.ph === 'M' && e.name === 'process_name')).toBe(true);
    expect(json.traceEvents.some((e) => e.ph === 'X' && e.name.startsWith('open #'))).toBe(true);
    expect(json.traceEvents.some((e) => e.name.startsWith('violation'))).toBe(true);
    // Without --out it goes to stdout, identically.
    const stdout = cli('export', join(out, MUTANT_TRACE), '--format', 'perfetto');
    expect(stdout.stdout).toBe(readFileSync(file, 'utf8'));
  });

  it('rejects a file that is not a trace with the parse error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.ndjson'), 'this is not json\n');
    let r = cli('export', join(dir, 'bad.ndjson'), '--format', 'perfetto');
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/bad\.ndjson: line 1: not a valid ktls-lab trace \(not-json\)/);
    const good = readFileSync(join(out, MUTANT_TRACE), 'utf8').split('\n');
    writeFileSync(join(dir, 'cut.ndjson'), `${good.slice(0, 3).join('\n')}\n{"t":`);
    r = cli('export', join(dir, 'cut.ndjson'));
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(
      /cut\.ndjson: line 4(, column \d+)?: not a valid ktls-lab trace \(truncated\)/,
    );
    // Streamed to --out: the trace fails after events were converted, and no file is left.
    r = cli('export', join(dir, 'cut.ndjson'), '--out', join(dir, 'cut.json'));
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/not a valid ktls-lab trace \(truncated\)/);
    expect(existsSync(join(dir, 'cut.json'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['bad.ndjson', 'cut.ndjson']);
  });

  it('streams the same Perfetto events toPerfetto builds in memory', () => {
    const text = readFileSync(join(out, MUTANT_TRACE), 'utf8');
    const parsed = parseTrace(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const r = cli('export', join(out, MUTANT_TRACE));
    expect(r.status, r.stderr).toBe(0);
    const streamed = JSON.parse(r.stdout) as PerfettoTrace;
    const whole = toPerfetto(parsed.header, parsed.events);
    const key = (e: unknown) => JSON.stringify(e);
    expect(streamed.traceEvents.length).toBeGreaterThan(parsed.events.length);
    expect(streamed.traceEvents.map(key).sort()).toEqual(whole.traceEvents.map(key).sort());
    expect(streamed.metadata).toEqual(whole.metadata);
  });
});

describe('inspect', () => {
  it('serves the inspector and a run folder on 127.0.0.1, opened on the run index', async () => {
    const dir = tempDir();
    const explore = cli(
      'explore',
      '--design',
      'mutant-control-before-drain',
      '--scenario',
      'async-depth-8-control-behind-data',
      '--seeds',
      '20',
      '--workers',
      '1',
      '--out',
      dir,
    );
    expect(explore.status, explore.stderr).toBe(0);
    const { spawn } = await import('node:child_process');
    const proc = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'bin', 'ktls-lab.js'), 'inspect', dir],
      { env: { ...process.env, NO_COLOR: '1' } },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d) => {
          out += d;
          const m = /inspector: (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
          if (m) resolve(m[1]!);
        });
        proc.on('exit', (code) => reject(new Error(`inspect exited ${code}`)));
      });
      expect(url).toMatch(/\?run=\/data\/index\.json$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
      const index = await (await fetch(new URL('/data/index.json', url))).json();
      expect(JSON.stringify(index)).toContain('mutant-control-before-drain');
    } finally {
      proc.kill('SIGINT');
    }
  });

  it('refuses a path that does not exist', () => {
    const r = cli('inspect', '/nonexistent/run');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
  });
});
