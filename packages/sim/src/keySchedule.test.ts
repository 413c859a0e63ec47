import {
  ContentType,
  HandshakeType,
  recordAad,
  recordNonce,
  suiteByName,
  type SuiteName,
  TLS_1_3,
} from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { aadMatches, DirectionSchedule } from './keySchedule.js';
import { Monitor } from './monitor.js';
import { fingerprintOf, nextSecretFor, stateFor } from './world/keyCache.js';

const SUITES: SuiteName[] = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
];
const secret = (suite: SuiteName) => new Uint8Array(suite.endsWith('SHA384') ? 48 : 32).fill(0x11);

describe('the key-schedule oracle', () => {
  for (const name of SUITES) {
    it(`${name}: agrees with core's nonce and AAD, record by record, across KeyUpdates`, () => {
      const suite = suiteByName(name);
      const schedule = new DirectionSchedule(suite, secret(name));
      let s: Uint8Array = secret(name);
      let state = stateFor(suite, s);
      let seq = 0n;
      let explicit: Uint8Array = state.iv;
      for (let i = 0; i < 40; i++) {
        const keyUpdate = i % 13 === 12;
        const e = schedule.next(keyUpdate);
        expect(e.seq).toBe(seq);
        expect(e.fingerprint).toBe(fingerprintOf(state));
        // Core's nonce: TLS 1.2 GCM takes the explicit part the TX counts up from the IV.
        const tls12gcm = suite.explicitNonceLength === 8;
        expect(e.nonce).toEqual(
          recordNonce(suite, state.salt, tls12gcm ? explicit : state.iv, seq),
        );
        const aad = recordAad(suite, seq, ContentType.applicationData, 100);
        expect(aadMatches(e, aad, ContentType.applicationData, 100, 5 + 100 + 1 + 16)).toBe(true);
        // TLS 1.3's AAD is the header (opaque type 23); TLS 1.2's names the real type.
        expect(aadMatches(e, aad, ContentType.handshake, 100, 5 + 117)).toBe(
          suite.version === TLS_1_3,
        );
        if (keyUpdate && suite.version === TLS_1_3) {
          s = nextSecretFor(suite, s);
          state = stateFor(suite, s);
          seq = 0n;
        } else {
          seq++;
          if (tls12gcm) {
            const next = Uint8Array.from(explicit);
            for (let k = 7; k >= 0 && ++next[k]! === 256; k--) next[k] = 0;
            explicit = next;
          }
        }
      }
    });
  }

  it('a record sealed with a nonce other than the schedule gives its place violates 9', () => {
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    const m = new Monitor(['client', 'server'], false, suite, [
      secret('TLS_AES_128_GCM_SHA256'),
      new Uint8Array(32).fill(0x22),
    ]);
    const e = new DirectionSchedule(suite, secret('TLS_AES_128_GCM_SHA256')).next(false);
    const header = new Uint8Array([23, 3, 3, 0, 117]);
    const record = new Uint8Array(122);
    record.set(header);
    const fields = {
      length: record.length,
      seq: 0n,
      epoch: 1,
      contentType: ContentType.applicationData,
      firstByte: 0,
      keyFingerprint: e.fingerprint,
      garbage: false,
      size: 100,
    };
    m.wrote('client', { ...fields, nonce: e.nonce }, record, header);
    expect(m.violation).toBeNull();
    // The second record reuses record 0's nonce: the schedule says seq 1.
    m.wrote('client', { ...fields, nonce: e.nonce }, record, header);
    expect(m.violation?.invariant).toBe(9);
    expect(m.violation?.name).toBe('sealed-per-key-schedule');
  });

  it('a delivery reported under another epoch or sequence number violates 10', () => {
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    const m = new Monitor(['client', 'server'], false, suite, [
      secret('TLS_AES_128_GCM_SHA256'),
      new Uint8Array(32).fill(0x22),
    ]);
    const schedule = new DirectionSchedule(suite, secret('TLS_AES_128_GCM_SHA256'));
    const write = (firstByte: number, contentType: number, size: number) => {
      const e = schedule.next(contentType === ContentType.handshake);
      const len = size + 1 + 16;
      const header = new Uint8Array([23, 3, 3, len >> 8, len & 0xff]);
      const record = new Uint8Array(5 + len);
      record.set(header);
      m.wrote(
        'client',
        {
          length: record.length,
          seq: e.seq,
          epoch: e.generation + 1,
          contentType,
          firstByte,
          keyFingerprint: e.fingerprint,
          nonce: e.nonce,
          garbage: false,
          size,
        },
        record,
        header,
      );
    };
    const data = new Uint8Array(10);
    m.appSent('client', data);
    write(0, ContentType.applicationData, 10);
    write(HandshakeType.keyUpdate, ContentType.handshake, 5);
    m.consumed('server', 0, 'app', data, { seq: 0n, epoch: 1 });
    expect(m.violation).toBeNull();
    // The KeyUpdate is record 1 of epoch 1; reported as epoch 2 it is not.
    m.consumed('server', 5 + 27, 'cp', new Uint8Array([HandshakeType.keyUpdate, 0, 0, 1, 0]), {
      seq: 1n,
      epoch: 2,
    });
    expect(m.violation?.invariant).toBe(10);
    expect(m.violation?.name).toBe('reported-epoch');
  });
});
