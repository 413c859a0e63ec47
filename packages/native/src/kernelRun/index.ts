/**
 * The kernel-path adapter: runs a scenario of the simulator's catalog (sim's `Scenario`, its
 * `AppAction` vocabulary) with core's control plane (key schedule, KeyUpdate handling, alerts) and
 * the REAL kernel as the data plane (`kernelWorld.ts`), and the same script (`script.ts`) on
 * core's `TlsRecordLayer` (`coreWorld.ts`), so the two can be compared (`compare.ts`). Between
 * the endpoints a relay moves whole records and applies the network faults (`relay.ts`).
 */
export {
  type KernelAction,
  type KernelScenario,
  kernelCapability,
  rfc2015Capability,
} from './capability.js';
export { compareRuns, designForKernel } from './compare.js';
export { runScenarioOnCore } from './coreWorld.js';
export { runScenarioOnKernel } from './kernelWorld.js';
export { countOutOfOrder, type Rfc2015Stats } from './rfc2015DataPlane.js';
export {
  type Rfc2015RunOptions,
  type Rfc2015RunResult,
  runScenarioOnRfc2015,
} from './rfc2015World.js';
export {
  type AppSequences,
  type AppStep,
  appSequence,
  appSequencesOfRun,
  appSequencesOfTrace,
  compareWithSim,
  runScenarioOnSim,
  SIM_DIVERGENCES,
  type SimDivergence,
  type SimRunResult,
} from './simWorld.js';
export type { EndpointObservation, KernelRunOptions, KernelRunResult } from './types.js';
