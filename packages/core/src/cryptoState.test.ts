import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_U64, fromHex, toHex, u64be } from './bytes.js';
import {
  type CryptoState,
  cryptoStateFromKernel,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  cryptoStateToKernel,
  keyFingerprint,
  validateCryptoState,
} from './cryptoState.js';
import { RecordLayerError } from './errors.js';
import { TLS_1_2, TLS_1_3 } from './protocol.js';
import { type CipherSuite, SUITES, suiteByName } from './suites.js';

/**
 * Offsets of `struct tls12_crypto_info_<cipher>` (docs/kernel-tls.md §2, from
 * include/uapi/linux/tls.h).
 */
const LAYOUT = {
  51: { iv: 4, ivLen: 8, key: 12, keyLen: 16, salt: 28, saltLen: 4, recSeq: 32, size: 40 },
  52: { iv: 4, ivLen: 8, key: 12, keyLen: 32, salt: 44, saltLen: 4, recSeq: 48, size: 56 },
  53: { iv: 4, ivLen: 8, key: 12, keyLen: 16, salt: 28, saltLen: 4, recSeq: 32, size: 40 },
  54: { iv: 4, ivLen: 12, key: 16, keyLen: 32, salt: 48, saltLen: 0, recSeq: 48, size: 56 },
} as const;

/** Bytes with a recognisable pattern per field, so a misplaced field shows in the diff. */
function pattern(len: number, base: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, i) => (base + i) & 0xff);
}

function stateFor(suite: CipherSuite, recSeq = 0x0102030405060708n): CryptoState {
  return {
    version: suite.version,
    suite,
    key: pattern(suite.keyLength, 0x10),
    salt: pattern(suite.saltLength, 0xa0),
    iv: pattern(suite.kernelIvLength, 0xc0),
    recSeq,
  };
}

function expectInvalid(f: () => unknown): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(RecordLayerError);
  expect((thrown as RecordLayerError).code).toBe('invalid_argument');
  expect((thrown as RecordLayerError).errno).toBe('EINVAL');
}

describe('cryptoStateToKernel: struct tls12_crypto_info_* byte layout', () => {
  for (const suite of SUITES) {
    it(`${suite.name}: header LE, iv/key/salt/rec_seq at the uapi offsets`, () => {
      const layout = LAYOUT[suite.kernelCipher as keyof typeof LAYOUT];
      const state = stateFor(suite);
      const b = cryptoStateToKernel(state);
      expect(b.length).toBe(layout.size);
      // __u16 version, __u16 cipher_type, little-endian (x86-64 / arm64 host order).
      expect(b[0]).toBe(suite.version & 0xff);
      expect(b[1]).toBe(suite.version >> 8);
      expect(b[2]).toBe(suite.kernelCipher);
      expect(b[3]).toBe(0);
      expect(toHex(b.subarray(layout.iv, layout.iv + layout.ivLen))).toBe(toHex(state.iv));
      expect(toHex(b.subarray(layout.key, layout.key + layout.keyLen))).toBe(toHex(state.key));
      expect(toHex(b.subarray(layout.salt, layout.salt + layout.saltLen))).toBe(toHex(state.salt));
      // rec_seq is big-endian.
      expect(toHex(b.subarray(layout.recSeq, layout.recSeq + 8))).toBe('0102030405060708');
    });
  }

  it('TLS 1.3 AES-128-GCM: the whole struct, byte for byte', () => {
    const b = cryptoStateToKernel(stateFor(suiteByName('TLS_AES_128_GCM_SHA256'), 5n));
    expect(toHex(b)).toBe(
      '0403' +
        '3300' +
        'c0c1c2c3c4c5c6c7' +
        '101112131415161718191a1b1c1d1e1f' +
        'a0a1a2a3' +
        '0000000000000005',
    );
  });

  it('refuses to encode an invalid state', () => {
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    expectInvalid(() => cryptoStateToKernel({ ...stateFor(suite), key: new Uint8Array(32) }));
    expectInvalid(() => cryptoStateToKernel({ ...stateFor(suite), recSeq: MAX_U64 + 1n }));
    expectInvalid(() => cryptoStateToKernel({ ...stateFor(suite), version: TLS_1_2 }));
  });
});

describe('cryptoStateFromKernel', () => {
  for (const suite of SUITES) {
    it(`${suite.name}: round-trips to the same state and the same bytes`, () => {
      const state = stateFor(suite, 0xfffffffffffffffen);
      const bytes = cryptoStateToKernel(state);
      const back = cryptoStateFromKernel(bytes);
      expect(back.suite).toBe(suite);
      expect(back.version).toBe(suite.version);
      expect(toHex(back.key)).toBe(toHex(state.key));
      expect(toHex(back.salt)).toBe(toHex(state.salt));
      expect(toHex(back.iv)).toBe(toHex(state.iv));
      expect(back.recSeq).toBe(state.recSeq);
      expect(toHex(cryptoStateToKernel(back))).toBe(toHex(bytes));
      // The parsed state owns its bytes.
      bytes.fill(0);
      expect(toHex(back.key)).toBe(toHex(state.key));
    });
  }

  it('accepts a struct inside a larger buffer at an odd offset', () => {
    const suite = suiteByName('TLS_CHACHA20_POLY1305_SHA256');
    const bytes = cryptoStateToKernel(stateFor(suite));
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 1);
    expect(cryptoStateFromKernel(host.subarray(1, 1 + bytes.length)).recSeq).toBe(
      0x0102030405060708n,
    );
  });

  it('rejects bad lengths, versions and ciphers with invalid_argument', () => {
    const gcm = cryptoStateToKernel(stateFor(suiteByName('TLS_AES_128_GCM_SHA256')));
    expectInvalid(() => cryptoStateFromKernel(new Uint8Array(0)));
    expectInvalid(() => cryptoStateFromKernel(gcm.subarray(0, 3)));
    expectInvalid(() => cryptoStateFromKernel(gcm.subarray(0, 39)));
    const long = new Uint8Array(41);
    long.set(gcm);
    expectInvalid(() => cryptoStateFromKernel(long));
    // A 56-byte struct labelled AES-128-GCM (the kernel wants optlen == sizeof exactly).
    const wide = cryptoStateToKernel(stateFor(suiteByName('TLS_AES_256_GCM_SHA384')));
    wide[2] = 51;
    expectInvalid(() => cryptoStateFromKernel(wide));
    // The selftest tls_basic.bad_cipher values: version 200, cipher 50, 59, 10, 70; plus SM4/ARIA.
    for (const [version, cipher] of [
      [200, 51],
      [0x0302, 51],
      [0x0305, 51],
      [TLS_1_2, 50],
      [TLS_1_2, 59],
      [TLS_1_2, 10],
      [TLS_1_2, 70],
      [TLS_1_3, 55],
      [TLS_1_2, 58],
      [TLS_1_2, 0],
    ] as const) {
      const b = Uint8Array.from(gcm);
      new DataView(b.buffer).setUint16(0, version, true);
      new DataView(b.buffer).setUint16(2, cipher, true);
      expectInvalid(() => cryptoStateFromKernel(b));
    }
    // Big-endian header bytes are not a valid struct on a little-endian host.
    const be = Uint8Array.from(gcm);
    new DataView(be.buffer).setUint16(0, TLS_1_3, false);
    new DataView(be.buffer).setUint16(2, 51, false);
    expectInvalid(() => cryptoStateFromKernel(be));
  });

  it('property: random valid states round-trip byte-identically', () => {
    const arbState = fc
      .constantFrom(...SUITES)
      .chain((suite) =>
        fc.record({
          suite: fc.constant(suite),
          key: fc.uint8Array({ minLength: suite.keyLength, maxLength: suite.keyLength }),
          salt: fc.uint8Array({ minLength: suite.saltLength, maxLength: suite.saltLength }),
          iv: fc.uint8Array({ minLength: suite.kernelIvLength, maxLength: suite.kernelIvLength }),
          recSeq: fc.bigInt({ min: 0n, max: MAX_U64 }),
        }),
      )
      .map((r): CryptoState => ({ ...r, version: r.suite.version }));
    fc.assert(
      fc.property(arbState, (state) => {
        expect(validateCryptoState(state)).toBeNull();
        const bytes = cryptoStateToKernel(state);
        const back = cryptoStateFromKernel(bytes);
        expect(back.suite).toBe(state.suite);
        expect(back.recSeq).toBe(state.recSeq);
        expect(toHex(cryptoStateToKernel(back))).toBe(toHex(bytes));
      }),
      { numRuns: 500 },
    );
  });
});

describe('validateCryptoState', () => {
  const suite = suiteByName('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');

  it('accepts a valid state and names each defect', () => {
    expect(validateCryptoState(stateFor(suite))).toBeNull();
    expect(validateCryptoState({ ...stateFor(suite), key: new Uint8Array(16) })).toMatch(/key/);
    expect(validateCryptoState({ ...stateFor(suite), salt: new Uint8Array(0) })).toMatch(/salt/);
    expect(validateCryptoState({ ...stateFor(suite), iv: new Uint8Array(12) })).toMatch(/iv/);
    expect(validateCryptoState({ ...stateFor(suite), recSeq: -1n })).toMatch(/rec_seq/);
    expect(validateCryptoState({ ...stateFor(suite), version: TLS_1_3 })).toMatch(/version/);
    expect(validateCryptoState({ ...stateFor(suite), version: 0x0301 as never })).toMatch(
      /version/,
    );
  });

  it('accepts a suite that went through JSON (a copy, not the SUITES object)', () => {
    const copy = JSON.parse(JSON.stringify(suite)) as CipherSuite;
    expect(validateCryptoState({ ...stateFor(suite), suite: copy })).toBeNull();
    expect(cryptoStateToKernel({ ...stateFor(suite), suite: copy }).length).toBe(56);
    expect(
      validateCryptoState({ ...stateFor(suite), suite: { ...copy, name: 'nope' as never } }),
    ).toMatch(/unknown/);
  });
});

describe('cryptoStateFromKeyIv / cryptoStateFromSecret', () => {
  it('splits a 12-byte IV into salt || iv (ChaCha20: all in iv)', () => {
    const iv12 = pattern(12, 0x40);
    const gcm = cryptoStateFromKeyIv(
      suiteByName('TLS_AES_128_GCM_SHA256'),
      pattern(16, 0),
      iv12,
      7n,
    );
    expect(toHex(gcm.salt)).toBe('40414243');
    expect(toHex(gcm.iv)).toBe('4445464748494a4b');
    expect(gcm.recSeq).toBe(7n);
    const chacha = cryptoStateFromKeyIv(
      suiteByName('TLS_CHACHA20_POLY1305_SHA256'),
      pattern(32, 0),
      iv12,
    );
    expect(chacha.salt.length).toBe(0);
    expect(toHex(chacha.iv)).toBe(toHex(iv12));
    expect(chacha.recSeq).toBe(0n);
  });

  it('TLS 1.2 GCM/CCM: a 4-byte fixed IV starts the explicit nonce at u64be(recSeq)', () => {
    for (const name of [
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_ECDSA_WITH_AES_128_CCM',
    ] as const) {
      const s = cryptoStateFromKeyIv(
        suiteByName(name),
        pattern(16, 0),
        fromHex('deadbeef'),
        0x1234n,
      );
      expect(toHex(s.salt)).toBe('deadbeef');
      expect(toHex(s.iv)).toBe(toHex(u64be(0x1234n)));
    }
  });

  it('rejects wrong key/IV sizes, and a 4-byte IV where there is no explicit nonce', () => {
    expectInvalid(() =>
      cryptoStateFromKeyIv(
        suiteByName('TLS_AES_128_GCM_SHA256'),
        pattern(16, 0),
        fromHex('deadbeef'),
      ),
    );
    expectInvalid(() =>
      cryptoStateFromKeyIv(
        suiteByName('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'),
        pattern(32, 0),
        fromHex('deadbeef'),
      ),
    );
    expectInvalid(() =>
      cryptoStateFromKeyIv(suiteByName('TLS_AES_128_GCM_SHA256'), pattern(32, 0), pattern(12, 0)),
    );
    expectInvalid(() =>
      cryptoStateFromKeyIv(suiteByName('TLS_AES_128_GCM_SHA256'), pattern(16, 0), pattern(8, 0)),
    );
    expectInvalid(() =>
      cryptoStateFromKeyIv(
        suiteByName('TLS_AES_128_GCM_SHA256'),
        pattern(16, 0),
        pattern(12, 0),
        -1n,
      ),
    );
  });

  it('from a secret: TLS 1.3 only, recSeq 0, salt/iv lengths of the suite', () => {
    for (const suite of SUITES) {
      const secret = pattern(suite.hash === 'sha256' ? 32 : 48, 1);
      if (suite.version === TLS_1_2) {
        expectInvalid(() => cryptoStateFromSecret(suite, secret));
        continue;
      }
      const s = cryptoStateFromSecret(suite, secret);
      expect(validateCryptoState(s)).toBeNull();
      expect(s.recSeq).toBe(0n);
      expect(s.salt.length + s.iv.length).toBe(12);
    }
  });
});

describe('keyFingerprint', () => {
  it('is the first 8 bytes of SHA-256, hex', () => {
    // SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 … (FIPS 180-4 / RFC 6234 test).
    expect(keyFingerprint(new Uint8Array(0))).toBe('e3b0c44298fc1c14');
    // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 …
    expect(keyFingerprint(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea');
  });
});

describe('ownership of the parsed bytes', () => {
  it('copies out of a Node Buffer, so wiping the input does not wipe the state', () => {
    const state = cryptoStateFromKeyIv(
      suiteByName('TLS_AES_128_GCM_SHA256'),
      new Uint8Array(16).fill(7),
      new Uint8Array(12).fill(1),
    );
    const buf = Buffer.from(cryptoStateToKernel(state));
    const parsed = cryptoStateFromKernel(buf);
    buf.fill(0);
    expect([...parsed.key]).toEqual(Array(16).fill(7));
  });
});
