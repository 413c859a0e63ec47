/** The worker thread of `workerRunner`: runs whole batches of tasks, or one kill search. */
import { runTask, type Task, type TaskResult } from '../explore.js';

export function runTasks(batch: readonly Task[]): TaskResult[] {
  return batch.map((t) => runTask(t));
}

export { killSearch } from '../kill.js';
