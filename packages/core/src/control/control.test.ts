import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.js';
import { ContentType, TLS_1_2, TLS_1_3 } from '../protocol.js';
import { suiteByName } from '../suites.js';
import { buildAlert, parseAlert } from './alert.js';
import { parseControlRecord } from './controlRecord.js';
import {
  buildKeyUpdate,
  buildNewSessionTicket,
  parseHandshakeMessage,
  parseHandshakeMessages,
} from './handshake.js';
import { reactToKeyUpdate } from './keyUpdate.js';

/** RFC 8448 §3: the server's NewSessionTicket (205 bytes with its handshake header). */
const RFC8448_TICKET = fromHex(`
  04 00 00 c9 00 00 00 1e fa d6 aa c5 02 00 00 00 b2 2c 03 5d 82 93 59
  ee 5f f7 af 4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa
  90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60
  97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f
  d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37
  25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c 5b
  3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f
  ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88
  e9 33 43 69 40 93 93 4a e4 d3 57 00 08 00 2a 00 04 00 00 04 00`);

describe('NewSessionTicket (RFC 8446 §4.6.1)', () => {
  it('reads RFC 8448 §3 and writes it back byte for byte', () => {
    const r = parseHandshakeMessage(RFC8448_TICKET);
    if (!r.ok) throw new Error(r.error.message);
    const t = r.value;
    if (t.type !== 'new-session-ticket') throw new Error(t.type);
    expect(t.lifetime).toBe(30);
    expect(t.ageAdd).toBe(0xfad6aac5);
    expect(toHex(t.nonce)).toBe('0000');
    expect(t.ticket.length).toBe(178);
    // early_data (42) with max_early_data_size 1024
    expect(toHex(t.extensions)).toBe('002a000400000400');
    const again = buildNewSessionTicket(t);
    expect(again.ok && toHex(again.value)).toBe(toHex(RFC8448_TICKET));
  });

  it('round-trips any valid ticket', () => {
    fc.assert(
      fc.property(
        fc.record({
          lifetime: fc.integer({ min: 0, max: 604800 }),
          ageAdd: fc.integer({ min: 0, max: 0xffffffff }),
          nonce: fc.uint8Array({ maxLength: 255 }),
          ticket: fc.uint8Array({ minLength: 1, maxLength: 600 }),
          extensions: fc.uint8Array({ maxLength: 40 }),
        }),
        (t) => {
          const built = buildNewSessionTicket(t);
          if (!built.ok) throw new Error(built.error.message);
          const back = parseHandshakeMessage(built.value);
          expect(back).toEqual({ ok: true, value: { type: 'new-session-ticket', ...t } });
        },
      ),
    );
  });

  it('every truncation is a typed decode_error, never a throw; a 30-day ticket is illegal', () => {
    for (let n = 5; n < RFC8448_TICKET.length; n++) {
      const cut = RFC8448_TICKET.slice(0, n);
      // keep the header's length consistent with the cut, so the body itself is short
      const len = n - 4;
      cut[1] = len >> 16;
      cut[2] = (len >> 8) & 0xff;
      cut[3] = len & 0xff;
      const r = parseHandshakeMessage(cut);
      expect(r.ok, `cut at ${n}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('decode_error');
    }
    const long = Uint8Array.from(RFC8448_TICKET);
    long.set([0x00, 0x27, 0x8d, 0x00], 4); // 2,592,000 s
    const r = parseHandshakeMessage(long);
    expect(!r.ok && r.error).toMatchObject({
      code: 'illegal_parameter',
      alert: 'illegal_parameter',
    });
    expect(
      buildNewSessionTicket({
        lifetime: 604801,
        ageAdd: 0,
        nonce: new Uint8Array(0),
        ticket: Uint8Array.of(1),
        extensions: new Uint8Array(0),
      }).ok,
    ).toBe(false);
  });
});

describe('KeyUpdate (RFC 8446 §4.6.3)', () => {
  it('builds and reads both kinds; any other request value is illegal_parameter', () => {
    expect(toHex(buildKeyUpdate(false))).toBe('1800000100');
    expect(toHex(buildKeyUpdate(true))).toBe('1800000101');
    for (const req of [false, true]) {
      expect(parseHandshakeMessage(buildKeyUpdate(req))).toEqual({
        ok: true,
        value: { type: 'key-update', requestUpdate: req },
      });
    }
    const bad = parseHandshakeMessage(fromHex('1800000102'));
    expect(!bad.ok && bad.error).toMatchObject({ code: 'illegal_parameter', errno: 'EINVAL' });
    const long = parseHandshakeMessage(fromHex('180000020000'));
    expect(!long.ok && long.error.code).toBe('decode_error');
  });

  it('splits messages across and within records: a KeyUpdate behind a ticket, one cut in two', () => {
    const both = new Uint8Array([...RFC8448_TICKET, ...buildKeyUpdate(true)]);
    const first = parseHandshakeMessages(both.subarray(0, 207));
    if (!first.ok) throw new Error('first');
    expect(first.value.messages.map((m) => m.type)).toEqual(['new-session-ticket']);
    expect(first.value.rest.length).toBe(2);
    const second = parseHandshakeMessages(
      new Uint8Array([...first.value.rest, ...both.subarray(207)]),
    );
    expect(second.ok && second.value.messages).toEqual([
      { type: 'key-update', requestUpdate: true },
    ]);
  });

  it('the reaction: next read key always, next write key and a reply only when asked', () => {
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    const secrets = { suite, read: new Uint8Array(32).fill(1), write: new Uint8Array(32).fill(2) };
    const quiet = reactToKeyUpdate(secrets, { type: 'key-update', requestUpdate: false });
    expect(quiet.reply).toBeNull();
    expect(quiet.secrets.write).toBe(secrets.write);
    expect(quiet.secrets.read).not.toEqual(secrets.read);
    const asked = reactToKeyUpdate(secrets, { type: 'key-update', requestUpdate: true });
    expect(asked.reply).not.toBeNull();
    expect(asked.secrets.read).toEqual(quiet.secrets.read);
    expect(asked.secrets.write).not.toEqual(secrets.write);
    expect(asked.reply?.installTx.recSeq).toBe(0n);
    const mute = reactToKeyUpdate(
      secrets,
      { type: 'key-update', requestUpdate: true },
      { answerUpdateRequests: false },
    );
    expect(mute.reply).toBeNull();
  });
});

describe('alerts and control records', () => {
  it('fatal follows RFC 8446 §6.2 in TLS 1.3 and the level in TLS 1.2', () => {
    const warningInternal = Uint8Array.of(1, 80);
    expect(parseAlert(warningInternal, TLS_1_3)).toMatchObject({
      ok: true,
      value: { fatal: true, name: 'internal_error' },
    });
    expect(parseAlert(warningInternal, TLS_1_2)).toMatchObject({
      ok: true,
      value: { fatal: false },
    });
    expect(parseAlert(buildAlert('close_notify'), TLS_1_3)).toMatchObject({
      ok: true,
      value: { closure: true, fatal: false },
    });
    expect(parseAlert(buildAlert('user_canceled'), TLS_1_3)).toMatchObject({
      ok: true,
      value: { fatal: false },
    });
    expect(parseAlert(Uint8Array.of(2), TLS_1_3).ok).toBe(false);
  });

  it('parseControlRecord names what a handed-over record is', () => {
    expect(parseControlRecord(ContentType.alert, Uint8Array.of(2, 20), TLS_1_3)).toMatchObject({
      ok: true,
      value: { kind: 'alert', alert: { name: 'bad_record_mac', fatal: true } },
    });
    expect(parseControlRecord(ContentType.handshake, buildKeyUpdate(false), TLS_1_3)).toMatchObject(
      { ok: true, value: { kind: 'handshake', messages: [{ type: 'key-update' }] } },
    );
    expect(
      parseControlRecord(ContentType.heartbeat, Uint8Array.of(1, 0, 2, 9, 9, 0, 0), TLS_1_2),
    ).toMatchObject({ ok: true, value: { kind: 'heartbeat', heartbeatType: 1 } });
    expect(parseControlRecord(99, Uint8Array.of(1), TLS_1_3)).toMatchObject({
      ok: true,
      value: { kind: 'unknown', contentType: 99 },
    });
    expect(parseControlRecord(ContentType.applicationData, Uint8Array.of(1), TLS_1_3).ok).toBe(
      false,
    );
  });

  it('any bytes of any type give a value or a typed error, never a throw', () => {
    fc.assert(
      fc.property(
        fc.nat(255),
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        (type, body, v13) => {
          const r = parseControlRecord(type, body, v13 ? TLS_1_3 : TLS_1_2);
          if (!r.ok) expect(typeof r.error.errno).toBe('string');
        },
      ),
    );
  });
});
