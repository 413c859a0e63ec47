/**
 * AF_ALG engine checks: core's AEAD conformance suite (`@ktls-lab/core/testing`: the published
 * known answers, every size and view, tampering, argument checks) with node:crypto as the
 * reference; byte-identical to the node:crypto engine for every AEAD, the sizes 0, 1, 15, 16,
 * 17, 1024, 16384 and AADs of 13, 5 and 0 bytes, on the libuv thread pool too (with and without a
 * prefix or a trailer);
 * forgeries rejected, and the RFC 8448 §3 records opened through core's openRecord.
 */
import assert from 'node:assert/strict';
import {
  AEAD_KEY_LENGTH,
  ContentType,
  cryptoStateFromSecret,
  fromHex,
  openRecord,
  suiteByName,
  toHex,
} from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import {
  AEAD_ALGORITHMS,
  aeadConformanceCases,
  testBytes as bytes,
  probeAlgorithms,
  RFC8448_APP_RECORDS,
} from '@ktls-lab/core/testing';
import { AfAlgAeadEngine } from '../../src/index.js';
import { kernelTest, NotApplicable } from './framework.js';

const SIZES = [0, 1, 15, 16, 17, 1024, 16384] as const;

/**
 * The conformance suite, one kernel test per case, each on a fresh engine whose sockets are closed
 * after it. A case of an algorithm this kernel's crypto API lacks is not applicable, with the
 * engine's own error (bind: ENOENT) as the reason.
 */
const reference = new NodeCryptoAeadEngine();
for (const c of aeadConformanceCases({ reference })) {
  kernelTest('afalg', 'afalg.conformance', c.name, ['afalg'], async () => {
    const af = new AfAlgAeadEngine();
    try {
      const missing = c.algorithm === null ? [] : probeAlgorithms(af, [c.algorithm]).missing;
      if (missing[0] !== undefined) throw new NotApplicable(missing[0].reason);
      await c.run(af);
    } finally {
      af.close();
    }
  });
}

for (const alg of AEAD_ALGORITHMS) {
  kernelTest('afalg', 'afalg.matches_node_crypto', alg, ['afalg'], async () => {
    const af = new AfAlgAeadEngine();
    const nc = new NodeCryptoAeadEngine();
    const keyBytes = bytes(AEAD_KEY_LENGTH[alg], 7);
    const ka = af.importKey(alg, keyBytes);
    const kn = nc.importKey(alg, keyBytes);
    assert.equal(ka.fingerprint, kn.fingerprint);
    for (const size of SIZES) {
      for (const aadLen of [13, 5, 0]) {
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

/** RFC 8448 §3 (TLS_AES_128_GCM_SHA256) records, opened by core's openRecord with AF_ALG. */
kernelTest('afalg', 'afalg.rfc8448_records', '', ['afalg'], () => {
  const af = new AfAlgAeadEngine();
  const suite = suiteByName('TLS_AES_128_GCM_SHA256');
  for (const { secret, seq, record, contentType, content } of RFC8448_APP_RECORDS) {
    const state = { ...cryptoStateFromSecret(suite, fromHex(secret)), recSeq: seq };
    const opened = openRecord(af, state, fromHex(record));
    if (!opened.ok)
      assert.fail(`RFC 8448 record seq ${seq}: ${opened.error.code} ${opened.error.message}`);
    assert.equal(opened.value.contentType, contentType);
    assert.equal(toHex(opened.value.content), content);
  }
  af.close();
});
