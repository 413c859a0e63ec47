import type { Chooser } from '../choices.js';
import type { SimDesign } from '../designs.js';
import type { Scenario } from '../scenario/actions.js';

export interface WorldOptions {
  readonly scenario: Scenario;
  readonly design: SimDesign;
  readonly chooser: Chooser;
  /**
   * `any`: TCP segments are cut anywhere (inside record headers too); `edges`: all pending bytes,
   * or once per run a cut inside the first record's header (few enough choices for exhaustive
   * DFS, and it reaches the parser's reassembly); `whole`: all pending bytes.
   */
  readonly segmentation: 'any' | 'edges' | 'whole';
  readonly trace: boolean;
  readonly maxSteps: number;
}
