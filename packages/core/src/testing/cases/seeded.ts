import type { AeadEngine } from '../../aead.js';
import type { AeadAlgorithm } from '../../suites.js';
import { seedOf, TestPrng } from '../prng.js';
import type { AeadConformanceCase } from './types.js';

/** A case whose inputs come from a PRNG seeded by its name: the same bytes on every run. */
export function seededCase(
  name: string,
  algorithm: AeadAlgorithm,
  run: (engine: AeadEngine, prng: TestPrng) => void,
): AeadConformanceCase {
  return { name, algorithm, run: (engine) => run(engine, new TestPrng(seedOf(name))) };
}
