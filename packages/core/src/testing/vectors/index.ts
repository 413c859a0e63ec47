import type { AeadVector } from './aead.js';
import { CCM_CAVP_VECTORS, GCM_CAVP_VECTORS, GCM_SPEC_VECTORS, RFC8439_VECTOR } from './aead.js';
import { RFC8448_AEAD_VECTORS } from './rfc8448.js';
import { ZERO_LEN_AEAD_VECTORS } from './zeroLen.js';

/** Every published known answer the conformance suite holds an engine to, by source. */
export const AEAD_VECTORS: readonly AeadVector[] = [
  ...GCM_SPEC_VECTORS,
  ...GCM_CAVP_VECTORS,
  RFC8439_VECTOR,
  ...CCM_CAVP_VECTORS,
  ...RFC8448_AEAD_VECTORS,
  ...ZERO_LEN_AEAD_VECTORS,
];

/** The vector of that name; a typo in a test's pick fails loudly instead of picking nothing. */
export function vectorNamed(name: string): AeadVector {
  const v = AEAD_VECTORS.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no AEAD vector named ${name}`);
  return v;
}
