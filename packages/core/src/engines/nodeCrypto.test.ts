import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../bytes.js';
import { RecordLayerError } from '../errors.js';
import type { AeadAlgorithm } from '../suites.js';
import { ModelAeadEngine } from './model.js';
import { NodeCryptoAeadEngine } from './nodeCrypto.js';

/**
 * Known answers for the node:crypto engine. Every vector is copied from a published source (the
 * repository and file where its bytes were checked are named beside it); none is generated here.
 */

interface Vector {
  readonly name: string;
  readonly algorithm: AeadAlgorithm;
  readonly key: string;
  readonly nonce: string;
  readonly aad: string;
  readonly plaintext: string;
  readonly ciphertext: string;
  readonly tag: string;
}

const P64 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const P60 = P64.slice(0, 120);
const A20 = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const Z16 = '00000000000000000000000000000000';
const Z32 = Z16 + Z16;
const Z12 = '000000000000000000000000';
const K128 = 'feffe9928665731c6d6a8f9467308308';
const IV = 'cafebabefacedbaddecaf888';

/**
 * McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", revised spec, Appendix B: the
 * 96-bit-IV cases for AES-128 (1–4) and AES-256 (13–16). Checked against dotnet/runtime
 * src/libraries/System.Security.Cryptography/tests/AesGcmTests.cs (s_nistGcmSpecTestCases).
 */
const GCM_SPEC: readonly Vector[] = [
  {
    name: 'GCM spec test case 1',
    algorithm: 'aes-128-gcm',
    key: Z16,
    nonce: Z12,
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: '58e2fccefa7e3061367f1d57a4e7455a',
  },
  {
    name: 'GCM spec test case 2',
    algorithm: 'aes-128-gcm',
    key: Z16,
    nonce: Z12,
    aad: '',
    plaintext: Z16,
    ciphertext: '0388dace60b6a392f328c2b971b2fe78',
    tag: 'ab6e47d42cec13bdf53a67b21257bddf',
  },
  {
    name: 'GCM spec test case 3',
    algorithm: 'aes-128-gcm',
    key: K128,
    nonce: IV,
    aad: '',
    plaintext: P64,
    ciphertext:
      '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
      '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    tag: '4d5c2af327cd64a62cf35abd2ba6fab4',
  },
  {
    name: 'GCM spec test case 4',
    algorithm: 'aes-128-gcm',
    key: K128,
    nonce: IV,
    aad: A20,
    plaintext: P60,
    ciphertext:
      '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
      '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47',
  },
  {
    name: 'GCM spec test case 13',
    algorithm: 'aes-256-gcm',
    key: Z32,
    nonce: Z12,
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'GCM spec test case 14',
    algorithm: 'aes-256-gcm',
    key: Z32,
    nonce: Z12,
    aad: '',
    plaintext: Z16,
    ciphertext: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'GCM spec test case 15',
    algorithm: 'aes-256-gcm',
    key: K128 + K128,
    nonce: IV,
    aad: '',
    plaintext: P64,
    ciphertext:
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
      '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad',
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'GCM spec test case 16',
    algorithm: 'aes-256-gcm',
    key: K128 + K128,
    nonce: IV,
    aad: A20,
    plaintext: P60,
    ciphertext:
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
      '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

/**
 * NIST CAVP gcmtestvectors.zip, 96-bit IV, 128-bit tag. The first is gcmEncryptExtIV128.rsp
 * Count 0 (so labelled in Go's crypto/cipher/gcm_test.go, which carries the same bytes); all three
 * are in dotnet/runtime src/libraries/System.Security.Cryptography/tests/AesGcmTests.cs
 * (s_nistGcmTestVectorsSelectedCases), which names the zip but not the .rsp file of the others.
 */
const GCM_CAVP: readonly Vector[] = [
  {
    name: 'CAVP gcmEncryptExtIV128 Count 0 (empty PT and AAD)',
    algorithm: 'aes-128-gcm',
    key: '11754cd72aec309bf52f7687212e8957',
    nonce: '3c819d9a9bed087615030b65',
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: '250327c674aaf477aef2675748cf6971',
  },
  {
    name: 'CAVP AES-128, 51-byte PT',
    algorithm: 'aes-128-gcm',
    key: '594157ec4693202b030f33798b07176d',
    nonce: '49b12054082660803a1df3df',
    aad: '',
    plaintext:
      '3feef98a976a1bd634f364ac428bb59cd51fb159ec1789946918dbd50ea6c9d5' +
      '94a3a31a5269b0da6936c29d063a5fa2cc8a1c',
    ciphertext:
      'c1b7a46a335f23d65b8db4008a49796906e225474f4fe7d39e55bf2efd97fd82' +
      'd4167de082ae30fa01e465a601235d8d68bc69',
    tag: 'ba92d3661ce8b04687e8788d55417dc2',
  },
  {
    name: 'CAVP AES-256, empty PT and AAD',
    algorithm: 'aes-256-gcm',
    key: 'b52c505a37d78eda5dd34f20c22540ea1b58963cf8e5bf8ffa85f9f2492505b4',
    nonce: '516c33929df5a3284ff463d7',
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: 'bdc1ac884d332457a1d2664f168c76f0',
  },
];

/**
 * RFC 8439 §2.8.2 (AEAD_CHACHA20_POLY1305). Checked against dotnet/runtime
 * src/libraries/System.Security.Cryptography/tests/ChaCha20Poly1305Tests.cs (s_rfc8439TestVectors,
 * CaseId 1) and several independent test suites carrying the same bytes.
 */
const CHACHA: Vector = {
  name: 'RFC 8439 §2.8.2',
  algorithm: 'chacha20-poly1305',
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce: '070000004041424344454647',
  aad: '50515253c0c1c2c3c4c5c6c7',
  plaintext: toHex(
    utf8(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    ),
  ),
  ciphertext:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
    '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116',
  tag: '1ae10b594f09e26a7e902ecbd0600691',
};

/**
 * NIST CAVP ccmtestvectors.zip, VNT128.rsp (variable nonce, 16-byte tag), the three 12-byte-nonce
 * cases TLS's CCM uses (RFC 6655 §3); as selected in dotnet/runtime
 * src/libraries/System.Security.Cryptography/tests/AesCcmTests.cs (s_nistCcmTestVectorsSelectedCases,
 * CaseId 50–52). The kernel's own CCM records are in zeroLen.test.ts.
 */
const CCM_CAVP: readonly Vector[] = [
  {
    name: 'CAVP VNT128 count 50',
    algorithm: 'aes-128-ccm',
    key: '005e8f4d8e0cbf4e1ceeb5d87a275848',
    nonce: '0ec3ac452b547b9062aac8fa',
    aad: '2f1821aa57e5278ffd33c17d46615b77363149dbc98470413f6543a6b749f2ca',
    plaintext: 'b6f345204526439daf84998f380dcfb4b4167c959c04ff65',
    ciphertext: '9575e16f35da3c88a19c26a7b762044f4d7bbbafeff05d75',
    tag: '4829e2a7752fa3a14890972884b511d8',
  },
  {
    name: 'CAVP VNT128 count 51',
    algorithm: 'aes-128-ccm',
    key: '005e8f4d8e0cbf4e1ceeb5d87a275848',
    nonce: '472711261a9262bef077c0b7',
    aad: '17c87889a2652636bcf712d111c86b9d68d64d18d531928030a5ec97c59931a4',
    plaintext: '9d63df773b3799e361c5328d44bbb12f4154747ecf7cc667',
    ciphertext: '53323b82d7a754d82cebf0d4bc930ef06d11e162c5c027c4',
    tag: '715a641834bbb75bb6572ca5a45c3183',
  },
  {
    name: 'CAVP VNT128 count 52',
    algorithm: 'aes-128-ccm',
    key: '005e8f4d8e0cbf4e1ceeb5d87a275848',
    nonce: '6a7b80b6738ff0a23ad58fb2',
    aad: '26c12e5cdfe225a5be56d7a8aaf9fd4eb327d2f29c2ebc7396022f884f33ce54',
    plaintext: 'ba1978d58492c7f827cafef87d00f1a137f3f05a2dedb14d',
    ciphertext: 'aa1d9eacabdcdd0f54681653ac44042a3dd47e338d15604e',
    tag: '86a0e926daf21d17b359253d0d5d5d00',
  },
];

const ALL: readonly Vector[] = [...GCM_SPEC, ...GCM_CAVP, CHACHA, ...CCM_CAVP];

const engine = new NodeCryptoAeadEngine();

function flip(b: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('NodeCryptoAeadEngine known answers', () => {
  for (const v of ALL) {
    it(`${v.algorithm}: ${v.name} seals to the published bytes and opens back`, () => {
      const key = engine.importKey(v.algorithm, fromHex(v.key));
      const nonce = fromHex(v.nonce);
      const aad = fromHex(v.aad);
      const sealed = engine.seal({ key, nonce, aad, plaintext: fromHex(v.plaintext) });
      expect(toHex(sealed)).toBe(v.ciphertext + v.tag);
      const opened = engine.open({ key, nonce, aad, ciphertext: fromHex(v.ciphertext + v.tag) });
      expect(opened).not.toBeNull();
      expect(toHex(opened!)).toBe(v.plaintext);
    });
  }
});

describe('NodeCryptoAeadEngine rejects every tampered input', () => {
  // One vector per algorithm, each with non-empty plaintext and AAD where the source has them.
  const picks = [GCM_SPEC[3]!, GCM_SPEC[7]!, CHACHA, CCM_CAVP[0]!, GCM_SPEC[0]!];
  for (const v of picks) {
    const key = engine.importKey(v.algorithm, fromHex(v.key));
    const nonce = fromHex(v.nonce);
    const aad = fromHex(v.aad);
    const ct = fromHex(v.ciphertext + v.tag);

    it(`${v.name}: a flipped bit anywhere in ciphertext or tag`, () => {
      for (let bit = 0; bit < ct.length * 8; bit += ct.length > 64 ? 7 : 1) {
        expect(engine.open({ key, nonce, aad, ciphertext: flip(ct, bit) })).toBeNull();
      }
      // The last bit of the tag too, whatever the stride skipped.
      expect(engine.open({ key, nonce, aad, ciphertext: flip(ct, ct.length * 8 - 1) })).toBeNull();
    });

    it(`${v.name}: a flipped bit in the nonce or the AAD, a truncation, a wrong key`, () => {
      for (let bit = 0; bit < 96; bit++) {
        expect(engine.open({ key, nonce: flip(nonce, bit), aad, ciphertext: ct })).toBeNull();
      }
      for (let bit = 0; bit < aad.length * 8; bit++) {
        expect(engine.open({ key, nonce, aad: flip(aad, bit), ciphertext: ct })).toBeNull();
      }
      // AAD appended where there was none, or removed.
      const otherAad = aad.length === 0 ? Uint8Array.of(0) : aad.subarray(1);
      expect(engine.open({ key, nonce, aad: otherAad, ciphertext: ct })).toBeNull();
      expect(
        engine.open({ key, nonce, aad, ciphertext: ct.subarray(0, ct.length - 1) }),
      ).toBeNull();
      expect(engine.open({ key, nonce, aad, ciphertext: ct.subarray(1) })).toBeNull();
      expect(engine.open({ key, nonce, aad, ciphertext: new Uint8Array(0) })).toBeNull();
      const wrong = engine.importKey(v.algorithm, flip(fromHex(v.key), 0));
      expect(engine.open({ key: wrong, nonce, aad, ciphertext: ct })).toBeNull();
    });
  }
});

describe('NodeCryptoAeadEngine keys', () => {
  it('rejects a key of the wrong length with invalid_argument', () => {
    const cases: [AeadAlgorithm, number][] = [
      ['aes-128-gcm', 32],
      ['aes-128-ccm', 15],
      ['aes-256-gcm', 16],
      ['chacha20-poly1305', 16],
    ];
    for (const [alg, len] of cases) {
      expect(() => engine.importKey(alg, new Uint8Array(len))).toThrow(RecordLayerError);
      try {
        engine.importKey(alg, new Uint8Array(len));
      } catch (e) {
        expect((e as RecordLayerError).code).toBe('invalid_argument');
      }
    }
  });

  it('rejects a nonce that is not 12 bytes, and keys from another engine', () => {
    const key = engine.importKey('aes-128-gcm', new Uint8Array(16));
    const req = { key, aad: new Uint8Array(0), plaintext: new Uint8Array(1) };
    expect(() => engine.seal({ ...req, nonce: new Uint8Array(8) })).toThrow(RecordLayerError);
    const foreign = new ModelAeadEngine().importKey('aes-128-gcm', new Uint8Array(16));
    expect(() => engine.seal({ ...req, key: foreign, nonce: new Uint8Array(12) })).toThrow(
      RecordLayerError,
    );
  });

  it('shows only the algorithm and the fingerprint, never the key bytes', () => {
    const raw = fromHex(K128);
    const key = engine.importKey('aes-128-gcm', raw);
    const json = JSON.stringify(key);
    expect(json).not.toContain(K128);
    expect(JSON.parse(json)).toEqual({ algorithm: 'aes-128-gcm', fingerprint: key.fingerprint });
    expect(Object.keys(key)).toEqual(['algorithm', 'fingerprint']);
    // The engine copied the key: changing the caller's array changes nothing.
    const sealed = engine.seal({
      key,
      nonce: fromHex(IV),
      aad: fromHex(A20),
      plaintext: fromHex(P60),
    });
    raw.fill(0);
    const again = engine.seal({
      key,
      nonce: fromHex(IV),
      aad: fromHex(A20),
      plaintext: fromHex(P60),
    });
    expect(toHex(again)).toBe(toHex(sealed));
  });

  it('opens a record given as a view into a larger buffer (no alignment or offset assumptions)', () => {
    const v = GCM_SPEC[3]!;
    const key = engine.importKey(v.algorithm, fromHex(v.key));
    const framed = concat([
      Uint8Array.of(1, 2, 3),
      fromHex(v.ciphertext + v.tag),
      Uint8Array.of(9),
    ]);
    const view = framed.subarray(3, framed.length - 1);
    const opened = engine.open({
      key,
      nonce: fromHex(v.nonce),
      aad: fromHex(v.aad),
      ciphertext: view,
    });
    expect(toHex(opened!)).toBe(v.plaintext);
  });
});
