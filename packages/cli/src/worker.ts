/**
 * The piscina worker: each worker thread imports the simulator once and runs whole batches, so
 * a message round trip is paid per batch, not per run.
 */
import { runTask, type Task, type TaskResult } from '@ktls-lab/sim';

export function runTasks(batch: readonly Task[]): TaskResult[] {
  return batch.map((t) => runTask(t));
}

export { killSearch } from './kill.js';
