import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealPlaintext } from '../aead.js';
import { toHex } from '../bytes.js';
import type { AeadAlgorithm } from '../suites.js';
import { ModelAeadEngine } from './model.js';
import { NodeCryptoAeadEngine } from './nodeCrypto.js';

const ALGORITHMS: readonly [AeadAlgorithm, number][] = [
  ['aes-128-gcm', 16],
  ['aes-256-gcm', 32],
  ['aes-128-ccm', 16],
  ['chacha20-poly1305', 32],
];

/** Record sizes around the block and tag edges, up to a full TLS record (2^14, RFC 8446 §5.1). */
const SIZES = [0, 1, 15, 16, 17, 1024, 16384] as const;

/**
 * The same bytes as three kinds of view: its own buffer, a view at an odd offset into a larger
 * one, and (for empty input) a view over a zero-byte ArrayBuffer, which node:crypto hands to
 * OpenSSL as a NULL pointer.
 */
function views(b: Uint8Array): Uint8Array[] {
  const host = new Uint8Array(b.length + 5);
  host.set(b, 3);
  const out = [Uint8Array.from(b), host.subarray(3, 3 + b.length)];
  if (b.length === 0) out.push(new Uint8Array(new ArrayBuffer(0)));
  return out;
}

for (const engine of [new NodeCryptoAeadEngine(), new ModelAeadEngine()]) {
  describe(`${engine.name}: seal then open returns the input`, () => {
    for (const [algorithm, keyLength] of ALGORITHMS) {
      it(`${algorithm}, sizes ${SIZES.join(', ')}`, () => {
        fc.assert(
          fc.property(
            fc.uint8Array({ minLength: keyLength, maxLength: keyLength }),
            fc.uint8Array({ minLength: 12, maxLength: 12 }),
            fc.uint8Array({ maxLength: 13 }),
            fc.constantFrom(...SIZES),
            fc.integer({ min: 0, max: 255 }),
            (rawKey, nonce, aad, size, fill) => {
              const key = engine.importKey(algorithm, rawKey);
              const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 31 + fill) & 0xff);
              for (const pt of views(plaintext)) {
                for (const ad of views(aad)) {
                  const sealed = engine.seal({ key, nonce, aad: ad, plaintext: pt });
                  expect(sealed.length).toBe(size + 16);
                  for (const ct of views(sealed)) {
                    const opened = engine.open({ key, nonce, aad: ad, ciphertext: ct });
                    expect(opened).not.toBeNull();
                    expect(opened!.length).toBe(size);
                    expect(toHex(opened!)).toBe(toHex(plaintext));
                  }
                }
              }
            },
          ),
          { numRuns: 40 },
        );
      });
    }
  });
}

/** Sizes either side of the node:crypto engine's split point (4096), where it stops copying. */
const TRAILER_SIZES = [0, 1, 63, 64, 4095, 4096, 16384] as const;

for (const engine of [new NodeCryptoAeadEngine(), new ModelAeadEngine()]) {
  describe(`${engine.name}: a trailer is sealed as if appended to the plaintext`, () => {
    for (const [algorithm, keyLength] of ALGORITHMS) {
      it(`${algorithm}, sizes ${TRAILER_SIZES.join(', ')}, with and without a prefix`, () => {
        fc.assert(
          fc.property(
            fc.uint8Array({ minLength: keyLength, maxLength: keyLength }),
            fc.uint8Array({ minLength: 12, maxLength: 12 }),
            fc.uint8Array({ maxLength: 13 }),
            fc.constantFrom(...TRAILER_SIZES),
            fc.uint8Array({ maxLength: 3 }),
            fc.uint8Array({ maxLength: 13 }),
            (rawKey, nonce, aad, size, trailer, prefix) => {
              const key = engine.importKey(algorithm, rawKey);
              const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 1) & 0xff);
              const apart = engine.seal({ key, nonce, aad, plaintext, trailer, prefix });
              const joined = engine.seal({
                key,
                nonce,
                aad,
                plaintext: sealPlaintext({ key, nonce, aad, plaintext, trailer }),
                prefix,
              });
              expect(toHex(apart)).toBe(toHex(joined));
              expect(apart.length).toBe(prefix.length + size + trailer.length + 16);
              const opened = engine.open({
                key,
                nonce,
                aad,
                ciphertext: apart.subarray(prefix.length),
              });
              expect(opened && toHex(opened)).toBe(toHex(Uint8Array.of(...plaintext, ...trailer)));
            },
          ),
          { numRuns: 30 },
        );
      });
    }
  });
}
