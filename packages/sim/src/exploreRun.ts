import {
  emptyResults,
  type ExploreStrategy,
  type Results,
  record,
  runTask,
  type Selection,
  type Shard,
  type Task,
  type TaskResult,
  tasks,
} from './explore.js';
import { STRATEGIES } from './repro.js';

/** Where the runs of a batch happen: this thread, or a pool of workers (`@ktls-lab/sim/node`). */
export interface TaskRunner {
  readonly workers: number;
  runTasks(batch: readonly Task[]): Promise<TaskResult[]>;
}

/** Runs every task on the calling thread, giving the event loop a turn between batches. */
export function inThreadRunner(): TaskRunner {
  return {
    workers: 1,
    async runTasks(batch) {
      // A macrotask turn, so timers (a progress display) and I/O run between batches.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      return batch.map((t) => runTask(t));
    },
  };
}

/**
 * The exploration loop behind `ktls-lab explore`. The simulator is pure and reads no clock; the
 * time budget lives here.
 *
 * random / pct: seeds go out in batches (1 seed for every cell, then 2, 4, ...), each batch split
 * into chunks for the runner. A cell that has failed gets no more seeds (unless `keepGoing`).
 * The loop stops when the seeds are done, when every cell has failed, or when the budget is spent;
 * a batch in flight is always finished. Batch boundaries are a function of the arguments alone
 * when there is no budget, so `--seeds N` gives the same table on every run and any worker count.
 * With `--shard i/n`, every batch covers a multiple of n seeds, so a shard's share of a batch is
 * exactly its share of `tasks(selection, strategy, 1, N + 1, shard)`.
 *
 * dfs: one task per (design × small scenario), each an exhaustive exploration.
 */
export interface ExploreOptions {
  readonly selection: Selection;
  readonly strategy: ExploreStrategy;
  /** Seeds 1..seeds for each cell (random, pct). */
  readonly seeds?: number;
  readonly budgetMs?: number;
  readonly shard?: Shard;
  /** Keep running a cell after its first failure (counts become shard-additive). */
  readonly keepGoing?: boolean;
  readonly onProgress?: (p: ExploreProgress) => void;
  /** Asked between batches: true stops the run (Ctrl-C), keeping what was done. */
  readonly interrupted?: () => boolean;
  /**
   * The clock (milliseconds), needed with `budgetMs` only: the simulator reads no clock of its
   * own (a budget is the one thing that depends on time; each run stays a function of its seed).
   * `@ktls-lab/sim/node`'s `explore` passes `performance.now`.
   */
  readonly now?: () => number;
}

export interface ExploreProgress {
  readonly runs: number;
  readonly failingCells: number;
  readonly elapsedMs: number;
  /** 0..1 of the planned work: seeds (or dfs tasks) done, or time spent for a budget. */
  readonly fraction: number;
}

export interface ExploreOutcome {
  readonly results: Results;
  readonly runs: number;
  readonly elapsedMs: number;
  /** Highest seed given out (random/pct; 0 for dfs). */
  readonly lastSeed: number;
  readonly stoppedBy: 'seeds' | 'budget' | 'all-failed' | 'done' | 'interrupted';
}

/** The strategies `explore` runs (`replay` is how a repro string says "these exact choices"). */
export const EXPLORE_STRATEGIES: readonly ExploreStrategy[] = STRATEGIES.filter(
  (s): s is ExploreStrategy => s !== 'replay',
);

/** Seeds are 32-bit (repro strings carry them as such). */
export const MAX_SEED = 0xffff_ffff;
/** Tasks per batch, roughly, once batches have grown. */
const BATCH_TASKS = 4096;
/** Longest a batch should take under a budget: the most the budget can be overrun by. */
const BATCH_MS = 1000;

const cellKey = (t: { design: string; scenario: string; cell?: string }) =>
  `${t.design}\u0000${t.cell ?? t.scenario}`;

export async function exploreWith(
  runner: TaskRunner,
  options: ExploreOptions,
): Promise<ExploreOutcome> {
  const now = clockOf(options);
  const start = now();
  const budget = options.budgetMs;
  const deadline = budget === undefined ? Number.POSITIVE_INFINITY : start + budget;
  const results = emptyResults(options.selection, options.strategy, options.shard);
  let runs = 0;
  const failing = () => results.cells.filter((c) => c.failures > 0).length;
  const report = (fraction: number) => {
    const elapsedMs = now() - start;
    options.onProgress?.({
      runs,
      failingCells: failing(),
      elapsedMs,
      fraction:
        budget === undefined ? fraction : Math.max(fraction, Math.min(1, elapsedMs / budget)),
    });
  };
  const take = (r: readonly TaskResult[]) => {
    record(results, r);
    for (const t of r) runs += t.runs;
  };
  const chunked = (batch: readonly Task[]) => {
    const size = Math.min(256, Math.max(1, Math.ceil(batch.length / (runner.workers * 4))));
    const chunks: Task[][] = [];
    for (let i = 0; i < batch.length; i += size) chunks.push(batch.slice(i, i + size));
    return chunks;
  };
  const finish = (stoppedBy: ExploreOutcome['stoppedBy'], lastSeed: number): ExploreOutcome => ({
    results,
    runs,
    elapsedMs: now() - start,
    lastSeed,
    stoppedBy,
  });

  if (options.strategy === 'dfs') {
    const all = tasks(options.selection, 'dfs', 0, 0, options.shard);
    let done = 0;
    report(0);
    for (let i = 0; i < all.length; i += runner.workers) {
      if (now() >= deadline) return finish('budget', 0);
      if (options.interrupted?.()) return finish('interrupted', 0);
      await Promise.all(
        all.slice(i, i + runner.workers).map(async (t) => {
          take(await runner.runTasks([t]));
          done++;
          report(done / all.length);
        }),
      );
    }
    return finish('done', 0);
  }

  const lastSeed = Math.min(options.seeds ?? MAX_SEED, MAX_SEED);
  const n = options.shard?.count ?? 1;
  const cells = results.cells.length;
  const stopped = new Set<string>();
  // Batch size in units of n seeds: 1, 2, 4, ... up to about BATCH_TASKS tasks.
  const cap = Math.max(1, Math.floor(BATCH_TASKS / Math.max(1, cells)));
  let units = 1;
  let next = 1;
  report(0);
  for (;;) {
    if (next > lastSeed) return finish('seeds', lastSeed);
    if (now() >= deadline) return finish('budget', next - 1);
    if (options.interrupted?.()) return finish('interrupted', next - 1);
    const active = options.keepGoing ? cells : cells - stopped.size;
    if (active === 0) return finish('all-failed', next - 1);

    let size = units;
    if (budget !== undefined && runs > 0) {
      // Keep the batch short enough to end near the deadline.
      const elapsed = Math.max(1, now() - start);
      const tasksPerMs = runs / elapsed;
      const ms = Math.min(BATCH_MS, Math.max(20, deadline - now()));
      size = Math.max(1, Math.min(size, Math.floor((tasksPerMs * ms) / Math.max(1, active))));
    }
    units = Math.min(cap, units * 2);
    const to = Math.min(lastSeed + 1, next + size * n);
    const batch = tasks(options.selection, options.strategy, next, to, options.shard).filter(
      (t) => options.keepGoing || !stopped.has(cellKey(t)),
    );
    const batchSeeds = to - next;
    const seedsBefore = next - 1;
    let doneInBatch = 0;
    await Promise.all(
      chunked(batch).map(async (chunk) => {
        take(await runner.runTasks(chunk));
        doneInBatch += chunk.length;
        report((seedsBefore + (batchSeeds * doneInBatch) / Math.max(1, batch.length)) / lastSeed);
      }),
    );
    for (const c of results.cells) if (c.failures > 0) stopped.add(cellKey(c));
    next = to;
    report((next - 1) / lastSeed);
  }
}

function clockOf(options: ExploreOptions): () => number {
  if (options.now) return options.now;
  if (options.budgetMs !== undefined) {
    throw new RangeError(
      'explore: a budget needs a clock (options.now); @ktls-lab/sim/node passes performance.now',
    );
  }
  // No budget: nothing is timed but the progress report's elapsed field, which stays 0.
  return () => 0;
}

/**
 * Budgeted or seeded exploration of a selection of designs × scenarios, on this thread unless a
 * runner is given. The verdicts (`verdict(outcome.results)`) say whether every correct design held
 * and every mutant was caught.
 */
export function explore(
  options: ExploreOptions & { readonly runner?: TaskRunner },
): Promise<ExploreOutcome> {
  return exploreWith(options.runner ?? inThreadRunner(), options);
}
