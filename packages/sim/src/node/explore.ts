import { performance } from 'node:perf_hooks';
import { type ExploreOptions, type ExploreOutcome, exploreWith } from '../exploreRun.js';
import { defaultWorkers, workerRunner } from './workerRunner.js';

/**
 * `explore` with what Node.js has: the budget timed by `performance.now`, and the work spread over
 * `workers` threads (default: one per core).
 *
 *   const outcome = await explore({ selection: select(), strategy: 'random', budgetMs: 10_000 });
 *   verdict(outcome.results).ok
 */
export async function explore(
  options: ExploreOptions & { readonly workers?: number },
): Promise<ExploreOutcome> {
  const runner = workerRunner(options.workers ?? defaultWorkers());
  try {
    return await exploreWith(runner, { now: () => performance.now(), ...options });
  } finally {
    await runner.close();
  }
}
