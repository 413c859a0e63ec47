/**
 * AF_ALG engine known-answer checks: byte-identical to the node:crypto engine for every AEAD and
 * the sizes 0, 1, 15, 16, 17, 1024, 16384 (sync and thread-pool calls, with and without a prefix
 * or a trailer),
 * forgeries rejected, and the RFC 8448 §3 records opened through AF_ALG.
 */
import assert from 'node:assert/strict';
import {
  type AeadAlgorithm,
  ContentType,
  cryptoStateFromSecret,
  fromHex,
  openRecord,
  suiteByName,
  toHex,
} from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import { AfAlgAeadEngine } from '../../src/index.js';
import { kernelTest } from './framework.js';

const ALGS: readonly AeadAlgorithm[] = [
  'aes-128-gcm',
  'aes-256-gcm',
  'aes-128-ccm',
  'chacha20-poly1305',
];
const SIZES = [0, 1, 15, 16, 17, 1024, 16384] as const;
const KEY_LEN: Record<AeadAlgorithm, number> = {
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'aes-128-ccm': 16,
  'chacha20-poly1305': 32,
};

/** Deterministic bytes (xorshift), so a failure names the same input every run. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

for (const alg of ALGS) {
  kernelTest('afalg', 'afalg.matches_node_crypto', alg, ['afalg'], async () => {
    const af = new AfAlgAeadEngine();
    const nc = new NodeCryptoAeadEngine();
    const keyBytes = bytes(KEY_LEN[alg], 7);
    const ka = af.importKey(alg, keyBytes);
    const kn = nc.importKey(alg, keyBytes);
    assert.equal(ka.fingerprint, kn.fingerprint);
    for (const size of SIZES) {
      for (const aadLen of [13, 5]) {
        const nonce = bytes(12, size + 11);
        const aad = bytes(aadLen, size + 3);
        const plaintext = bytes(size, size + 5);
        const a = af.seal({ key: ka, nonce, aad, plaintext });
        const n = nc.seal({ key: kn, nonce, aad, plaintext });
        assert.equal(toHex(a), toHex(n), `${alg} seal size ${size} aad ${aadLen}`);
        const opened = af.open({ key: ka, nonce, aad, ciphertext: n });
        assert.ok(opened !== null, `${alg} open size ${size}`);
        assert.equal(toHex(opened), toHex(plaintext));
        // Prefix: the record header in front, in the same buffer.
        const prefix = bytes(5, 99);
        const withPrefix = af.seal({ key: ka, nonce, aad, plaintext, prefix });
        assert.equal(toHex(withPrefix), toHex(prefix) + toHex(n));
        // A TLS 1.3 inner type given apart (SealRequest.trailer) seals as if appended.
        const trailer = Uint8Array.of(ContentType.applicationData);
        const joined = nc.seal({ key: kn, nonce, aad, plaintext: Uint8Array.of(...plaintext, 23) });
        assert.equal(toHex(af.seal({ key: ka, nonce, aad, plaintext, trailer })), toHex(joined));
        assert.equal(
          toHex(await af.sealAsync({ key: ka, nonce, aad, plaintext, trailer })),
          toHex(joined),
        );
        // The libuv thread pool gives the same bytes.
        const asyncSealed = await af.sealAsync({ key: ka, nonce, aad, plaintext });
        assert.equal(toHex(asyncSealed), toHex(n));
        const asyncOpened = await af.openAsync({ key: ka, nonce, aad, ciphertext: n });
        assert.ok(asyncOpened !== null);
        assert.equal(toHex(asyncOpened), toHex(plaintext));
        // A flipped tag bit is a forgery: null, never an exception (algif_aead: EBADMSG).
        const bad = Uint8Array.from(n);
        bad[bad.length - 1]! ^= 1;
        assert.equal(af.open({ key: ka, nonce, aad, ciphertext: bad }), null);
        assert.equal(await af.openAsync({ key: ka, nonce, aad, ciphertext: bad }), null);
      }
    }
    af.close();
    assert.equal(af.openKeys, 0);
  });
}

kernelTest('afalg', 'afalg.async_many_in_flight', '', ['afalg'], async () => {
  // Many requests queued at once on one key: the op socket serializes them; each result is right.
  const af = new AfAlgAeadEngine();
  const nc = new NodeCryptoAeadEngine();
  const keyBytes = bytes(16, 1);
  const ka = af.importKey('aes-128-gcm', keyBytes);
  const kn = nc.importKey('aes-128-gcm', keyBytes);
  const reqs = Array.from({ length: 64 }, (_, i) => ({
    nonce: bytes(12, i + 1),
    aad: bytes(13, i + 2),
    plaintext: bytes(100 + i, i + 3),
  }));
  const out = await Promise.all(reqs.map((r) => af.sealAsync({ key: ka, ...r })));
  reqs.forEach((r, i) => {
    assert.equal(toHex(out[i]!), toHex(nc.seal({ key: kn, ...r })));
  });
  af.close();
});

kernelTest('afalg', 'afalg.closed_key_is_refused', '', ['afalg'], () => {
  const af = new AfAlgAeadEngine();
  const k = af.importKey('aes-128-gcm', bytes(16, 2));
  af.closeKey(k);
  assert.throws(
    () => af.seal({ key: k, nonce: bytes(12, 1), aad: bytes(13, 1), plaintext: bytes(1, 1) }),
    /closed/,
  );
});

/**
 * RFC 8448 §3 (TLS_AES_128_GCM_SHA256) records, as quoted in core's keySchedule.test.ts (where
 * their provenance is given): opened by core's openRecord with the AF_ALG engine.
 */
const RFC8448 = {
  serverAppSecret:
    'a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43',
  clientAppSecret:
    '9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5',
  clientDataRecord:
    '17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b' +
    ' 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee' +
    ' bb 21 69 49 15 e4',
  serverDataRecord:
    '17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 e3' +
    ' 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0' +
    ' 32 e1 67 c2 95 5d',
  clientAlertRecord: '17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3',
  serverAlertRecord: '17 03 03 00 13 b5 8f d6 71 66 eb f5 99 d2 47 20 cf be 7e fa 7a 88 64 a9',
};
const PAYLOAD_50 = toHex(Uint8Array.from({ length: 50 }, (_, i) => i));

kernelTest('afalg', 'afalg.rfc8448_records', '', ['afalg'], () => {
  const af = new AfAlgAeadEngine();
  const suite = suiteByName('TLS_AES_128_GCM_SHA256');
  const cases = [
    [
      RFC8448.clientAppSecret,
      0n,
      RFC8448.clientDataRecord,
      ContentType.applicationData,
      PAYLOAD_50,
    ],
    [
      RFC8448.serverAppSecret,
      1n,
      RFC8448.serverDataRecord,
      ContentType.applicationData,
      PAYLOAD_50,
    ],
    [RFC8448.clientAppSecret, 1n, RFC8448.clientAlertRecord, ContentType.alert, '0100'],
    [RFC8448.serverAppSecret, 2n, RFC8448.serverAlertRecord, ContentType.alert, '0100'],
  ] as const;
  for (const [secret, seq, record, type, content] of cases) {
    const state = { ...cryptoStateFromSecret(suite, fromHex(secret)), recSeq: seq };
    const opened = openRecord(af, state, fromHex(record));
    if (!opened.ok)
      assert.fail(`RFC 8448 record seq ${seq}: ${opened.error.code} ${opened.error.message}`);
    assert.equal(opened.value.contentType, type);
    assert.equal(toHex(opened.value.content), content);
  }
  af.close();
});
