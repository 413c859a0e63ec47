import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { TaskResult } from '../explore.js';
import { inThreadRunner, type TaskRunner } from '../exploreRun.js';
import { type KillJob, type KillResult, killSearch } from '../kill.js';

/** A runner and the pool behind it, which `close()` shuts down. */
export interface PoolRunner extends TaskRunner {
  /** One mutant × strategy search for its first violation (the kill table), on a worker. */
  killSearch(job: KillJob): Promise<KillResult>;
  close(): Promise<void>;
}

/** Yields to the event loop so that timers (a progress bar) and I/O get a turn between batches. */
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Batches on a pool of worker threads (piscina), each importing the simulator once, so a message
 * round trip is paid per batch, not per run. One worker runs on this thread instead.
 */
export function workerRunner(workers = defaultWorkers()): PoolRunner {
  if (workers <= 1) {
    return {
      ...inThreadRunner(),
      async killSearch(job) {
        await yieldNow();
        return killSearch(job);
      },
      close: async () => {},
    };
  }
  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
  });
  return {
    workers,
    runTasks: (batch) => pool.run(batch, { name: 'runTasks' }) as Promise<TaskResult[]>,
    killSearch: (job) => pool.run(job, { name: 'killSearch' }) as Promise<KillResult>,
    close: () => pool.destroy(),
  };
}
