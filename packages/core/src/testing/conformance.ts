import type { AeadEngine } from '../aead.js';
import type { AeadAlgorithm } from '../suites.js';
import { AEAD_ALGORITHMS } from './algorithms.js';
import {
  foreignKeyCase,
  keyHandleCase,
  keyLengthCase,
  nonceLengthCase,
  unknownAlgorithmCase,
} from './cases/arguments.js';
import { knownAnswerCase } from './cases/knownAnswers.js';
import { emptyCase, fuzzCase, sizesCase, trailerCase } from './cases/roundTrip.js';
import { tamperCase } from './cases/tamper.js';
import type { AeadConformanceCase, CaseContext } from './cases/types.js';
import type { AeadVector } from './vectors/aead.js';
import { AEAD_VECTORS, vectorNamed } from './vectors/index.js';

export type { AeadConformanceCase } from './cases/types.js';

/**
 * The inputs the tamper cases seal and then damage: per algorithm one with both AAD and
 * plaintext, and one with an empty plaintext where a source has one.
 */
const TAMPER_INPUTS: readonly AeadVector[] = [
  'GCM spec test case 4', // 60-byte plaintext, 20-byte AAD
  'GCM spec test case 1', // nothing but the tag
  'GCM spec test case 16',
  'GCM spec test case 13',
  'RFC 8439 §2.8.2',
  'CAVP VNT128 count 50',
  'kernel selftest zero_len id0_ctrl_l0', // empty plaintext, 13-byte AAD
].map(vectorNamed);

export interface AeadConformanceOptions {
  /**
   * The algorithms the engine claims (default: all four). Cases of the others are not listed;
   * `probeAlgorithms` finds what an engine can run where that depends on the machine (AF_ALG).
   */
  readonly algorithms?: readonly AeadAlgorithm[];
  /**
   * Whether the engine computes the real AEADs, so the published bytes apply (default true).
   * False for a stand-in such as the model engine: it is held to everything else.
   */
  readonly knownAnswers?: boolean;
  /** A trusted engine (node:crypto) whose bytes the engine under test must match at every size. */
  readonly reference?: AeadEngine;
}

/**
 * The AEAD engine conformance suite, as framework-free cases: each `run(engine)` throws an Error
 * that names what failed. Per claimed algorithm: the known answers (seal and open byte-exact),
 * every size from empty to 2^14 under every kind of input view, trailer and prefix, fuzzed
 * lengths, an empty plaintext, tampering of every kind rejected by `open` returning null, wrong
 * key and nonce lengths and foreign handles refused as aead.ts's checks refuse them, and a key
 * handle that shows no key bytes. Register them with any runner:
 *
 *     for (const c of aeadConformanceCases()) it(c.name, () => c.run(engine));
 */
export function aeadConformanceCases(
  options: AeadConformanceOptions = {},
): readonly AeadConformanceCase[] {
  const algorithms = options.algorithms ?? AEAD_ALGORITHMS;
  const ctx: CaseContext = { algorithms, reference: options.reference };
  const cases: AeadConformanceCase[] = [];
  for (const algorithm of AEAD_ALGORITHMS) {
    if (!algorithms.includes(algorithm)) continue;
    if (options.knownAnswers ?? true) {
      for (const v of AEAD_VECTORS) if (v.algorithm === algorithm) cases.push(knownAnswerCase(v));
    }
    cases.push(
      sizesCase(algorithm, ctx),
      trailerCase(algorithm, ctx),
      fuzzCase(algorithm, ctx),
      emptyCase(algorithm, ctx),
    );
    for (const v of TAMPER_INPUTS) if (v.algorithm === algorithm) cases.push(tamperCase(v, ctx));
    cases.push(
      keyLengthCase(algorithm),
      nonceLengthCase(algorithm),
      keyHandleCase(algorithm),
      foreignKeyCase(algorithm),
    );
  }
  cases.push(unknownAlgorithmCase());
  return cases;
}
