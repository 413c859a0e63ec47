/**
 * @ktls-lab/sim: a deterministic simulator of the control-plane/data-plane split. Browser-safe:
 * it reads no clock, no environment and no randomness but the seeded stream it is given.
 */
export { type Chooser, RandomChooser, RecordingChooser, ReplayChooser } from './choices.js';
export { findSimDesign, SIM_DESIGNS, type SimDesign } from './designs.js';
export { type DfsResult, exploreDfs, independent } from './dfs.js';
export { Framer, type FramerKind, frameMessage } from './framing.js';
export { INVARIANTS, type InvariantId, type Violation } from './invariants.js';
export { ACTORS, PctChooser } from './pct.js';
export {
  decodeChoices,
  encodeChoices,
  formatRepro,
  parseRepro,
  REPRO_VERSION,
  type Repro,
  ReproError,
  STRATEGIES,
  type StrategyName,
} from './repro.js';
export {
  checkDeterminism,
  chooserFor,
  DEFAULT_MAX_STEPS,
  replay,
  resolveRepro,
  type RunOptions,
  type RunOutcome,
  runSeed,
  runWith,
  segmentationFor,
  suggest,
  traceOf,
  UntracedRunError,
} from './run.js';
export {
  ACTION_KINDS,
  type AppAction,
  describeAction,
  type Scenario,
} from './scenario/actions.js';
export { findScenario, SCENARIOS } from './scenario/catalog.js';
export { decodeScenario, ENCODED_PREFIX, encodeScenario } from './scenario/codec.js';
export {
  GENERATED_PREFIX,
  generatedSeed,
  generateScenario,
  generateScenarios,
} from './scenario/generate.js';
export { scenarioNamed } from './scenario/lookup.js';
export { scenarioSize } from './scenario/shrinkScenario.js';
export { scenarioProblems } from './scenario/validate.js';
export {
  alertMessage,
  HEARTBEAT_REQUEST,
  HELLO_REQUEST_MESSAGE,
  keyUpdateMessage,
  TICKET_MESSAGE,
} from './scenario/messages.js';
export { type ShrinkOptions, type ShrinkResult, shrink } from './shrink.js';
export type { EndpointName } from './world/endpoint.js';
export type { WorldOptions } from './world/options.js';
export type { WorldResult } from './world/scheduler.js';
export { World } from './world/world.js';
export {
  type Cell,
  designKinds,
  emptyResults,
  type ExploreStrategy,
  GENERATED_CELL,
  type Failure,
  invariantName,
  merge,
  parseShard,
  type Results,
  ResultsError,
  record,
  runTask,
  type Selection,
  SelectionError,
  select,
  type Shard,
  type Task,
  type TaskResult,
  tasks,
  type Verdict,
  verdict,
} from './explore.js';
export {
  EXPLORE_STRATEGIES,
  type ExploreOptions,
  type ExploreOutcome,
  type ExploreProgress,
  explore,
  exploreWith,
  inThreadRunner,
  MAX_SEED,
  type TaskRunner,
} from './exploreRun.js';
export {
  KILL_STRATEGIES,
  type KillJob,
  type KillResult,
  type KillStrategy,
  killSearch,
} from './kill.js';
