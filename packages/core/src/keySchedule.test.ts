import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from './bytes.js';
import { cryptoStateFromSecret } from './cryptoState.js';
import { NodeCryptoAeadEngine } from './engines/nodeCrypto.js';
import { RecordLayerError } from './errors.js';
import {
  deriveTrafficKeys,
  hashLength,
  hkdfExpandLabel,
  nextTrafficSecret,
  tls12KeyBlock,
  tls12Prf,
} from './keySchedule.js';
import { recordAad, recordNonce } from './nonce.js';
import { ContentType } from './protocol.js';
import { SUITES, suiteByName } from './suites.js';
import { RFC8448, RFC8448_PAYLOAD_50 } from './testing/index.js';

/**
 * RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256): secrets, keys, ivs and records
 * from src/testing/vectors/rfc8448.ts, where their provenance is given.
 */
const PAYLOAD_50 = fromHex(RFC8448_PAYLOAD_50);

const suite = suiteByName('TLS_AES_128_GCM_SHA256');
const engine = new NodeCryptoAeadEngine();

/**
 * Opens one TLS 1.3 record the way the kernel's RX does (docs/kernel-tls.md §8) and strips the
 * padding.
 */
function openTls13(secretHex: string, seq: bigint, recordHex: string) {
  const state = cryptoStateFromSecret(suite, fromHex(secretHex));
  const key = engine.importKey(suite.aead, state.key);
  const rec = fromHex(recordHex);
  const body = rec.subarray(5);
  const nonce = recordNonce(suite, state.salt, state.iv, seq);
  // TLS 1.3 AAD = the record header (RFC 8446 §5.2); recordAad builds it from the inner length.
  const aad = recordAad(suite, seq, ContentType.applicationData, body.length - 16 - 1);
  expect(toHex(aad)).toBe(toHex(rec.subarray(0, 5)));
  const inner = engine.open({ key, nonce, aad, ciphertext: body });
  expect(inner).not.toBeNull();
  // TLSInnerPlaintext = content || type || zeros (RFC 8446 §5.2): strip zeros, then the type.
  let end = inner!.length;
  while (end > 0 && inner![end - 1] === 0) end--;
  return { type: inner![end - 1], content: inner!.subarray(0, end - 1) };
}

describe('RFC 8448 §3 traffic keys (RFC 8446 §7.3)', () => {
  const cases = [
    [
      'client handshake',
      RFC8448.clientHandshakeSecret,
      RFC8448.clientHandshakeKey,
      RFC8448.clientHandshakeIv,
    ],
    [
      'server handshake',
      RFC8448.serverHandshakeSecret,
      RFC8448.serverHandshakeKey,
      RFC8448.serverHandshakeIv,
    ],
    ['server application', RFC8448.serverAppSecret, RFC8448.serverAppKey, RFC8448.serverAppIv],
    ['client application', RFC8448.clientAppSecret, RFC8448.clientAppKey, RFC8448.clientAppIv],
  ] as const;
  for (const [name, secret, key, iv] of cases) {
    it(`${name}: key and iv are the RFC's`, () => {
      const keys = deriveTrafficKeys(suite, fromHex(secret));
      expect(toHex(keys.key)).toBe(toHex(fromHex(key)));
      expect(toHex(keys.iv)).toBe(toHex(fromHex(iv)));
      // The kernel split: salt = iv[0..4], iv = iv[4..12], rec_seq 0.
      const state = cryptoStateFromSecret(suite, fromHex(secret));
      expect(toHex(concat([state.salt, state.iv]))).toBe(toHex(fromHex(iv)));
      expect(state.salt.length).toBe(4);
      expect(state.recSeq).toBe(0n);
    });
  }

  it('HkdfLabel is the RFC\'s "key info" / "iv info" bytes', () => {
    // RFC 8448 prints: key info 00 10 09 74 6c 73 31 33 20 6b 65 79 00, iv info 00 0c 08 … 69 76 00.
    const secret = fromHex(RFC8448.serverAppSecret);
    const viaHmac = (info: string, len: number) =>
      toHex(hmacSha256(secret, concat([fromHex(info), Uint8Array.of(1)])).subarray(0, len));
    expect(viaHmac('00 10 09 74 6c 73 31 33 20 6b 65 79 00', 16)).toBe(
      toHex(fromHex(RFC8448.serverAppKey)),
    );
    expect(viaHmac('00 0c 08 74 6c 73 31 33 20 69 76 00', 12)).toBe(
      toHex(fromHex(RFC8448.serverAppIv)),
    );
  });
});

describe('RFC 8448 §3 records open with the derived keys', () => {
  it('client Finished (handshake keys, seq 0): inner type handshake, a 32-byte Finished', () => {
    const { type, content } = openTls13(
      RFC8448.clientHandshakeSecret,
      0n,
      RFC8448.clientFinishedRecord,
    );
    expect(type).toBe(ContentType.handshake);
    expect(content[0]).toBe(20); // HandshakeType finished
    expect(content.length).toBe(4 + 32);
  });

  it("server's first application-key record (seq 0): a NewSessionTicket, inner type handshake", () => {
    const { type, content } = openTls13(RFC8448.serverAppSecret, 0n, RFC8448.serverTicketRecord);
    expect(type).toBe(ContentType.handshake);
    expect(content[0]).toBe(4); // HandshakeType new_session_ticket
    expect((content[1]! << 16) | (content[2]! << 8) | content[3]!).toBe(content.length - 4);
  });

  it('client application data (seq 0): 50 bytes 00..31', () => {
    const { type, content } = openTls13(RFC8448.clientAppSecret, 0n, RFC8448.clientDataRecord);
    expect(type).toBe(ContentType.applicationData);
    expect(toHex(content)).toBe(toHex(PAYLOAD_50));
  });

  it('server application data (seq 1): 50 bytes 00..31', () => {
    const { type, content } = openTls13(RFC8448.serverAppSecret, 1n, RFC8448.serverDataRecord);
    expect(type).toBe(ContentType.applicationData);
    expect(toHex(content)).toBe(toHex(PAYLOAD_50));
  });

  it('close_notify alerts: client seq 1, server seq 2', () => {
    for (const [secret, seq, rec] of [
      [RFC8448.clientAppSecret, 1n, RFC8448.clientAlertRecord],
      [RFC8448.serverAppSecret, 2n, RFC8448.serverAlertRecord],
    ] as const) {
      const { type, content } = openTls13(secret, seq, rec);
      expect(type).toBe(ContentType.alert);
      expect(toHex(content)).toBe('0100'); // warning, close_notify
    }
  });

  it('re-sealing the client data record gives the RFC bytes exactly', () => {
    const state = cryptoStateFromSecret(suite, fromHex(RFC8448.clientAppSecret));
    const key = engine.importKey(suite.aead, state.key);
    const inner = concat([PAYLOAD_50, Uint8Array.of(ContentType.applicationData)]);
    const aad = recordAad(suite, 0n, ContentType.applicationData, PAYLOAD_50.length);
    const sealed = engine.seal({
      key,
      nonce: recordNonce(suite, state.salt, state.iv, 0n),
      aad,
      plaintext: inner,
    });
    expect(toHex(concat([aad, sealed]))).toBe(toHex(fromHex(RFC8448.clientDataRecord)));
  });

  it('the wrong sequence number does not open', () => {
    const state = cryptoStateFromSecret(suite, fromHex(RFC8448.serverAppSecret));
    const key = engine.importKey(suite.aead, state.key);
    const rec = fromHex(RFC8448.serverDataRecord);
    const nonce = recordNonce(suite, state.salt, state.iv, 0n);
    expect(
      engine.open({ key, nonce, aad: rec.subarray(0, 5), ciphertext: rec.subarray(5) }),
    ).toBeNull();
  });
});

// ---- independent references built on node:crypto, for what has no published vector here ----

function hmacSha(hash: 'sha256' | 'sha384', key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}
function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacSha('sha256', key, data);
}

/** RFC 5869 §2.3 HKDF-Expand, written out with node's HMAC. */
function refExpand(
  hash: 'sha256' | 'sha384',
  prk: Uint8Array,
  info: Uint8Array,
  len: number,
): Uint8Array {
  const blocks: Uint8Array[] = [];
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1; blocks.length * hashLength(hash) < len; i++) {
    t = hmacSha(hash, prk, concat([t, info, Uint8Array.of(i)]));
    blocks.push(t);
  }
  return concat(blocks).subarray(0, len);
}

/** RFC 8446 §7.1 HkdfLabel, written out by hand. */
function refLabel(label: string, context: Uint8Array, len: number): Uint8Array {
  const l = utf8(`tls13 ${label}`);
  return concat([
    Uint8Array.of(len >> 8, len & 0xff, l.length),
    l,
    Uint8Array.of(context.length),
    context,
  ]);
}

/** RFC 5246 §5 P_hash, written out with node's HMAC. */
function refPrf(
  hash: 'sha256' | 'sha384',
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  len: number,
) {
  const ls = concat([utf8(label), seed]);
  const out: Uint8Array[] = [];
  let a = ls;
  let n = 0;
  while (n < len) {
    a = hmacSha(hash, secret, a);
    const b = hmacSha(hash, secret, concat([a, ls]));
    out.push(b);
    n += b.length;
  }
  return concat(out).subarray(0, len);
}

describe('nextTrafficSecret (RFC 8446 §7.2)', () => {
  it('is HKDF-Expand-Label(secret, "traffic upd", "", Hash.length), for SHA-256 and SHA-384', () => {
    for (const s of SUITES.filter((x) => x.version === 0x0304)) {
      const secret = Uint8Array.from({ length: hashLength(s.hash) }, (_, i) => (i * 7 + 3) & 0xff);
      const next = nextTrafficSecret(s, secret);
      const want = refExpand(
        s.hash,
        secret,
        refLabel('traffic upd', new Uint8Array(0), hashLength(s.hash)),
        hashLength(s.hash),
      );
      expect(next.length).toBe(hashLength(s.hash));
      expect(toHex(next)).toBe(toHex(want));
      // And the keys of the next generation follow §7.3 like any other secret.
      const keys = deriveTrafficKeys(s, next);
      expect(toHex(keys.key)).toBe(
        toHex(
          refExpand(s.hash, next, refLabel('key', new Uint8Array(0), s.keyLength), s.keyLength),
        ),
      );
      expect(toHex(keys.iv)).toBe(
        toHex(refExpand(s.hash, next, refLabel('iv', new Uint8Array(0), 12), 12)),
      );
    }
  });

  it('chains: the RFC 8448 server secret updated twice differs each time and is deterministic', () => {
    const s0 = fromHex(RFC8448.serverAppSecret);
    const s1 = nextTrafficSecret(suite, s0);
    const s2 = nextTrafficSecret(suite, s1);
    expect(toHex(s1)).not.toBe(toHex(s0));
    expect(toHex(s2)).not.toBe(toHex(s1));
    expect(toHex(nextTrafficSecret(suite, s0))).toBe(toHex(s1));
  });

  it('rejects a secret that is not Hash.length bytes', () => {
    expect(() => nextTrafficSecret(suite, new Uint8Array(48))).toThrow(RecordLayerError);
    expect(() =>
      deriveTrafficKeys(suiteByName('TLS_AES_256_GCM_SHA384'), new Uint8Array(32)),
    ).toThrow(RecordLayerError);
  });
});

describe('hkdfExpandLabel', () => {
  it('matches a hand-built HkdfLabel with a non-empty context', () => {
    const secret = fromHex(RFC8448.clientAppSecret);
    const ctx = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    expect(toHex(hkdfExpandLabel('sha256', secret, 'exp master', ctx, 32))).toBe(
      toHex(refExpand('sha256', secret, refLabel('exp master', ctx, 32), 32)),
    );
  });

  it('refuses out-of-range labels, contexts and lengths', () => {
    const secret = new Uint8Array(32);
    expect(() => hkdfExpandLabel('sha256', secret, '', new Uint8Array(0), 16)).toThrow(
      RecordLayerError,
    );
    expect(() => hkdfExpandLabel('sha256', secret, 'key', new Uint8Array(256), 16)).toThrow(
      RecordLayerError,
    );
    expect(() => hkdfExpandLabel('sha256', secret, 'key', new Uint8Array(0), 255 * 32 + 1)).toThrow(
      RecordLayerError,
    );
  });
});

describe('TLS 1.2 PRF (RFC 5246 §5)', () => {
  // The IETF TLS WG test vectors (tls mailing list msg03416), as carried by
  // netty/netty handler/src/test/java/io/netty/handler/ssl/PseudoRandomFunctionTest.java (SHA-256)
  // and other suites (SHA-384, the companion vector).
  it('P_SHA256: 100 bytes for secret 9bbe…, "test label", seed a0ba…', () => {
    const out = tls12Prf(
      'sha256',
      fromHex('9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35'),
      'test label',
      fromHex('a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c'),
      100,
    );
    expect(toHex(out)).toBe(
      toHex(
        fromHex(
          'e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53 c2 aa b2 1d 07 c3 d4 95 32 9b 52 d4 e6 1e db 5a' +
            '6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af 0f a0 22 f7 07 7d ef 17 ab fd 37 97 c0 56 4b ab' +
            '4f bc 91 66 6e 9d ef 9b 97 fc e3 4f 79 67 89 ba a4 80 82 d1 22 ee 42 c5 a7 2e 5a 51 10 ff f7 01' +
            '87 34 7b 66',
        ),
      ),
    );
  });

  it('P_SHA384: 148 bytes for secret b80b…, "test label", seed cd66…', () => {
    const out = tls12Prf(
      'sha384',
      fromHex('b8 0b 73 3d 6c ee fc dc 71 56 6e a4 8e 55 67 df'),
      'test label',
      fromHex('cd 66 5c f6 a8 44 7d d6 ff 8b 27 55 5e db 74 65'),
      148,
    );
    expect(toHex(out)).toBe(
      toHex(
        fromHex(
          '7b 0c 18 e9 ce d4 10 ed 18 04 f2 cf a3 4a 33 6a 1c 14 df fb 49 00 bb 5f d7 94 21 07 e8 1c 83 cd' +
            'e9 ca 0f aa 60 be 9f e3 4f 82 b1 23 3c 91 46 a0 e5 34 cb 40 0f ed 27 00 88 4f 9d c2 36 f8 0e dd' +
            '8b fa 96 11 44 c9 e8 d7 92 ec a7 22 a7 b3 2f c3 d4 16 d4 73 eb c2 c5 fd 4a bf da d0 5d 91 84 25' +
            '9b 5b f8 cd 4d 90 fa 0d 31 e2 de c4 79 e4 f1 a2 60 66 f2 ee a9 a6 92 36 a3 e5 26 55 c9 e9 ae e6' +
            '91 c8 f3 a2 68 54 30 8d 5e aa 3b e8 5e 09 90 70 3d 73 e5 6f',
        ),
      ),
    );
  });

  it('agrees with a node:crypto P_hash at every length 0..200', () => {
    const secret = fromHex('0f'.repeat(48));
    const seed = Uint8Array.from({ length: 64 }, (_, i) => i);
    for (let len = 0; len <= 200; len += 13) {
      expect(toHex(tls12Prf('sha256', secret, 'key expansion', seed, len))).toBe(
        toHex(refPrf('sha256', secret, 'key expansion', seed, len)),
      );
    }
  });
});

describe('TLS 1.2 key block (RFC 5246 §6.3)', () => {
  const master = Uint8Array.from({ length: 48 }, (_, i) => i + 1);
  const clientRandom = Uint8Array.from({ length: 32 }, (_, i) => 0xc0 + (i & 0x1f));
  const serverRandom = Uint8Array.from({ length: 32 }, (_, i) => 0x50 + (i & 0x1f));

  for (const s of SUITES.filter((x) => x.version === 0x0303)) {
    it(`${s.name}: client key, server key, client IV, server IV in that order, no MAC keys`, () => {
      const ivLen = s.aead === 'chacha20-poly1305' ? 12 : 4;
      const kb = tls12KeyBlock(s, master, clientRandom, serverRandom);
      // key_block = PRF(master_secret, "key expansion", server_random + client_random).
      const ref = refPrf(
        s.hash,
        master,
        'key expansion',
        concat([serverRandom, clientRandom]),
        2 * s.keyLength + 2 * ivLen,
      );
      expect(kb.clientKey.length).toBe(s.keyLength);
      expect(kb.clientIv.length).toBe(ivLen);
      expect(toHex(concat([kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv]))).toBe(
        toHex(ref),
      );
    });
  }

  it('refuses a TLS 1.3 suite and wrong-sized inputs', () => {
    const s12 = suiteByName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(() => tls12KeyBlock(suite, master, clientRandom, serverRandom)).toThrow(
      RecordLayerError,
    );
    expect(() => tls12KeyBlock(s12, master.subarray(1), clientRandom, serverRandom)).toThrow(
      RecordLayerError,
    );
    expect(() => tls12KeyBlock(s12, master, clientRandom.subarray(1), serverRandom)).toThrow(
      RecordLayerError,
    );
  });
});
