import { runSeed, SCENARIOS, SIM_DESIGNS } from '@ktls-lab/sim';
import { formatDuration } from '../args.js';
import { EXIT } from '../errors.js';
import { writeOut } from '../output.js';
import { KILL_STRATEGIES, type KillResult } from '@ktls-lab/sim';
import { createRunner } from '../runner.js';
import { padEnd, styleFor, truncate } from '../style.js';

export const DEFAULT_KILL_SEEDS = 2000;
export const DEFAULT_BENCH_MS = 3000;

/**
 * `ktls-lab bench`: how fast the simulator runs, on one thread: random schedules of every design
 * on every scenario, seed after seed, for a few seconds. A measurement, not an assertion.
 */
export async function benchCommand(o: {
  seeds?: number;
  budget?: number;
  json?: boolean;
}): Promise<number> {
  const budget = o.budget ?? (o.seeds === undefined ? DEFAULT_BENCH_MS : Number.POSITIVE_INFINITY);
  const lastSeed = o.seeds ?? Number.MAX_SAFE_INTEGER;
  const start = performance.now();
  let runs = 0;
  let steps = 0;
  let seed = 1;
  for (; seed <= lastSeed && performance.now() - start < budget; seed++) {
    for (const design of SIM_DESIGNS) {
      for (const scenario of SCENARIOS) {
        const outcome = runSeed(scenario, design, 'random', seed);
        runs++;
        steps += outcome.steps;
      }
    }
  }
  const ms = performance.now() - start;
  const result = {
    runs,
    steps,
    seeds: seed - 1,
    cells: SIM_DESIGNS.length * SCENARIOS.length,
    elapsedMs: Math.round(ms),
    runsPerSecond: Math.round(runs / (ms / 1000)),
    stepsPerSecond: Math.round(steps / (ms / 1000)),
    threads: 1,
    node: process.version,
  };
  if (o.json) {
    writeOut(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    writeOut(
      `${result.runs} runs (${result.seeds} seeds × ${result.cells} cells, ${result.steps} steps) in ${formatDuration(ms)} on one thread: ${result.runsPerSecond} runs/s, ${result.stepsPerSecond} steps/s (random strategy, ${process.version})\n`,
    );
  }
  return EXIT.ok;
}

/**
 * `ktls-lab bench kill`: for each mutant and strategy, schedules until the first violation.
 */
export async function killCommand(o: {
  seeds?: number;
  json?: boolean;
  workers: number;
}): Promise<number> {
  const maxSeeds = o.seeds ?? DEFAULT_KILL_SEEDS;
  const mutants = SIM_DESIGNS.filter((d) => d.kind === 'mutant');
  const runner = createRunner(o.workers);
  const start = performance.now();
  let results: KillResult[];
  try {
    results = await Promise.all(
      mutants.flatMap((m) =>
        KILL_STRATEGIES.map((strategy) =>
          runner.killSearch({ mutant: m.name, strategy, maxSeeds }),
        ),
      ),
    );
  } finally {
    await runner.close();
  }
  const ms = performance.now() - start;
  if (o.json) {
    writeOut(
      `${JSON.stringify({ maxSeeds, elapsedMs: Math.round(ms), kills: results }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const style = styleFor(process.stdout);
  const nameWidth = Math.max(...mutants.map((m) => m.name.length)) + 2;
  const text = (r: KillResult) =>
    r.schedules === null
      ? (r.note ?? 'not caught')
      : `${r.schedules} ${r.scenario} (${r.invariant}${r.expected ? '' : '!'})`;
  const find = (m: string, s: string) => results.find((x) => x.mutant === m && x.strategy === s)!;
  // Each column as wide as its longest entry; if that does not fit, all equally wide and truncated.
  let widths = KILL_STRATEGIES.map(
    (s) => Math.max(s.length, ...mutants.map((m) => text(find(m.name, s)).length)) + 2,
  );
  if (nameWidth + widths.reduce((a, b) => a + b, 0) > style.width) {
    const w = Math.max(16, Math.floor((style.width - nameWidth) / KILL_STRATEGIES.length));
    widths = widths.map(() => w);
  }
  const lines = [
    `kill table: schedules until the first violation (random, pct: the lowest seed in 1..${maxSeeds} that fails on any scenario; dfs: schedules the best small scenario needs)`,
    '',
    style.bold(
      (
        padEnd('mutant', nameWidth) + KILL_STRATEGIES.map((s, i) => padEnd(s, widths[i]!)).join('')
      ).trimEnd(),
    ),
  ];
  for (const m of mutants) {
    const cells = KILL_STRATEGIES.map((s, i) => {
      const r = find(m.name, s);
      const t = truncate(text(r), widths[i]! - 2);
      return padEnd(r.schedules === null ? style.dim(t) : t, widths[i]!);
    });
    lines.push((padEnd(m.name, nameWidth) + cells.join('')).trimEnd());
  }
  lines.push(
    '',
    'N scenario (I): the first violation, of invariant I, came after N schedules on that scenario; "!": I is not in the mutant\'s caughtBy',
    `${results.reduce((s, r) => s + r.runs, 0)} runs in ${formatDuration(ms)} (${o.workers} worker${o.workers === 1 ? '' : 's'})`,
  );
  writeOut(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
