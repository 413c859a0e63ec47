import { findSimDesign } from './designs.js';
import { exploreDfs } from './dfs.js';
import { runSeed } from './run.js';
import { SCENARIOS } from './scenario/catalog.js';

/**
 * The kill table (`ktls-lab bench kill`): for one mutant and one strategy, how many schedules it
 * takes to see the first violation.
 *
 * - random / pct: seeds 1..maxSeeds are tried on every scenario in lockstep (seed 1 on every
 *   scenario, then seed 2, ...), so the first hit is the lowest seed that fails on any scenario;
 *   `schedules` is that seed: the seeds-to-first-failure of the best scenario.
 * - dfs: every small scenario is explored exhaustively until its first failure; `schedules` is the
 *   fewest schedules any small scenario needed.
 */
export type KillStrategy = 'random' | 'pct' | 'dfs';
export const KILL_STRATEGIES: readonly KillStrategy[] = ['random', 'pct', 'dfs'];

export interface KillJob {
  readonly mutant: string;
  readonly strategy: KillStrategy;
  readonly maxSeeds: number;
  /** dfs: schedules per scenario before giving up. */
  readonly dfsMaxRuns?: number;
}

export interface KillResult {
  readonly mutant: string;
  readonly strategy: KillStrategy;
  /** Schedules until the first violation, or null when none was found. */
  readonly schedules: number | null;
  readonly scenario: string | null;
  readonly invariant: number | null;
  /** The invariant that fired is one the mutant lists in `caughtBy`. */
  readonly expected: boolean | null;
  readonly repro: string | null;
  /** Runs actually made (all scenarios, until the hit or the end). */
  readonly runs: number;
  /** Why nothing was found, when nothing was. */
  readonly note: string | null;
}

export function killSearch(job: KillJob): KillResult {
  const design = findSimDesign(job.mutant);
  if (!design) throw new Error(`unknown design ${job.mutant}`);
  const caughtBy = design.caughtBy ?? [];
  const hit = (
    schedules: number,
    scenario: string,
    invariant: number,
    repro: string,
    runs: number,
  ): KillResult => ({
    mutant: job.mutant,
    strategy: job.strategy,
    schedules,
    scenario,
    invariant,
    expected: caughtBy.includes(invariant),
    repro,
    runs,
    note: null,
  });
  const miss = (runs: number, note: string): KillResult => ({
    mutant: job.mutant,
    strategy: job.strategy,
    schedules: null,
    scenario: null,
    invariant: null,
    expected: null,
    repro: null,
    runs,
    note,
  });

  if (job.strategy === 'dfs') {
    const small = SCENARIOS.filter((s) => s.small);
    let best: KillResult | null = null;
    let runs = 0;
    for (const scenario of small) {
      const r = exploreDfs(scenario, design, {
        maxRuns: job.dfsMaxRuns ?? 20_000,
        stopAtFirstFailure: true,
      });
      runs += r.runs;
      const f = r.firstFailure;
      if (f?.violation && (best === null || r.runs < best.schedules!)) {
        best = hit(r.runs, scenario.name, f.violation.invariant, f.repro, 0);
      }
    }
    return best ? { ...best, runs } : miss(runs, 'not in small scenarios');
  }

  let runs = 0;
  for (let seed = 1; seed <= job.maxSeeds; seed++) {
    for (const scenario of SCENARIOS) {
      runs++;
      const o = runSeed(scenario, design, job.strategy, seed);
      if (o.violation) return hit(seed, scenario.name, o.violation.invariant, o.repro, runs);
    }
  }
  return miss(runs, `not caught in seeds 1..${job.maxSeeds}`);
}
