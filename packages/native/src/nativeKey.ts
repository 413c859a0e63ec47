import type { AeadAlgorithm, AeadKey } from '@ktls-lab/core';
import { RecordLayerError } from '@ktls-lab/core';

/**
 * The keys of one native engine (AF_ALG, EVP): each holds the addon's handle in a private field,
 * invisible to JSON and inspection, beside the algorithm and the fingerprint, and is frozen (the
 * engine trusts `algorithm`). Each kind is its own class, so an engine refuses another's keys.
 */
export interface NativeKeyKind<H> {
  make(algorithm: AeadAlgorithm, fingerprint: string, handle: H): AeadKey;
  /** The key's handle, or a `RecordLayerError('invalid_argument')` for a key of another kind. */
  handleOf(key: AeadKey): H;
  /** The key's handle, or undefined for a key of another kind. */
  peek(key: AeadKey): H | undefined;
}

/** A new kind of native key; `engine` names the engine in the error for a foreign key. */
export function nativeKeyKind<H>(engine: string): NativeKeyKind<H> {
  let read: ((key: NativeKey) => H) | undefined;
  class NativeKey implements AeadKey {
    readonly algorithm: AeadAlgorithm;
    readonly fingerprint: string;
    readonly #handle: H;
    constructor(algorithm: AeadAlgorithm, fingerprint: string, handle: H) {
      this.algorithm = algorithm;
      this.fingerprint = fingerprint;
      this.#handle = handle;
      Object.freeze(this);
    }
    static {
      read = (key) => key.#handle;
    }
  }
  const handleOf = read!;
  return {
    make: (algorithm, fingerprint, handle) => new NativeKey(algorithm, fingerprint, handle),
    handleOf: (key) => {
      if (!(key instanceof NativeKey)) {
        throw RecordLayerError.of('invalid_argument', `key was not imported by an ${engine}`);
      }
      return handleOf(key);
    },
    peek: (key) => (key instanceof NativeKey ? handleOf(key) : undefined),
  };
}
