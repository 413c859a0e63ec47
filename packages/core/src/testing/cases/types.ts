import type { AeadEngine } from '../../aead.js';
import type { AeadAlgorithm } from '../../suites.js';

/** One conformance check: `run` throws a descriptive Error when the engine fails it. */
export interface AeadConformanceCase {
  readonly name: string;
  /** The algorithm it exercises (an engine that lacks it cannot run it); null: the engine as a whole. */
  readonly algorithm: AeadAlgorithm | null;
  run(engine: AeadEngine): void | Promise<void>;
}

/** What the cases know about the engine under test. */
export interface CaseContext {
  /** The algorithms the engine claims. */
  readonly algorithms: readonly AeadAlgorithm[];
  /** A trusted engine the one under test must match byte for byte, when given. */
  readonly reference: AeadEngine | undefined;
}
