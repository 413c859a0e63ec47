import { describe, expect, it } from 'vitest';
import { concat, MAX_U64, utf8 } from '../src/bytes.js';
import { encodeRecord } from '../src/codec.js';
import { LINUX_KTLS, LINUX_KTLS_PRE_REKEY, RFC_2015 } from '../src/design.js';
import { TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { incrementBe, recordAad, recordNonce } from '../src/nonce.js';
import { alertBody, ContentType, HandshakeType } from '../src/protocol.js';
import { errnoOf, pair, stateFor, text } from './helpers.js';

const KEY_UPDATE = Uint8Array.of(HandshakeType.keyUpdate, 0, 0, 1, 0);
const TICKET = Uint8Array.of(HandshakeType.newSessionTicket, 0, 0, 4, 1, 2, 3, 4);

describe('linux-ktls', () => {
  it('freezes RX at a KeyUpdate until the next key is installed (selftest rekey)', () => {
    const { client, server, generations } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    server.receive(client.send(utf8('before')));
    server.receive(client.sendKeyUpdate(generations[1]!));
    server.receive(client.send(utf8('after')));
    expect(text(server.recv().data)).toBe('before');
    // plain recv at a control record → EIO, the record stays
    expect(errnoOf(() => server.recv({ cmsg: false }))).toBe('EIO');
    const ku = server.recv({ cmsg: true });
    expect(ku.contentType).toBe(ContentType.handshake);
    expect([...ku.data]).toEqual([...KEY_UPDATE]);
    expect(server.rxPhase).toBe('frozen');
    expect(errnoOf(() => server.recv())).toBe('EKEYEXPIRED');
    expect(errnoOf(() => server.recv())).toBe('EKEYEXPIRED');
    server.installRxKey(generations[1]!);
    expect(server.rxPhase).toBe('running');
    expect(text(server.recv().data)).toBe('after');
    const kinds = server.events.map((e) => e.kind);
    expect(kinds.indexOf('freeze')).toBeGreaterThan(-1);
    expect(kinds.indexOf('resume')).toBeGreaterThan(kinds.indexOf('freeze'));
  });

  it('hands a control record over alone between data records (selftest data_control_data)', () => {
    const { client, server } = pair('TLS_AES_256_GCM_SHA384', LINUX_KTLS);
    server.receive(
      concat([
        client.send(utf8('aaaaa')),
        client.sendControl(22, TICKET),
        client.send(utf8('bbbbb')),
      ]),
    );
    // peek stops at the control record, twice
    expect(text(server.recv({ peek: true, maxBytes: 15 }).data)).toBe('aaaaa');
    expect(text(server.recv({ peek: true, maxBytes: 15 }).data)).toBe('aaaaa');
    expect(text(server.recv({ maxBytes: 15 }).data)).toBe('aaaaa');
    const ctrl = server.recv({ cmsg: true });
    expect(ctrl.contentType).toBe(22);
    expect([...ctrl.data]).toEqual([...TICKET]);
    expect(server.rxPhase).toBe('running'); // a ticket does not freeze
    expect(text(server.recv().data)).toBe('bbbbb');
  });

  it('merges data records in one read and never merges control records (control_msg_nomerge)', () => {
    const { client, server } = pair('TLS_CHACHA20_POLY1305_SHA256', LINUX_KTLS);
    server.receive(concat([client.send(utf8('0123456789')), client.send(utf8('abcdefghij'))]));
    expect(text(server.recv({ maxBytes: 20 }).data)).toBe('0123456789abcdefghij');
    server.receive(
      concat([client.sendControl(100, utf8('rec#1')), client.sendControl(100, utf8('rec#2'))]),
    );
    expect(text(server.recv({ cmsg: true, peek: true }).data)).toBe('rec#1');
    expect(text(server.recv({ cmsg: true }).data)).toBe('rec#1');
    expect(text(server.recv({ cmsg: true }).data)).toBe('rec#2');
  });

  it('coalesces MSG_MORE and flushes the open record before a control record (msg_more_then_cmsg)', () => {
    const { client, server } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    expect(client.send(utf8('0123456789'), { more: true }).length).toBe(0);
    const wire = client.sendControl(100, utf8('control!!!'));
    server.receive(wire);
    expect(text(server.recv({ maxBytes: 20 }).data)).toBe('0123456789');
    const c = server.recv({ cmsg: true });
    expect(c.contentType).toBe(100);
    expect(text(c.data)).toBe('control!!!');
  });

  it('refuses a control record with MSG_MORE (cmsg_msg_more → EINVAL)', () => {
    const { client } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    const layer = client as unknown as { runTx(i: unknown): void };
    expect(
      errnoOf(() =>
        layer.runTx({ type: 'send-control', contentType: 100, body: utf8('x'), more: true }),
      ),
    ).toBe('EINVAL');
  });

  it('ends the stream at close_notify and ignores what follows (RFC 8446 §6.1)', () => {
    const { client, server } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    const closing = concat([client.send(utf8('last words')), client.close()]);
    expect(errnoOf(() => client.send(utf8('more')))).toBe('EPIPE');
    server.receive(closing);
    expect(text(server.recv().data)).toBe('last words');
    const alert = server.recv({ cmsg: true });
    expect(alert.contentType).toBe(ContentType.alert);
    expect([...alert.data]).toEqual([...alertBody('close_notify')]);
    expect(server.recv()).toMatchObject({ eof: true });
    server.receive(utf8('garbage after close'));
    expect(server.recv()).toMatchObject({ eof: true });
    expect(server.events.some((e) => e.kind === 'discard')).toBe(true);
  });

  it('closes RX on a fatal alert, after handing it to the control plane', () => {
    const { client, server } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    server.receive(
      concat([
        client.sendControl(ContentType.alert, alertBody('bad_record_mac')),
        client.send(utf8('x')),
      ]),
    );
    expect(server.recv({ cmsg: true }).data[1]).toBe(20);
    expect(server.rxPhase).toBe('closed');
    expect(server.recv().eof).toBe(true);
  });

  it('makes a bad MAC sticky (bad_auth) and returns earlier data first (bad_in_large_read)', () => {
    const { client, server } = pair('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', LINUX_KTLS);
    const a = client.send(new Uint8Array(64).fill(1));
    const b = client.send(new Uint8Array(64).fill(2));
    const c = client.send(new Uint8Array(64).fill(3));
    c[c.length - 1]! ^= 1;
    server.receive(concat([a, b, c]));
    expect(server.recv({ maxBytes: 384 }).data.length).toBe(128);
    expect(errnoOf(() => server.recv())).toBe('EBADMSG');
    expect(errnoOf(() => server.recv())).toBe('EBADMSG');
    expect(server.rxPhase).toBe('failed');
  });

  it('reports an oversize record once, then the stream just stops (tls_err.bad_rec)', () => {
    const { server } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    server.receive(new Uint8Array(64).fill(0x55));
    expect(errnoOf(() => server.recv())).toBe('EMSGSIZE');
    expect(errnoOf(() => server.recv())).toBe('EAGAIN');
  });

  it('rejects a record whose length exceeds the kernel limit by one byte, accepts the limit', () => {
    const { server } = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    server.receive(encodeRecord(23, new Uint8Array(16384 + 16 + 1 + 1)));
    expect(errnoOf(() => server.recv())).toBe('EMSGSIZE');
    const ok = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    ok.server.receive(encodeRecord(23, new Uint8Array(16384 + 16 + 1)));
    // the length passes framing; the zero bytes then fail authentication
    expect(errnoOf(() => ok.server.recv())).toBe('EBADMSG');
  });

  it('fails the first send when rec_seq is all ones (recseq_wrap → EBADMSG)', () => {
    const engine = new ModelAeadEngine();
    const tx = new TlsRecordLayer({ engine });
    tx.installTxKey({ ...stateFor('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'), recSeq: MAX_U64 });
    expect(errnoOf(() => tx.send(utf8('x')))).toBe('EBADMSG');
    expect(errnoOf(() => tx.send(utf8('x')))).toBe('EBADMSG');
  });

  it('refuses a TLS 1.2 re-key (EBUSY) and a TLS 1.3 re-key that changes cipher (EINVAL)', () => {
    const p12 = pair('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', LINUX_KTLS);
    expect(
      errnoOf(() => p12.client.installTxKey(stateFor('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'))),
    ).toBe('EBUSY');
    const p13 = pair('TLS_AES_128_GCM_SHA256', LINUX_KTLS);
    expect(errnoOf(() => p13.client.installTxKey(stateFor('TLS_AES_256_GCM_SHA384')))).toBe(
      'EINVAL',
    );
    // re-setting RX before any data is a valid rekey in TLS 1.3 (selftest rekey_rx)
    expect(errnoOf(() => p13.server.installRxKey(p13.generations[1]!))).toBe('ok');
  });

  it('cuts records at TLS_TX_MAX_PAYLOAD_LEN (tls_12_tx_max_payload_len)', () => {
    const { client, server } = pair('TLS_ECDHE_ECDSA_WITH_AES_128_CCM', LINUX_KTLS);
    client.setMaxPayload(128);
    const wire = client.send(new Uint8Array(1024).fill(7));
    // 8 records of 128 plaintext bytes, each with 24 bytes of body overhead (explicit nonce + tag)
    expect(wire.length).toBe(8 * (5 + 128 + 24));
    for (let off = 0; off < wire.length; off += 5 + 128 + 24) {
      expect(wire[off]).toBe(23);
      expect((wire[off + 3]! << 8) | wire[off + 4]!).toBe(128 + 24);
    }
    server.receive(wire);
    expect(server.recv().data.length).toBe(1024);
    expect(errnoOf(() => client.setMaxPayload(63))).toBe('EINVAL');
    client.send(utf8('open'), { more: true });
    expect(errnoOf(() => client.setMaxPayload(512))).toBe('EBUSY');
  });

  it('parses bytes queued before TLS_RX once the key arrives (selftest prequeue)', () => {
    const engine = new ModelAeadEngine();
    const client = new TlsRecordLayer({ engine });
    const server = new TlsRecordLayer({ engine });
    const s = stateFor('TLS_AES_128_GCM_SHA256');
    client.installTxKey(s);
    server.receive(client.send(new Uint8Array(20000).fill(9)));
    expect(errnoOf(() => server.recv())).toBe('EAGAIN');
    server.installRxKey(s);
    expect(server.read().length).toBe(20000);
  });

  it('punts a cipher the profile cannot offload to userspace without losing bytes', () => {
    const engine = new ModelAeadEngine();
    const s = stateFor('TLS_CHACHA20_POLY1305_SHA256');
    const client = new TlsRecordLayer({ engine });
    client.installTxKey(s);
    const server = new TlsRecordLayer({
      engine,
      profile: { name: 'aes-only', versions: [0x0304], aeads: ['aes-128-gcm'] },
    });
    const wire = concat([client.send(utf8('one')), client.send(utf8('two'))]);
    server.receive(wire.subarray(0, 7));
    expect(errnoOf(() => server.installRxKey(s))).toBe('EINVAL');
    server.puntRx(s);
    server.receive(wire.subarray(7));
    const raw = server.takePunted();
    expect(raw.length).toBe(2);
    expect(concat(raw)).toEqual(wire);
  });
});

describe('linux-ktls-pre-rekey', () => {
  it('cannot re-key, and every record after a peer KeyUpdate fails (EBADMSG)', () => {
    const { client, server, generations } = pair(
      'TLS_AES_128_GCM_SHA256',
      LINUX_KTLS_PRE_REKEY,
      LINUX_KTLS,
    );
    server.receive(client.send(utf8('before')));
    server.receive(client.sendKeyUpdate(generations[1]!));
    server.receive(client.send(utf8('after')));
    expect(text(server.recv().data)).toBe('before');
    expect(server.recv({ cmsg: true }).contentType).toBe(ContentType.handshake);
    expect(server.rxPhase).toBe('failed');
    expect(errnoOf(() => server.recv())).toBe('EBADMSG');
    expect(errnoOf(() => server.recv())).toBe('EBADMSG');
    expect(errnoOf(() => server.installRxKey(generations[1]!))).toBe('EBUSY');
    const tx = new TlsRecordLayer({ engine: new ModelAeadEngine(), design: LINUX_KTLS_PRE_REKEY });
    tx.installTxKey(generations[0]!);
    expect(errnoOf(() => tx.installTxKey(generations[1]!))).toBe('EBUSY');
  });
});

describe('rfc-2015', () => {
  it('leaves a control record on the stream; userspace gets the state out, reads it, puts it back', () => {
    const engine = new ModelAeadEngine();
    const { client, server, generations } = pair(
      'TLS_AES_128_GCM_SHA256',
      RFC_2015,
      LINUX_KTLS,
      engine,
    );
    server.receive(client.send(utf8('before')));
    server.receive(client.sendKeyUpdate(generations[1]!));
    server.receive(client.send(utf8('after')));
    expect(text(server.recv().data)).toBe('before');
    expect(server.rxPhase).toBe('held');
    expect(errnoOf(() => server.recv())).toBe('EAGAIN');
    const [raw] = server.takePunted();
    const state = server.exportRx();
    expect(state.recSeq).toBe(1n);
    // userspace opens the record itself with the exported state
    const key = engine.importKey(state.suite.aead, state.key);
    const nonce = recordNonce(state.suite, state.salt, state.iv, state.recSeq);
    const inner = engine.open({
      key,
      nonce,
      aad: raw!.subarray(0, 5),
      ciphertext: raw!.subarray(5),
    })!;
    expect(inner[inner.length - 1]).toBe(ContentType.handshake);
    expect([...inner.subarray(0, 5)]).toEqual([...KEY_UPDATE]);
    // …and resets it: the next generation from sequence 0
    server.importRx(generations[1]!);
    expect(server.rxPhase).toBe('running');
    expect(text(server.recv().data)).toBe('after');
  });

  it('TLS 1.2: userspace sends a heartbeat by taking the TX state out and putting it back', () => {
    const engine = new ModelAeadEngine();
    const { client, server } = pair(
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      LINUX_KTLS,
      RFC_2015,
      engine,
    );
    const first = client.send(utf8('data-1'));
    const state = client.takeTxState();
    expect(client.send(utf8('queued'))).toHaveLength(0); // paused while userspace holds the state
    // userspace seals a heartbeat (type 24) with seq = state.recSeq and explicit nonce = state.iv
    const key = engine.importKey(state.suite.aead, state.key);
    const body = utf8('ping');
    const sealed = engine.seal({
      key,
      nonce: recordNonce(state.suite, state.salt, state.iv, state.recSeq),
      aad: recordAad(state.suite, state.recSeq, 24, body.length),
      plaintext: body,
    });
    const heartbeat = encodeRecord(24, concat([state.iv, sealed]));
    const rest = client.importTx({
      ...state,
      recSeq: state.recSeq + 1n,
      iv: incrementBe(state.iv)!,
    });
    server.receive(concat([first, heartbeat, rest]));
    expect(text(server.recv().data)).toBe('data-1');
    expect(text(server.recv({ cmsg: true }).data)).toBe('ping');
    expect(text(server.recv().data)).toBe('queued');
  });
});
