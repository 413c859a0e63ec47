import { findSimDesign, SIM_DESIGNS, type SimDesign } from './designs.js';
import { exploreDfs } from './dfs.js';
import { INVARIANTS } from './invariants.js';
import type { StrategyName } from './repro.js';
import { type RunOptions, runSeed, suggest } from './run.js';
import type { Scenario } from './scenario/actions.js';
import { SCENARIOS } from './scenario/catalog.js';
import { GENERATED_PREFIX } from './scenario/generate.js';
import { scenarioNamed } from './scenario/lookup.js';

/**
 * Exploration as data: a selection of cells (design × scenario) and a seed range become tasks;
 * tasks become results; results from any number of workers, processes or machines merge into
 * one table. Nothing here reads a clock: time budgets belong to the caller.
 */

export type ExploreStrategy = Exclude<StrategyName, 'replay'>;

export interface Selection {
  readonly scenarios: readonly Scenario[];
  readonly designs: readonly SimDesign[];
  /**
   * Also explore generated scenarios (`scenario/generate.ts`): seed s runs scenario `gen-<s>`
   * under schedule seed s, for each design, in one cell per design named `generated`. Random and
   * PCT only; the catalog's scenarios stay cells of their own.
   */
  readonly generated?: boolean;
}

/** The cell generated scenarios are counted in (one per design). */
export const GENERATED_CELL = 'generated';

export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

/** Resolves names (empty = all); throws `SelectionError` with the closest names for a typo. */
export function select(
  scenarioNames: readonly string[],
  designNames: readonly string[],
): Selection {
  // Library misuse from JavaScript is a typed error, not a TypeError inside (issue 19).
  for (const [what, names] of [
    ['scenario', scenarioNames],
    ['design', designNames],
  ] as const)
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
      throw new SelectionError(`${what} names must be an array of strings`);
  const scenarios =
    scenarioNames.length === 0
      ? SCENARIOS
      : scenarioNames.map((n) => {
          const s = scenarioNamed(n);
          if (!s)
            throw new SelectionError(
              `unknown scenario "${n}"${suggest(
                n,
                SCENARIOS.map((x) => x.name),
              )}`,
            );
          return s;
        });
  const designs =
    designNames.length === 0
      ? SIM_DESIGNS
      : designNames.map((n) => {
          const d = findSimDesign(n);
          if (!d)
            throw new SelectionError(
              `unknown design "${n}"${suggest(
                n,
                SIM_DESIGNS.map((x) => x.name),
              )}`,
            );
          return d;
        });
  return { scenarios, designs };
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses "i/n" (0 ≤ i < n). */
export function parseShard(text: string): Shard {
  if (typeof text !== 'string') throw new SelectionError('--shard takes i/n, for example 0/4');
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new SelectionError(`--shard takes i/n, for example 0/4 (got "${text}")`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new SelectionError(`--shard ${text}: need 0 ≤ i < n`);
  return { index, count };
}

export interface Task {
  readonly scenario: string;
  /** The cell the task counts in, when it is not the scenario's own (generated scenarios). */
  readonly cell?: typeof GENERATED_CELL;
  readonly design: string;
  readonly strategy: ExploreStrategy;
  /** random/pct: the seed; dfs: unused (one task explores the whole tree). */
  readonly seed: number;
}

/**
 * The tasks for seeds [from, to) of every cell, in a fixed order; a shard keeps every n-th task,
 * so shards are disjoint, cover everything, and do not depend on machine or timing.
 */
export function tasks(
  selection: Selection,
  strategy: ExploreStrategy,
  from: number,
  to: number,
  shard?: Shard,
): Task[] {
  const out: Task[] = [];
  let k = 0;
  const cells = selection.designs.flatMap((d) => selection.scenarios.map((s) => ({ d, s })));
  if (strategy === 'dfs') {
    for (const { d, s } of cells) {
      if (!s.small) continue;
      if (!shard || k % shard.count === shard.index)
        out.push({ scenario: s.name, design: d.name, strategy, seed: 0 });
      k++;
    }
    return out;
  }
  for (let seed = from; seed < to; seed++) {
    for (const { d, s } of cells) {
      if (!shard || k % shard.count === shard.index)
        out.push({ scenario: s.name, design: d.name, strategy, seed });
      k++;
    }
    if (!selection.generated) continue;
    for (const d of selection.designs) {
      if (!shard || k % shard.count === shard.index)
        out.push({
          scenario: `${GENERATED_PREFIX}${seed}`,
          cell: GENERATED_CELL,
          design: d.name,
          strategy,
          seed,
        });
      k++;
    }
  }
  return out;
}

export interface Failure {
  readonly seed: number;
  readonly repro: string;
  readonly invariant: number;
  readonly message: string;
  readonly steps: number;
  readonly choices: number;
}

export interface TaskResult {
  readonly scenario: string;
  readonly cell?: typeof GENERATED_CELL;
  readonly design: string;
  readonly strategy: ExploreStrategy;
  readonly runs: number;
  readonly failure: Failure | null;
  /** dfs only: the tree was explored completely. */
  readonly exhaustive?: boolean;
}

export function runTask(
  task: Task,
  options: RunOptions & { dfsMaxRuns?: number } = {},
): TaskResult {
  const scenario = scenarioNamed(task.scenario);
  const design = findSimDesign(task.design);
  if (!scenario || !design)
    throw new SelectionError(`unknown cell ${task.design} × ${task.scenario}`);
  if (task.strategy === 'dfs') {
    const r = exploreDfs(scenario, design, {
      ...options,
      maxRuns: options.dfsMaxRuns ?? 20_000,
      stopAtFirstFailure: true,
    });
    const f = r.firstFailure;
    return {
      scenario: task.scenario,
      design: task.design,
      strategy: 'dfs',
      runs: r.runs,
      failure: f ? failureOf(f) : null,
      exhaustive: r.exhaustive,
    };
  }
  const o = runSeed(scenario, design, task.strategy, task.seed, options);
  return {
    ...(task.cell ? { cell: task.cell } : {}),
    scenario: task.scenario,
    design: task.design,
    strategy: task.strategy,
    runs: 1,
    failure: o.violation ? failureOf(o) : null,
  };
}

function failureOf(o: {
  seed: number;
  repro: string;
  violation: { invariant: number; message: string } | null;
  steps: number;
  choices: readonly number[];
}): Failure {
  return {
    seed: o.seed,
    repro: o.repro,
    invariant: o.violation!.invariant,
    message: o.violation!.message,
    steps: o.steps,
    choices: o.choices.length,
  };
}

/** One cell of the verdict table. */
export interface Cell {
  readonly design: string;
  readonly scenario: string;
  readonly kind: 'correct' | 'mutant';
  runs: number;
  failures: number;
  /** The failure with the fewest steps seen (ties: lowest seed). */
  first: Failure | null;
  exhaustive?: boolean;
  /** Filled by a shrink pass. */
  shrunk?: Failure;
}

export interface Results {
  readonly format: 'ktls-lab-results';
  readonly version: 1;
  readonly strategy: ExploreStrategy;
  readonly shard: string | null;
  readonly cells: Cell[];
}

export function emptyResults(
  selection: Selection,
  strategy: ExploreStrategy,
  shard?: Shard,
): Results {
  return {
    format: 'ktls-lab-results',
    version: 1,
    strategy,
    shard: shard ? `${shard.index}/${shard.count}` : null,
    cells: selection.designs.flatMap((d) =>
      [
        ...selection.scenarios.filter((s) => strategy !== 'dfs' || s.small).map((s) => s.name),
        ...(selection.generated && strategy !== 'dfs' ? [GENERATED_CELL] : []),
      ].map((scenario) => ({
        design: d.name,
        scenario,
        kind: d.kind,
        runs: 0,
        failures: 0,
        first: null,
      })),
    ),
  };
}

function better(a: Failure, b: Failure | null): boolean {
  return b === null || a.steps < b.steps || (a.steps === b.steps && a.seed < b.seed);
}

/** Adds task results into the table (order does not matter: the outcome is the same). */
export function record(results: Results, taskResults: readonly TaskResult[]): void {
  const byKey = new Map(results.cells.map((c) => [`${c.design}\u0000${c.scenario}`, c]));
  for (const t of taskResults) {
    const c = byKey.get(`${t.design}\u0000${t.cell ?? t.scenario}`);
    if (!c) continue;
    c.runs += t.runs;
    if (t.exhaustive !== undefined) c.exhaustive = (c.exhaustive ?? true) && t.exhaustive;
    if (t.failure) {
      c.failures++;
      if (better(t.failure, c.first)) c.first = t.failure;
    }
  }
}

export class ResultsError extends Error {
  override readonly name = 'ResultsError';
}

/** Joins result files from shards (`ktls-lab merge`). */
export function merge(files: readonly unknown[]): Results {
  if (!Array.isArray(files)) throw new ResultsError('merge takes an array of results');
  if (files.length === 0) throw new ResultsError('nothing to merge');
  const parsed = files.map((f, i) => {
    const r = f as Partial<Results>;
    if (r?.format !== 'ktls-lab-results')
      throw new ResultsError(`file ${i + 1} is not a ktls-lab results file`);
    if (r.version !== 1)
      throw new ResultsError(
        `file ${i + 1} has results version ${String(r.version)}; this build reads 1`,
      );
    if (!Array.isArray(r.cells)) throw new ResultsError(`file ${i + 1} has no cells`);
    return r as Results;
  });
  const strategy = parsed[0]!.strategy;
  const out: Results = { format: 'ktls-lab-results', version: 1, strategy, shard: null, cells: [] };
  const byKey = new Map<string, Cell>();
  for (const r of parsed) {
    for (const c of r.cells) {
      const key = `${c.design}\u0000${c.scenario}`;
      let m = byKey.get(key);
      if (!m) {
        m = {
          design: c.design,
          scenario: c.scenario,
          kind: c.kind,
          runs: 0,
          failures: 0,
          first: null,
        };
        byKey.set(key, m);
        out.cells.push(m);
      }
      m.runs += c.runs;
      m.failures += c.failures;
      if (c.first && better(c.first, m.first)) m.first = c.first;
      if (c.shrunk && (!m.shrunk || c.shrunk.choices < m.shrunk.choices)) m.shrunk = c.shrunk;
      if (c.exhaustive !== undefined) m.exhaustive = (m.exhaustive ?? true) && c.exhaustive;
    }
  }
  return out;
}

export interface Verdict {
  /** Correct designs that failed somewhere. */
  readonly unexpected: readonly Cell[];
  /** Mutants (in the selection) that no scenario caught. */
  readonly uncaught: readonly string[];
  readonly ok: boolean;
}

/** Exit 0 when every correct design held and every mutant was caught in the selection. */
export function verdict(results: Results): Verdict {
  const unexpected = results.cells.filter((c) => c.kind === 'correct' && c.failures > 0);
  const mutants = [
    ...new Set(results.cells.filter((c) => c.kind === 'mutant').map((c) => c.design)),
  ];
  const uncaught = mutants.filter(
    (m) => !results.cells.some((c) => c.design === m && c.failures > 0),
  );
  return { unexpected, uncaught, ok: unexpected.length === 0 && uncaught.length === 0 };
}

export function invariantName(id: number): string {
  return INVARIANTS[id - 1]?.name ?? `invariant ${id}`;
}

export function designKinds(): Record<string, SimDesign['kind']> {
  return Object.fromEntries(SIM_DESIGNS.map((d) => [d.name, d.kind]));
}
