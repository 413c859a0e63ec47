/**
 * @ktls-lab/cli as a library: the exploration loop with its time budget and worker pool, the
 * shrink/determinism pass, the verdict table and the results directory, as the `ktls-lab` binary
 * uses them.
 */
export { collect, formatDuration, parseDuration, positiveInt, shardArg } from './args.js';
export { buildProgram, exitOf, main } from './cli.js';
export { catalog } from './commands/list.js';
export { UsageError } from './errors.js';
export {
  EXIT,
  EXIT_CODES,
  type ExitName,
  exitCodeHelp,
  exitCodeMarkdown,
} from './exitCodes.js';
export {
  EXPLORE_STRATEGIES,
  type ExploreOptions,
  type ExploreOutcome,
  type ExploreProgress,
  explore,
  MAX_SEED,
} from './explore.js';
export {
  type CheckedFailure,
  checkFailures,
  failureOf,
  type ShrinkPassOptions,
  type ShrinkPassReport,
  shrinkFailures,
} from './failures.js';
export { type IndexEntry, prepareOutDir, traceFileName, writeOutDir } from './files.js';
export {
  failingCells,
  failureLines,
  verdictJson,
  verdictSentence,
  verdictTable,
} from './report.js';
export { createRunner, defaultWorkers, type Runner } from './runner.js';
export { PLAIN, type Style, styleFor } from './style.js';
