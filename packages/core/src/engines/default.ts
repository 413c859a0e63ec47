import type { AeadEngine } from '../aead.js';
import { RecordLayerError } from '../errors.js';
import { NodeCryptoAeadEngine, nodeCryptoAvailable } from './nodeCrypto.js';

/**
 * A faster engine than node:crypto that another package offers as the default, without core
 * knowing it: `@ktls-lab/native` registers its OpenSSL EVP engine this way when its addon loads
 * (dependencies point one way, native → core). `create` may throw; the record layer then falls
 * back to node:crypto.
 */
export interface AeadEngineProvider {
  /** The `name` of the engines it creates (what `ktls-lab probe` and trace headers show). */
  readonly name: string;
  create(): AeadEngine;
}

let registered: AeadEngineProvider | undefined;

/**
 * Makes `provider` the default engine of record layers created from now on (`undefined`: back to
 * node:crypto). Returns the provider it replaced, so a caller can put it back.
 */
export function setDefaultAeadEngineProvider(
  provider: AeadEngineProvider | undefined,
): AeadEngineProvider | undefined {
  const previous = registered;
  registered = provider;
  return previous;
}

/** The provider registered with `setDefaultAeadEngineProvider`, if any. */
export function defaultAeadEngineProvider(): AeadEngineProvider | undefined {
  return registered;
}

/**
 * The engine a record layer gets when its caller names none: the registered provider's (see
 * `setDefaultAeadEngineProvider`), else node:crypto wherever the runtime has it (Node.js). A
 * browser has no synchronous AEAD of its own (WebCrypto is async), so there the caller passes an
 * engine; the error says which.
 */
export function defaultAeadEngine(): AeadEngine {
  if (registered !== undefined) {
    try {
      return registered.create();
    } catch (error) {
      // The always-present fallback: a provider that cannot make an engine here (its addon
      // failed to load after registering, a key type it lacks) must not stop the record layer.
      if (!nodeCryptoAvailable()) throw error;
    }
  }
  if (nodeCryptoAvailable()) return new NodeCryptoAeadEngine();
  throw RecordLayerError.of(
    'invalid_argument',
    'no default AEAD engine in this runtime (node:crypto is missing): pass options.engine, e.g. a ModelAeadEngine (deterministic, for simulation; not real crypto)',
  );
}
