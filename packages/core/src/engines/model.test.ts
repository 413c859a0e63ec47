import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AEAD_KEY_LENGTH } from '../aead.js';
import { toHex } from '../bytes.js';
import { keyFingerprint } from '../cryptoState.js';
import { AEAD_ALGORITHMS, aeadConformanceCases, at } from '../testing/index.js';
import { ModelAeadEngine, type NonceReuse } from './model.js';

const ALGORITHMS = AEAD_ALGORITHMS.map((a) => [a, AEAD_KEY_LENGTH[a]] as const);

const arbCase = fc.constantFrom(...ALGORITHMS).chain(([algorithm, keyLen]) =>
  fc.record({
    algorithm: fc.constant(algorithm),
    key: fc.uint8Array({ minLength: keyLen, maxLength: keyLen }),
    nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    aad: fc.uint8Array({ maxLength: 40 }),
    plaintext: fc.uint8Array({ maxLength: 300 }),
    // Where to place the inputs inside a bigger buffer: exercises unaligned views.
    offset: fc.integer({ min: 0, max: 7 }),
  }),
);

/**
 * The shared AEAD conformance suite (src/testing) without the published bytes (the model is not
 * the real cipher): sizes, views, trailers, fuzzed lengths, tampering, key and nonce checks.
 */
describe('ModelAeadEngine conformance', () => {
  const engine = new ModelAeadEngine();
  for (const c of aeadConformanceCases({ knownAnswers: false })) it(c.name, () => c.run(engine));
});

describe('ModelAeadEngine', () => {
  it('property: seal then open returns the plaintext, for every algorithm', () => {
    const engine = new ModelAeadEngine();
    fc.assert(
      fc.property(arbCase, (c) => {
        const key = engine.importKey(c.algorithm, c.key);
        const sealed = engine.seal({
          key,
          nonce: at(c.nonce, c.offset),
          aad: at(c.aad, c.offset),
          plaintext: at(c.plaintext, c.offset),
        });
        expect(sealed.length).toBe(c.plaintext.length + 16);
        const opened = engine.open({
          key,
          nonce: c.nonce,
          aad: c.aad,
          ciphertext: at(sealed, c.offset),
        });
        expect(opened).not.toBeNull();
        expect(toHex(opened!)).toBe(toHex(c.plaintext));
      }),
      { numRuns: 400 },
    );
  });

  it('property: any single bit flip in nonce, AAD, ciphertext or tag makes open return null', () => {
    const engine = new ModelAeadEngine();
    fc.assert(
      fc.property(arbCase, fc.nat(), fc.constantFrom('nonce', 'aad', 'ct'), (c, r, where) => {
        const key = engine.importKey(c.algorithm, c.key);
        const sealed = engine.seal({ key, nonce: c.nonce, aad: c.aad, plaintext: c.plaintext });
        const target = where === 'nonce' ? c.nonce : where === 'aad' ? c.aad : sealed;
        if (target.length === 0) return;
        const bad = Uint8Array.from(target);
        const bit = r % (bad.length * 8);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const req = {
          key,
          nonce: where === 'nonce' ? bad : c.nonce,
          aad: where === 'aad' ? bad : c.aad,
          ciphertext: where === 'ct' ? bad : sealed,
        };
        expect(engine.open(req)).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it('property: the wrong key (or the same bytes under another algorithm) does not open', () => {
    const engine = new ModelAeadEngine();
    fc.assert(
      fc.property(arbCase, fc.nat(), (c, r) => {
        const key = engine.importKey(c.algorithm, c.key);
        const sealed = engine.seal({ key, nonce: c.nonce, aad: c.aad, plaintext: c.plaintext });
        const other = Uint8Array.from(c.key);
        const bit = r % (other.length * 8);
        other[bit >> 3]! ^= 1 << (bit & 7);
        const wrong = engine.importKey(c.algorithm, other);
        expect(
          engine.open({ key: wrong, nonce: c.nonce, aad: c.aad, ciphertext: sealed }),
        ).toBeNull();
        const sameLen = ALGORITHMS.find(([a, l]) => a !== c.algorithm && l === c.key.length)!;
        const cross = engine.importKey(sameLen[0], c.key);
        expect(
          engine.open({ key: cross, nonce: c.nonce, aad: c.aad, ciphertext: sealed }),
        ).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: same inputs, same bytes, across engines and key imports', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const a = new ModelAeadEngine();
        const b = new ModelAeadEngine();
        const req = { nonce: c.nonce, aad: c.aad, plaintext: c.plaintext };
        const x = a.seal({ ...req, key: a.importKey(c.algorithm, c.key) });
        const y = b.seal({ ...req, key: b.importKey(c.algorithm, c.key) });
        expect(toHex(x)).toBe(toHex(y));
      }),
      { numRuns: 200 },
    );
    // A pinned answer, so a change to the model's functions shows up as a diff here.
    const e = new ModelAeadEngine();
    const key = e.importKey('aes-128-gcm', new Uint8Array(16));
    const sealed = e.seal({
      key,
      nonce: new Uint8Array(12),
      aad: new Uint8Array(0),
      plaintext: new TextEncoder().encode('Hello world'),
    });
    // Pinned: traces recorded with the model stay readable only while these bytes do not change.
    expect(toHex(sealed)).toBe('2bcb16b4c4d80b9e67e9b7484f4997cf2a19f65d2602519a3309b5');
  });

  it('ciphertext is not the plaintext, and differs per nonce', () => {
    const e = new ModelAeadEngine();
    const key = e.importKey('chacha20-poly1305', new Uint8Array(32).fill(3));
    const plaintext = new Uint8Array(64);
    const n1 = e.seal({ key, nonce: new Uint8Array(12), aad: new Uint8Array(0), plaintext });
    const n2 = e.seal({
      key,
      nonce: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
      aad: new Uint8Array(0),
      plaintext,
    });
    expect(toHex(n1.subarray(0, 64))).not.toBe(toHex(plaintext));
    expect(toHex(n1.subarray(0, 64))).not.toBe(toHex(n2.subarray(0, 64)));
  });
});

describe('ModelAeadEngine nonce reuse', () => {
  it('records a reuse of (key, nonce) with its count, and calls onNonceReuse; never throws', () => {
    const seen: NonceReuse[] = [];
    const e = new ModelAeadEngine({ onNonceReuse: (r) => seen.push(r) });
    const raw = new Uint8Array(16).fill(9);
    const key = e.importKey('aes-128-gcm', raw);
    const nonce = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    const req = { key, nonce, aad: new Uint8Array(0), plaintext: new Uint8Array(4) };
    e.seal(req);
    expect(e.nonceReuses()).toEqual([]);
    e.seal(req);
    e.seal({ ...req, plaintext: new Uint8Array(9) }); // a different message is still a reuse
    const fingerprint = keyFingerprint(raw);
    expect(e.nonceReuses()).toEqual([{ fingerprint, nonce: '0102030405060708090a0b0c', count: 3 }]);
    expect(seen).toEqual([
      { fingerprint, nonce: '0102030405060708090a0b0c', count: 2 },
      { fingerprint, nonce: '0102030405060708090a0b0c', count: 3 },
    ]);
  });

  it('is per key bytes: the same key imported twice shares its nonces; another key does not', () => {
    const e = new ModelAeadEngine();
    const raw = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(12);
    const req = { nonce, aad: new Uint8Array(0), plaintext: new Uint8Array(0) };
    e.seal({ ...req, key: e.importKey('aes-256-gcm', raw) });
    e.seal({ ...req, key: e.importKey('aes-256-gcm', new Uint8Array(32).fill(2)) });
    e.seal({ ...req, key: e.importKey('chacha20-poly1305', raw) }); // another algorithm: no reuse
    expect(e.nonceReuses()).toEqual([]);
    // A second import of the same bytes (a reinstalled key, a resumed state) is the same key.
    e.seal({ ...req, key: e.importKey('aes-256-gcm', raw) });
    expect(e.nonceReuses()).toEqual([
      { fingerprint: keyFingerprint(raw), nonce: '00'.repeat(12), count: 2 },
    ]);
  });

  it('records nothing for distinct nonces, including ones that share a long prefix', () => {
    const e = new ModelAeadEngine();
    const key = e.importKey('aes-128-ccm', new Uint8Array(16));
    const base = Uint8Array.of(9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0);
    for (let seq = 0; seq < 70_000; seq++) {
      const nonce = Uint8Array.from(base);
      new DataView(nonce.buffer).setUint32(8, seq);
      nonce[7] = seq >>> 16;
      e.seal({ key, nonce, aad: new Uint8Array(0), plaintext: new Uint8Array(0) });
    }
    expect(e.nonceReuses()).toEqual([]);
    // Open does not count as a use.
    const sealed = e.seal({
      key,
      nonce: new Uint8Array(12).fill(5),
      aad: new Uint8Array(0),
      plaintext: new Uint8Array(1),
    });
    e.open({ key, nonce: new Uint8Array(12).fill(5), aad: new Uint8Array(0), ciphertext: sealed });
    expect(e.nonceReuses()).toEqual([]);
  });
});

describe('ModelAeadEngine nonce reuse after many records', () => {
  it('finds a reuse among thousands of sequential nonces (dense bitmap) and sparse ones', () => {
    const e = new ModelAeadEngine();
    const key = e.importKey('aes-128-gcm', new Uint8Array(16).fill(4));
    const iv = Uint8Array.of(
      0x11,
      0x22,
      0x33,
      0x44,
      0x55,
      0x66,
      0x77,
      0x88,
      0x99,
      0xaa,
      0xbb,
      0xcc,
    );
    const nonceFor = (seq: number) => {
      const n = Uint8Array.from(iv);
      const s = new Uint8Array(8);
      new DataView(s.buffer).setUint32(4, seq);
      for (let i = 0; i < 8; i++) n[4 + i]! ^= s[i]!; // RFC 8446 §5.3
      return n;
    };
    const req = { key, aad: new Uint8Array(0), plaintext: new Uint8Array(0) };
    for (let seq = 0; seq < 5000; seq++) e.seal({ ...req, nonce: nonceFor(seq) });
    expect(e.nonceReuses()).toEqual([]);
    e.seal({ ...req, nonce: nonceFor(4321) }); // past SPARSE_MAX: the bitmap block
    e.seal({ ...req, nonce: nonceFor(70_000) }); // a new, sparse block
    e.seal({ ...req, nonce: nonceFor(70_000) });
    expect(e.nonceReuses().map((r) => [r.nonce, r.count])).toEqual([
      [toHex(nonceFor(4321)), 2],
      [toHex(nonceFor(70_000)), 2],
    ]);
  });
});
