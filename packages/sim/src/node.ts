/**
 * `@ktls-lab/sim/node`: what only runs under Node.js: exploration timed by the process's clock and
 * spread over worker threads. The main entry stays browser-safe and reads no clock.
 */
export { explore } from './node/explore.js';
export { defaultWorkers, type PoolRunner, workerRunner } from './node/workerRunner.js';
