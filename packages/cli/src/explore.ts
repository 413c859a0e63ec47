import {
  type ExploreOptions,
  type ExploreOutcome,
  exploreWith,
  type TaskRunner,
} from '@ktls-lab/sim';

/**
 * The exploration loop behind `ktls-lab explore` lives in @ktls-lab/sim (`exploreWith`); the CLI
 * adds the clock for `--budget`, the worker pool (runner.ts), the progress bar and the files.
 */
export function explore(runner: TaskRunner, options: ExploreOptions): Promise<ExploreOutcome> {
  return exploreWith(runner, { now: () => performance.now(), ...options });
}

export {
  EXPLORE_STRATEGIES,
  type ExploreOptions,
  type ExploreOutcome,
  type ExploreProgress,
  MAX_SEED,
} from '@ktls-lab/sim';
