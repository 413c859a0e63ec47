import { AEAD_KEY_LENGTH, type AeadEngine } from '../aead.js';
import type { AeadAlgorithm } from '../suites.js';

/** Every AEAD the record layer runs, in aead.ts's order. */
export const AEAD_ALGORITHMS: readonly AeadAlgorithm[] = Object.keys(
  AEAD_KEY_LENGTH,
) as AeadAlgorithm[];

/** Which algorithms an engine can run here, and why not the others. */
export interface AlgorithmSupport {
  readonly supported: readonly AeadAlgorithm[];
  readonly missing: readonly { readonly algorithm: AeadAlgorithm; readonly reason: string }[];
}

/**
 * Asks the engine itself: an algorithm is supported when `importKey` takes a key of its length.
 * For an engine whose algorithms depend on where it runs (AF_ALG: a kernel may lack `ccm(aes)` or
 * `rfc7539(chacha20,poly1305)`, and bind() fails with ENOENT) the reason is the engine's error.
 * The imported keys are not closed here; an engine that holds resources per key is closed by its
 * caller.
 */
export function probeAlgorithms(
  engine: AeadEngine,
  algorithms: readonly AeadAlgorithm[] = AEAD_ALGORITHMS,
): AlgorithmSupport {
  const supported: AeadAlgorithm[] = [];
  const missing: { algorithm: AeadAlgorithm; reason: string }[] = [];
  for (const algorithm of algorithms) {
    try {
      engine.importKey(algorithm, new Uint8Array(AEAD_KEY_LENGTH[algorithm]));
      supported.push(algorithm);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      missing.push({
        algorithm,
        reason: `${engine.name} cannot import a ${algorithm} key: ${reason}`,
      });
    }
  }
  return { supported, missing };
}
