/**
 * `@ktls-lab/core/testing`: what tests of this repository share. Published vectors (RFC 8448,
 * the kernel selftest zero_len records, GCM/CCM/ChaCha20-Poly1305 known answers) as typed data,
 * and one AEAD engine conformance suite as framework-free cases. It imports neither vitest nor
 * node:*, so the same cases run under vitest, in the VM's plain-node kernel runner and in a
 * browser.
 */

export { AEAD_ALGORITHMS, type AlgorithmSupport, probeAlgorithms } from './algorithms.js';
export {
  check,
  checkBytes,
  checkNoThrow,
  checkRejected,
  checkThrowsLike,
  ConformanceError,
} from './check.js';
export {
  type AeadConformanceCase,
  type AeadConformanceOptions,
  aeadConformanceCases,
} from './conformance.js';
export { at, flipBit, seedOf, TestPrng, testBytes, views } from './prng.js';
export {
  type AeadVector,
  CCM_CAVP_VECTORS,
  GCM_CAVP_VECTORS,
  GCM_SPEC_VECTORS,
  RFC8439_VECTOR,
} from './vectors/aead.js';
export { AEAD_VECTORS, vectorNamed } from './vectors/index.js';
export {
  RFC8448,
  RFC8448_AEAD_VECTORS,
  RFC8448_APP_RECORDS,
  RFC8448_CLOSE_NOTIFY,
  RFC8448_PAYLOAD_50,
  type Rfc8448Record,
} from './vectors/rfc8448.js';
export {
  ZERO_LEN_AEAD_VECTORS,
  ZERO_LEN_RECORDS,
  ZERO_LEN_VARIANTS,
  type ZeroLenRead,
  type ZeroLenRecord,
  type ZeroLenVariant,
} from './vectors/zeroLen.js';
