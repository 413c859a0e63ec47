import type { AeadEngine } from '../aead.js';
import { RecordLayerError } from '../errors.js';
import { NodeCryptoAeadEngine, nodeCryptoAvailable } from './nodeCrypto.js';

/**
 * The engine a record layer gets when its caller names none: node:crypto wherever the runtime
 * has it (Node.js). A browser has no synchronous AEAD of its own (WebCrypto is async), so there
 * the caller passes an engine; the error says which.
 */
export function defaultAeadEngine(): AeadEngine {
  if (nodeCryptoAvailable()) return new NodeCryptoAeadEngine();
  throw RecordLayerError.of(
    'invalid_argument',
    'no default AEAD engine in this runtime (node:crypto is missing): pass options.engine, e.g. a ModelAeadEngine (deterministic, for simulation; not real crypto)',
  );
}
