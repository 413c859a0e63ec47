/**
 * What a user writing code against the record layer hits first (issue "the packages as
 * libraries"): each case failed before it was fixed.
 */
import { describe, expect, it } from 'vitest';
import {
  buildKeyUpdate,
  followKeyUpdate,
  parseControlRecord,
  type TrafficSecrets,
} from '../src/control/index.js';
import { cryptoStateFromSecret } from '../src/cryptoState.js';
import { LINUX_KTLS, LINUX_KTLS_PRE_REKEY, RFC_2015 } from '../src/design.js';
import { TlsRecordLayer } from '../src/driver.js';
import { nextTrafficSecret } from '../src/keySchedule.js';
import { ContentType, TLS_1_3 } from '../src/protocol.js';
import { findSuite, suiteByName } from '../src/suites.js';
import { parseTrace, serializeTrace } from '../src/traceCodec.js';
import { errnoOf, pair, stateFor, text, thrown } from './helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sendKeyUpdate that cannot be done changes nothing and says why', () => {
  it('TLS 1.2: refused before any record is sealed; the next send still opens at the peer', () => {
    const { client, server } = pair('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', LINUX_KTLS);
    server.receive(client.send(utf8('one')));
    const before = client.exportTx();
    const e = thrown(() =>
      client.sendKeyUpdate(stateFor('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 1, 0xbb)),
    );
    expect(e).toMatchObject({ code: 'rekey_unsupported', errno: 'EBUSY' });
    expect(e.message).toContain('TLS 1.2');
    expect(e.message).not.toContain('design');
    expect(client.takeWire()).toHaveLength(0);
    expect(client.exportTx()).toEqual(before);
    server.receive(client.send(utf8('two')));
    expect(text(server.read())).toBe('onetwo');
  });

  it('a design that cannot re-key: refused before the KeyUpdate leaves', () => {
    const { client, server } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS, LINUX_KTLS_PRE_REKEY);
    const e = thrown(() => client.sendKeyUpdate(stateFor('TLS_AES_128_GCM_SHA256', 1)));
    expect(e).toMatchObject({ code: 'rekey_unsupported', errno: 'EBUSY' });
    expect(client.takeWire()).toHaveLength(0);
    server.receive(client.send(utf8('still epoch 1')));
    expect(text(server.read())).toBe('still epoch 1');
  });
});

describe('recv without a control buffer, as recvmsg without cmsg room', () => {
  it('recv() and recv({}) give EIO on a control record, which stays for a read with room', () => {
    const { client, server } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    server.receive(client.sendControl(ContentType.alert, Uint8Array.of(1, 0)));
    expect(errnoOf(() => server.recv())).toBe('EIO');
    expect(errnoOf(() => server.recv({}))).toBe('EIO');
    expect(errnoOf(() => server.recv({ cmsg: false }))).toBe('EIO');
    expect(server.recv({ cmsg: true })).toMatchObject({ contentType: ContentType.alert });
  });
});

describe('suites and designs by name or code', () => {
  it('findSuite knows the ECDHE-ECDSA, DHE and RSA TLS 1.2 AEAD suites by IANA code', () => {
    for (const [code, name, aead] of [
      [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm'],
      [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'aes-256-gcm'],
      [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305'],
      [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm'],
      [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm'],
      [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 'aes-128-ccm'],
    ] as const) {
      expect(findSuite(code)).toMatchObject({ name, aead, version: 0x0303 });
      expect(findSuite(name)?.code).toBe(code);
    }
    expect(findSuite(0xc02c)?.hash).toBe('sha384');
  });

  it('a crypto state from a suite name, and a typed error listing the suites for a wrong one', () => {
    const secret = new Uint8Array(32).fill(7);
    expect(cryptoStateFromSecret('TLS_AES_128_GCM_SHA256', secret)).toEqual(
      cryptoStateFromSecret(suiteByName('TLS_AES_128_GCM_SHA256'), secret),
    );
    const e = thrown(() => cryptoStateFromSecret('TLS_AES_128_GCM' as never, secret));
    expect(e).toMatchObject({ code: 'invalid_argument', errno: 'EINVAL' });
    expect(e.message).toContain('TLS_AES_128_GCM_SHA256');
  });
});

describe('TlsRecordLayer options are checked at construction', () => {
  it('defaults: an engine (node:crypto here) and linux-ktls', () => {
    const tx = new TlsRecordLayer();
    const rx = new TlsRecordLayer({});
    expect(tx.engine.name).toBe('node:crypto');
    expect(tx.design).toBe(LINUX_KTLS);
    const state = stateFor('TLS_AES_128_GCM_SHA256');
    tx.installTxKey(state);
    rx.installRxKey(state);
    rx.receive(tx.send(utf8('hi')));
    expect(text(rx.read())).toBe('hi');
  });

  it('a design by name, and a typed error listing the designs for a wrong one', () => {
    expect(new TlsRecordLayer({ design: 'rfc-2015' }).design).toBe(RFC_2015);
    const e = thrown(() => new TlsRecordLayer({ design: 'linux' as never }));
    expect(e).toMatchObject({ code: 'invalid_argument', errno: 'EINVAL' });
    expect(e.message).toContain('linux-ktls, linux-ktls-pre-rekey, rfc-2015');
    const half = thrown(() => new TlsRecordLayer({ design: { ...LINUX_KTLS, rx: {} } as never }));
    expect(half.message).toContain('design.rx.control');
  });

  it('each wrong option is named', () => {
    const cases: [unknown, string][] = [
      [{ engine: {} }, 'options.engine'],
      [{ limits: 'strict' }, 'options.limits'],
      [{ endpoint: 3 }, 'options.endpoint'],
      [{ trace: 'yes' }, 'options.trace'],
      [{ clock: {} }, 'options.clock'],
      [{ profile: { name: 'x' } }, 'options.profile'],
      [{ engin: {} }, 'unknown option "engin"'],
      ['linux-ktls', 'must be an object'],
    ];
    for (const [options, text] of cases) {
      const e = thrown(() => new TlsRecordLayer(options as never));
      expect(e.code, text).toBe('invalid_argument');
      expect(e.message).toContain(text);
    }
  });
});

describe('control-plane helpers with the record layer', () => {
  it('a KeyUpdate(update_requested) answered through followKeyUpdate; data flows both ways after', () => {
    const suite = suiteByName('TLS_AES_256_GCM_SHA384');
    const c2s = new Uint8Array(48).fill(0x11);
    const s2c = new Uint8Array(48).fill(0x22);
    const client = new TlsRecordLayer({ endpoint: 'client' });
    const server = new TlsRecordLayer({ endpoint: 'server' });
    client.installTxKey(cryptoStateFromSecret(suite, c2s));
    client.installRxKey(cryptoStateFromSecret(suite, s2c));
    server.installTxKey(cryptoStateFromSecret(suite, s2c));
    server.installRxKey(cryptoStateFromSecret(suite, c2s));
    let clientSecrets: TrafficSecrets = { suite, read: s2c, write: nextTrafficSecret(suite, c2s) };
    let serverSecrets: TrafficSecrets = { suite, read: c2s, write: s2c };

    server.receive(client.sendKeyUpdate(cryptoStateFromSecret(suite, clientSecrets.write), true));
    const got = server.recv({ cmsg: true });
    const parsed = parseControlRecord(got.contentType, got.data, TLS_1_3);
    if (!parsed.ok || parsed.value.kind !== 'handshake') throw new Error('expected a handshake');
    const ku = parsed.value.messages[0];
    if (ku?.type !== 'key-update') throw new Error('expected a KeyUpdate');
    expect(ku.requestUpdate).toBe(true);
    expect(errnoOf(() => server.recv())).toBe('EKEYEXPIRED');
    const answered = followKeyUpdate(server, serverSecrets, ku);
    serverSecrets = answered.secrets;
    expect(answered.wire.length).toBeGreaterThan(0);

    client.receive(answered.wire);
    const back = client.recv({ cmsg: true });
    const reply = parseControlRecord(back.contentType, back.data, TLS_1_3);
    if (!reply.ok || reply.value.kind !== 'handshake') throw new Error('expected a handshake');
    const rku = reply.value.messages[0];
    if (rku?.type !== 'key-update') throw new Error('expected a KeyUpdate');
    expect(rku.requestUpdate).toBe(false);
    const quiet = followKeyUpdate(client, clientSecrets, rku);
    clientSecrets = quiet.secrets;
    expect(quiet.wire.length).toBe(0);

    server.receive(client.send(utf8('c→s epoch 2')));
    client.receive(server.send(utf8('s→c epoch 2')));
    expect(text(server.read())).toBe('c→s epoch 2');
    expect(text(client.read())).toBe('s→c epoch 2');
  });

  it('traceHeader makes a trace of the layer that core reads back', () => {
    const layer = new TlsRecordLayer({ trace: true, endpoint: 'client' });
    const state = stateFor('TLS_AES_128_GCM_SHA256');
    layer.installTxKey(state);
    layer.send(utf8('x'));
    const header = layer.traceHeader({ suite: 'TLS_AES_128_GCM_SHA256' });
    expect(header).toMatchObject({ world: 'core', design: 'linux-ktls', engine: 'node:crypto' });
    const r = parseTrace(serializeTrace(header, layer.events));
    expect(r.ok && r.events.length).toBe(layer.events.length);
  });
});

describe('typings a TypeScript 5.9 user writes', () => {
  it('a fresh array can be reassigned from what the key schedule and the builders return', () => {
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    let secret = new Uint8Array(32);
    secret = nextTrafficSecret(suite, secret); // Uint8Array<ArrayBuffer> in and out: compiles
    let message = new Uint8Array(5);
    message = buildKeyUpdate(true);
    expect(secret.length).toBe(32);
    expect(message.length).toBe(5);
  });
});

describe('names of 0.1 still work for one release', () => {
  it('a design object with the 0.1 field names is read as today', () => {
    const { fallbackKeepsBufferedBytes: _, ...rx } = LINUX_KTLS.rx;
    const { controlFlushesPendingRecord: __, ...tx } = LINUX_KTLS.tx;
    const old = {
      ...LINUX_KTLS,
      rx: { ...rx, puntKeepsBufferedBytes: false },
      tx: { ...tx, controlFlushesOpenRecord: true },
    };
    const layer = new TlsRecordLayer({ design: old as never });
    expect(layer.design.rx.fallbackKeepsBufferedBytes).toBe(false);
    expect(layer.design.tx.controlFlushesPendingRecord).toBe(true);
  });
});
