/**
 * TLS records in batches on the EVP engine: the sealer's wire bytes are core's `sealRecord`'s,
 * record for record, for every suite (TLS 1.3 and 1.2, explicit nonces advancing); the opener
 * reads core's records and RFC 8448's in place, reports a tampered record without stopping the
 * batch, keeps a partial record for later, and a full batch or an oversized content is said so.
 */
import {
  type CipherSuite,
  ContentType,
  type ContentTypeByte,
  type CryptoState,
  concat,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  fromHex,
  NodeCryptoAeadEngine,
  RecordLayerError,
  SUITES,
  sealRecord,
  suiteByName,
  toHex,
} from '@ktls-lab/core';
import { RFC8448_APP_RECORDS, testBytes as bytes } from '@ktls-lab/core/testing';
import { describe, expect, it } from 'vitest';
import { EvpAeadEngine, EvpRecordOpener, EvpRecordSealer } from '../src/index.js';

const evp = new EvpAeadEngine();
const node = new NodeCryptoAeadEngine();
const CAPACITY = { records: 16, bytes: 64 * 1024 };

const CONTENTS: readonly [ContentTypeByte, Uint8Array][] = [
  [ContentType.applicationData, bytes(100, 1)],
  [ContentType.handshake, bytes(7, 2)],
  [ContentType.applicationData, new Uint8Array(0)],
  [ContentType.alert, Uint8Array.of(1, 0)],
  [ContentType.applicationData, bytes(16384, 3)],
];

function stateOf(suite: CipherSuite): CryptoState {
  // rec_seq near a 2^32 boundary: the sequence number's two halves must carry.
  return cryptoStateFromKeyIv(suite, bytes(suite.keyLength, 5), bytes(12, 6), 0xfffffffen);
}

/** The records core seals for CONTENTS, one after the other, from `state`. */
function coreWire(state: CryptoState): Uint8Array {
  const records: Uint8Array[] = [];
  let s = state;
  for (const [type, content] of CONTENTS) {
    const r = sealRecord(node, s, type, content);
    if (!r.ok) throw new Error(r.error.message);
    records.push(r.value.record);
    s = r.value.next;
  }
  return concat(records);
}

describe('EvpRecordSealer', () => {
  for (const suite of SUITES) {
    it(`${suite.name}: the wire bytes of core's sealRecord, in one call`, () => {
      const state = stateOf(suite);
      const sealer = new EvpRecordSealer(evp, state, CAPACITY);
      for (const [type, content] of CONTENTS) expect(sealer.add(type, content)).toBe(true);
      expect(sealer.pending).toBe(CONTENTS.length);
      const n = sealer.seal();
      expect(toHex(sealer.arena.subarray(0, n))).toBe(toHex(coreWire(state)));
      expect(sealer.recSeq).toBe(state.recSeq + BigInt(CONTENTS.length));
      sealer.close();
    });
  }

  it('a full batch says so (add is false), and the next batch continues the sequence', () => {
    const suite = suiteByName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    const state = stateOf(suite);
    const sealer = new EvpRecordSealer(evp, state, { records: 2, bytes: 16 * 1024 + 512 });
    const wire: Uint8Array[] = [];
    for (const [type, content] of CONTENTS) {
      if (!sealer.add(type, content)) {
        wire.push(sealer.arena.slice(0, sealer.seal()));
        expect(sealer.add(type, content)).toBe(true);
      }
    }
    wire.push(sealer.arena.slice(0, sealer.seal()));
    expect(wire.length).toBeGreaterThan(2);
    expect(toHex(concat(wire))).toBe(toHex(coreWire(state)));
  });

  it('content over 2^14 bytes is record_overflow (EMSGSIZE)', () => {
    const sealer = new EvpRecordSealer(evp, stateOf(SUITES[0]!), CAPACITY);
    let error: unknown;
    try {
      sealer.add(ContentType.applicationData, new Uint8Array(16385));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordLayerError);
    expect(error).toMatchObject({ code: 'record_overflow', errno: 'EMSGSIZE' });
  });
});

describe('EvpRecordOpener', () => {
  for (const suite of SUITES) {
    it(`${suite.name}: opens core's records in place; a tampered one fails alone`, () => {
      const state = stateOf(suite);
      const wire = coreWire(state);
      const opener = new EvpRecordOpener(evp, state, CAPACITY);
      opener.arena.set(wire, 0);
      expect(opener.open(wire.length)).toBe(CONTENTS.length);
      expect(opener.consumed).toBe(wire.length);
      CONTENTS.forEach(([type, content], i) => {
        expect(opener.opened(i)).toBe(true);
        expect(opener.contentType(i)).toBe(type);
        const at = opener.contentOffset(i);
        expect(toHex(opener.arena.subarray(at, at + opener.contentLength(i)))).toBe(toHex(content));
      });
      // Flip a bit in the second record's ciphertext; the others still open.
      const again = new EvpRecordOpener(evp, state, CAPACITY);
      again.arena.set(wire, 0);
      const second = 5 + ((wire[3]! << 8) | wire[4]!);
      again.arena[second + 5 + suite.explicitNonceLength]! ^= 0x80;
      expect(again.open(wire.length)).toBe(CONTENTS.length);
      expect(CONTENTS.map((_, i) => again.opened(i))).toEqual([true, false, true, true, true]);
    });
  }

  it('a partial record at the end is left for the next call (consumed says where)', () => {
    const state = stateOf(suiteByName('TLS_AES_256_GCM_SHA384'));
    const wire = coreWire(state);
    const opener = new EvpRecordOpener(evp, state, CAPACITY);
    opener.arena.set(wire, 0);
    const first = 5 + ((wire[3]! << 8) | wire[4]!);
    expect(opener.open(first + 3)).toBe(1);
    expect(opener.consumed).toBe(first);
  });

  it('RFC 8448 §3 application records open to the RFC’s content', () => {
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    for (const { secret, seq, record, contentType, content } of RFC8448_APP_RECORDS) {
      const state = { ...cryptoStateFromSecret(suite, fromHex(secret)), recSeq: seq };
      const opener = new EvpRecordOpener(evp, state, CAPACITY);
      const wire = fromHex(record);
      opener.arena.set(wire, 0);
      expect(opener.open(wire.length)).toBe(1);
      expect(opener.opened(0)).toBe(true);
      expect(opener.contentType(0)).toBe(contentType);
      const at = opener.contentOffset(0);
      expect(toHex(opener.arena.subarray(at, at + opener.contentLength(0)))).toBe(content);
    }
  });
});
