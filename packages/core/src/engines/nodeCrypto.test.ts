import { describe, expect, it } from 'vitest';
import { RecordLayerError } from '../errors.js';
import { aeadConformanceCases } from '../testing/index.js';
import { ModelAeadEngine } from './model.js';
import { NodeCryptoAeadEngine } from './nodeCrypto.js';

const engine = new NodeCryptoAeadEngine();

/**
 * The shared AEAD conformance suite (src/testing): every published known answer it holds
 * (GCM spec and CAVP, RFC 8439, CCM CAVP, RFC 8448 records, the kernel's zero_len records), and
 * sizes, views, trailers, tampering and argument checks for all four algorithms.
 */
describe('NodeCryptoAeadEngine conformance', () => {
  for (const c of aeadConformanceCases()) it(c.name, () => c.run(engine));
});

describe('keys do not cross engines', () => {
  // The conformance suite refuses a look-alike handle; these are real handles of the other engine.
  const model = new ModelAeadEngine();
  for (const [from, to] of [
    [model, engine],
    [engine, model],
  ] as const) {
    it(`${to.name} refuses a key imported by ${from.name}`, () => {
      const key = from.importKey('aes-128-gcm', new Uint8Array(16));
      const nonce = new Uint8Array(12);
      const aad = new Uint8Array(0);
      expect(() => to.seal({ key, nonce, aad, plaintext: new Uint8Array(1) })).toThrow(
        RecordLayerError,
      );
      expect(() => to.open({ key, nonce, aad, ciphertext: new Uint8Array(17) })).toThrow(
        RecordLayerError,
      );
    });
  }
});
