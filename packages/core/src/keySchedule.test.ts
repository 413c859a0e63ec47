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

/**
 * RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256). The records and the application
 * secrets/keys are copied from princeb612/hotplace test/tls/test_rfc8448_3.cpp, which quotes the
 * RFC's "complete record" lines verbatim; every secret, key and iv below also appeared with the
 * same bytes in other, independent test files found by searching for them (s2n-tls style
 * `*= rfc8448` quotes, Go, Python, Java, OCaml and Swift suites). Opening the records is itself
 * a check of the bytes: one wrong byte in a key, iv or record fails the GCM tag.
 */
const RFC8448 = {
  clientHandshakeSecret:
    'b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21',
  clientHandshakeKey: 'db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01',
  clientHandshakeIv: '5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f',
  serverAppSecret:
    'a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43',
  serverAppKey: '9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56',
  serverAppIv: 'cf 78 2b 88 dd 83 54 9a ad f1 e9 84',
  clientAppSecret:
    '9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5',
  clientAppKey: '17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51',
  clientAppIv: '5b 78 92 3d ee 08 57 90 33 e5 23 d9',
  /** {client} send handshake record (Finished), under the client handshake keys, seq 0. */
  clientFinishedRecord:
    '17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc 44' +
    ' d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46',
  /** {server} NewSessionTicket: the first record under the server application keys, seq 0. */
  serverTicketRecord:
    '17 03 03 00 de 3a 6b 8f 90 41 4a 97 d6 95 9c 34 87 68 0d e5 13 4a 2b 24 0e 6c ff ac 11 6e 95 d4 1d' +
    ' 6a f8 f6 b5 80 dc f3 d1 1d 63 c7 58 db 28 9a 01 59 40 25 2f 55 71 3e 06 1d c1 3e 07 88 91 a3 8e fb' +
    ' cf 57 53 ad 8e f1 70 ad 3c 73 53 d1 6d 9d a7 73 b9 ca 7f 2b 9f a1 b6 c0 d4 a3 d0 3f 75 e0 9c 30 ba' +
    ' 1e 62 97 2a c4 6f 75 f7 b9 81 be 63 43 9b 29 99 ce 13 06 46 15 13 98 91 d5 e4 c5 b4 06 f1 6e 3f c1' +
    ' 81 a7 7c a4 75 84 00 25 db 2f 0a 77 f8 1b 5a b0 5b 94 c0 13 46 75 5f 69 23 2c 86 51 9d 86 cb ee ac' +
    ' 87 aa c3 47 d1 43 f9 60 5d 64 f6 50 db 4d 02 3e 70 e9 52 ca 49 fe 51 37 12 1c 74 bc 26 97 68 7e 24' +
    ' 87 46 d6 df 35 30 05 f3 bc e1 86 96 12 9c 81 53 55 6b 3b 6c 67 79 b3 7b f1 59 85 68 4f',
  /** {client} send application_data record, seq 0 under the client application keys. */
  clientDataRecord:
    '17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b' +
    ' 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee' +
    ' bb 21 69 49 15 e4',
  /** {server} send application_data record, seq 1 (after the ticket). */
  serverDataRecord:
    '17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 e3' +
    ' 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0' +
    ' 32 e1 67 c2 95 5d',
  /** {client} send alert record (close_notify), seq 1. */
  clientAlertRecord: '17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3',
  /** {server} send alert record (close_notify), seq 2. */
  serverAlertRecord: '17 03 03 00 13 b5 8f d6 71 66 eb f5 99 d2 47 20 cf be 7e fa 7a 88 64 a9',
};

/** The RFC's application data payload in both directions: 50 bytes 00 01 02 … 31. */
const PAYLOAD_50 = Uint8Array.from({ length: 50 }, (_, i) => i);

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
