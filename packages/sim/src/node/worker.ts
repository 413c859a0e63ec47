/** The worker thread of `workerRunner`: runs whole batches of tasks. */
import { runTask, type Task, type TaskResult } from '../explore.js';

export function runTasks(batch: readonly Task[]): TaskResult[] {
  return batch.map((t) => runTask(t));
}
