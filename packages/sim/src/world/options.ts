import type { Chooser } from '../choices.js';
import type { SimDesign } from '../designs.js';
import type { Scenario } from '../scenario/actions.js';

export interface WorldOptions {
  readonly scenario: Scenario;
  readonly design: SimDesign;
  readonly chooser: Chooser;
  /** `any`: TCP segments are cut anywhere (inside record headers too); `whole`: all pending bytes at once. */
  readonly segmentation: 'any' | 'whole';
  readonly trace: boolean;
  readonly maxSteps: number;
}
