/**
 * The OpenSSL EVP engine on the host (it needs no special kernel): core's AEAD conformance suite
 * (`@ktls-lab/core/testing`: RFC 8448, the kernel selftest vectors, the CAVP and RFC 8439 known
 * answers, every size and view, tampered tags and lengths, argument checks) with node:crypto as
 * the reference; byte-identical to node:crypto with prefixes and trailers; the batch API in
 * place, with forgeries reported per record and bad ranges refused before anything changes; and
 * the engine as the record layer's default once this package is imported.
 */
import {
  AEAD_KEY_LENGTH,
  type AeadEngine,
  defaultAeadEngine,
  NodeCryptoAeadEngine,
  RecordLayerError,
  setDefaultAeadEngineProvider,
  TlsRecordLayer,
  toHex,
} from '@ktls-lab/core';
import { AEAD_ALGORITHMS, aeadConformanceCases, testBytes as bytes } from '@ktls-lab/core/testing';
import { describe, expect, it } from 'vitest';
import {
  BATCH_STRIDE,
  BatchField,
  EVP_ENGINE_NAME,
  EvpAeadEngine,
  evpAeadEngineProvider,
  evpAvailability,
  formatProbe,
  probe,
} from '../src/index.js';

const reference = new NodeCryptoAeadEngine();
const evp = new EvpAeadEngine();

describe('the EVP engine passes core’s AEAD conformance suite', () => {
  it('is available here, with every AEAD', () => {
    const a = evpAvailability();
    expect(a.ok, a.ok ? '' : a.reason).toBe(true);
    if (a.ok) {
      expect(a.openssl).toMatch(/^OpenSSL 3\./);
      expect([...a.algorithms].sort()).toEqual([...AEAD_ALGORITHMS].sort());
    }
  });
  for (const c of aeadConformanceCases({ reference })) {
    it(c.name, () => c.run(new EvpAeadEngine()));
  }
});

describe('byte-identical to node:crypto', () => {
  for (const alg of AEAD_ALGORITHMS) {
    it(`${alg}: sizes 0–16 KiB, AADs of 13, 5 and 0 bytes, prefix and trailer`, () => {
      const keyBytes = bytes(AEAD_KEY_LENGTH[alg], 7);
      const ke = evp.importKey(alg, keyBytes);
      const kn = reference.importKey(alg, keyBytes);
      expect(ke.fingerprint).toBe(kn.fingerprint);
      for (const size of [0, 1, 15, 16, 17, 1024, 4096, 16384]) {
        for (const aadLen of [13, 5, 0]) {
          const nonce = bytes(12, size + 11);
          const aad = bytes(aadLen, size + 3);
          const plaintext = bytes(size, size + 5);
          const n = reference.seal({ key: kn, nonce, aad, plaintext });
          expect(toHex(evp.seal({ key: ke, nonce, aad, plaintext }))).toBe(toHex(n));
          expect(toHex(evp.open({ key: ke, nonce, aad, ciphertext: n })!)).toBe(toHex(plaintext));
          const prefix = bytes(13, 99);
          const trailer = Uint8Array.of(23);
          const joined = reference.seal({ key: kn, nonce, aad, plaintext, trailer, prefix });
          expect(toHex(evp.seal({ key: ke, nonce, aad, plaintext, trailer, prefix }))).toBe(
            toHex(joined),
          );
          const bad = Uint8Array.from(n);
          bad[bad.length - 1]! ^= 1;
          expect(evp.open({ key: ke, nonce, aad, ciphertext: bad })).toBeNull();
        }
      }
    });
  }

  it('a key from another engine, a short nonce and a closed key are typed EINVAL errors', () => {
    const kn = reference.importKey('aes-128-gcm', bytes(16, 1));
    const req = { nonce: bytes(12, 1), aad: bytes(13, 2), plaintext: bytes(5, 3) };
    expect(() => evp.seal({ key: kn, ...req })).toThrow(RecordLayerError);
    const k = evp.importKey('aes-128-gcm', bytes(16, 1));
    expect(() => evp.seal({ key: k, ...req, nonce: bytes(8, 1) })).toThrow(/nonce must be 12/);
    evp.closeKey(k);
    let error: unknown;
    try {
      evp.seal({ key: k, ...req });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordLayerError);
    expect(error).toMatchObject({ code: 'invalid_argument', errno: 'EINVAL' });
    expect(String(error)).toMatch(/closed/);
  });
});

/** A batch of `sizes` records laid out in one arena: input i, its nonce and AAD after them. */
function layout(sizes: readonly number[], seed: number) {
  const inputs: number[] = [];
  let at = 0;
  for (const s of sizes) {
    inputs.push(at);
    at += s + 16;
  }
  const scratch = at;
  const arena = new Uint8Array(scratch + sizes.length * 25);
  const desc = new Uint32Array(sizes.length * BATCH_STRIDE);
  sizes.forEach((s, i) => {
    const o = i * BATCH_STRIDE;
    arena.set(bytes(s, seed + i), inputs[i]!);
    arena.set(bytes(12, seed + 100 + i), scratch + i * 25);
    arena.set(bytes(13, seed + 200 + i), scratch + i * 25 + 12);
    desc[o + BatchField.nonce] = scratch + i * 25;
    desc[o + BatchField.aadOffset] = scratch + i * 25 + 12;
    desc[o + BatchField.aadLength] = 13;
    desc[o + BatchField.input] = inputs[i]!;
    desc[o + BatchField.inputLength] = s;
    desc[o + BatchField.output] = inputs[i]!;
  });
  return { arena, desc, inputs, scratch };
}

describe('batches, in place', () => {
  for (const alg of AEAD_ALGORITHMS) {
    it(`${alg}: one call seals and opens many records in the arena, forgeries per record`, () => {
      const keyBytes = bytes(AEAD_KEY_LENGTH[alg], 3);
      const ke = evp.importKey(alg, keyBytes);
      const kn = reference.importKey(alg, keyBytes);
      const sizes = [0, 1, 64, 1024, 16384, 17];
      const { arena, desc, inputs, scratch } = layout(sizes, 40);
      evp.sealBatch(ke, arena, desc, sizes.length);
      sizes.forEach((s, i) => {
        const want = reference.seal({
          key: kn,
          nonce: arena.subarray(scratch + i * 25, scratch + i * 25 + 12),
          aad: arena.subarray(scratch + i * 25 + 12, scratch + i * 25 + 25),
          plaintext: bytes(s, 40 + i),
        });
        expect(toHex(arena.subarray(inputs[i]!, inputs[i]! + s + 16))).toBe(toHex(want));
        desc[i * BATCH_STRIDE + BatchField.inputLength] = s + 16;
      });
      arena[inputs[2]! + 3]! ^= 1; // record 2's ciphertext
      arena[inputs[4]! + 16384 + 15]! ^= 1; // record 4's tag
      expect(evp.openBatch(ke, arena, desc, sizes.length)).toBe(sizes.length - 2);
      sizes.forEach((s, i) => {
        const opened = desc[i * BATCH_STRIDE + BatchField.status] === 1;
        expect(opened).toBe(i !== 2 && i !== 4);
        const plain = arena.subarray(inputs[i]!, inputs[i]! + s);
        // A record that failed is wiped: nothing unverified is left in the arena.
        expect(toHex(plain)).toBe(toHex(opened ? bytes(s, 40 + i) : new Uint8Array(s)));
      });
    });
  }

  it('a range past the arena throws a typed error and changes nothing', () => {
    const k = evp.importKey('aes-128-gcm', bytes(16, 1));
    const { arena, desc } = layout([10, 20], 5);
    const before = toHex(arena);
    desc[BATCH_STRIDE + BatchField.output] = arena.length - 4;
    expect(() => evp.sealBatch(k, arena, desc, 2)).toThrow(/record 1 reaches past the arena/);
    expect(toHex(arena)).toBe(before);
    expect(() => evp.sealBatch(k, arena, desc, 3)).toThrow(/fewer records/);
  });

  it('output apart from input, and overlapping it, give the same bytes', () => {
    const k = evp.importKey('chacha20-poly1305', bytes(32, 1));
    const { arena, desc } = layout([100], 9);
    const copy = Uint8Array.from(arena);
    evp.sealBatch(k, arena, desc, 1);
    const inPlace = toHex(arena.subarray(0, 116));
    for (const output of [3, 140]) {
      const a = Uint8Array.from(copy);
      // Room for the shifted output: the scratch moves along.
      const big = new Uint8Array(a.length + 200);
      big.set(a);
      const d = Uint32Array.from(desc);
      d[BatchField.output] = output;
      evp.sealBatch(k, big, d, 1);
      expect(toHex(big.subarray(output, output + 116))).toBe(inPlace);
    }
  });
});

describe('the default engine', () => {
  it('importing @ktls-lab/native made EVP the record layer’s default; the trace header says so', () => {
    const tx = new TlsRecordLayer();
    expect(tx.traceHeader().engine).toBe(EVP_ENGINE_NAME);
    expect(defaultAeadEngine().name).toBe('openssl-evp');
  });

  it('`ktls-lab probe` names the record layer’s engine and its OpenSSL', () => {
    const p = probe();
    expect(p.userspaceEngine.name).toBe(EVP_ENGINE_NAME);
    expect(p.userspaceEngine.explanation).toMatch(/^OpenSSL 3\.\S+ .*EVP in the addon/);
    expect(formatProbe(p)).toMatch(/^record layer: {2}openssl-evp \(OpenSSL 3/m);
    // Not a kernel feature: a kernel without AF_ALG or TLS does not make it missing.
    expect(p.missing.join('\n')).not.toMatch(/record layer|EVP/);
  });

  it('node:crypto comes back when the provider is removed or cannot make an engine', () => {
    const previous = setDefaultAeadEngineProvider(undefined);
    try {
      expect(previous).toBe(evpAeadEngineProvider);
      expect(new TlsRecordLayer().traceHeader().engine).toBe('node:crypto');
      expect(probe().userspaceEngine).toMatchObject({ name: 'node:crypto' });
      setDefaultAeadEngineProvider({
        name: 'broken',
        create: (): AeadEngine => {
          throw new Error('no addon');
        },
      });
      expect(defaultAeadEngine().name).toBe('node:crypto');
    } finally {
      setDefaultAeadEngineProvider(previous);
    }
  });
});
