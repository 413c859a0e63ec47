import { availableParallelism } from 'node:os';
import { runTask, type Task, type TaskResult } from '@ktls-lab/sim';
import { Piscina } from 'piscina';
import { type KillJob, type KillResult, killSearch } from './kill.js';

/**
 * Where simulator work runs: inline on the main thread (`--workers 1`), or on a piscina pool of
 * worker threads, each of which imports @ktls-lab/sim (dist/worker.js).
 */
export interface Runner {
  readonly workers: number;
  runTasks(batch: readonly Task[]): Promise<TaskResult[]>;
  killSearch(job: KillJob): Promise<KillResult>;
  close(): Promise<void>;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export function createRunner(workers: number): Runner {
  return workers <= 1 ? inlineRunner() : poolRunner(workers);
}

/** Yields to the event loop so that timers (the progress bar) and I/O get a turn between batches. */
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

function inlineRunner(): Runner {
  return {
    workers: 1,
    async runTasks(batch) {
      await yieldNow();
      return batch.map((t) => runTask(t));
    },
    async killSearch(job) {
      await yieldNow();
      return killSearch(job);
    },
    async close() {},
  };
}

function poolRunner(workers: number): Runner {
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
