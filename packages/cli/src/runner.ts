import { defaultWorkers, type PoolRunner, workerRunner } from '@ktls-lab/sim/node';

/**
 * Where simulator work runs: inline on the main thread (`--workers 1`), or on a pool of worker
 * threads: @ktls-lab/sim/node's runner, which also runs the kill table's searches.
 */
export type Runner = PoolRunner;

export { defaultWorkers };

export function createRunner(workers: number): Runner {
  return workerRunner(workers);
}
