/**
 * rfc-2015's "get the state out, use it, reset it" (docs/architecture.md §4): what the data plane
 * owes userspace when the state leaves (nothing of its own left pending), and what it refuses when
 * the state comes back (a sequence number it already used under the same key).
 */
import { describe, expect, it } from 'vitest';
import { advance, openRecord } from '../src/recordCrypto.js';
import { LINUX_KTLS, RFC_2015 } from '../src/design.js';
import { TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { RecordLayerError } from '../src/errors.js';
import { ContentType } from '../src/protocol.js';
import { pair, stateFor, text } from './helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof RecordLayerError) return e.code;
    throw e;
  }
}

describe('rfc-2015: the TX state leaves with nothing pending', () => {
  it('pending MSG_MORE bytes are sealed before the state goes out, ahead of userspace’s record', () => {
    const engine = new ModelAeadEngine();
    const tx = new TlsRecordLayer({ engine, design: RFC_2015 });
    const rx = new TlsRecordLayer({ engine, design: LINUX_KTLS });
    const g0 = stateFor('TLS_AES_128_GCM_SHA256');
    tx.installTxKey(g0);
    rx.installRxKey(g0);
    expect(tx.send(utf8('pending '), { more: true })).toHaveLength(0);
    const out = tx.takeTxState();
    // the pending bytes left as record 0 under the key userspace now holds at record 1
    expect(out.recSeq).toBe(1n);
    rx.receive(tx.takeWire());
    expect(text(rx.read())).toBe('pending ');
    // userspace seals its own record with the state, puts the advanced state back
    const sealed = new TlsRecordLayer({ engine });
    sealed.installTxKey(out);
    rx.receive(sealed.sendControl(ContentType.alert, Uint8Array.of(1, 90)));
    rx.receive(tx.importTx(advance(out)));
    expect(rx.recv({ cmsg: true }).contentType).toBe(ContentType.alert);
    rx.receive(tx.send(utf8('after')));
    expect(text(rx.read())).toBe('after');
  });
});

describe('rfc-2015: a put-back that would reuse a nonce is refused', () => {
  it('TX: the same key at a sequence number the data plane already used', () => {
    const tx = new TlsRecordLayer({ engine: new ModelAeadEngine(), design: RFC_2015 });
    tx.installTxKey(stateFor('TLS_AES_128_GCM_SHA256'));
    tx.send(utf8('one'));
    tx.send(utf8('two'));
    const out = tx.takeTxState();
    expect(out.recSeq).toBe(2n);
    const back = { ...out, recSeq: 1n };
    expect(codeOf(() => tx.importTx(back))).toBe('nonce_reuse');
    expect(tx.txPhase).toBe('exported');
    // the state as it left (or later) is fine
    expect(codeOf(() => tx.importTx(out))).toBe('ok');
    expect(tx.txPhase).toBe('running');
  });

  it('TX: another key may start anywhere (a KeyUpdate done in userspace)', () => {
    const tx = new TlsRecordLayer({ engine: new ModelAeadEngine(), design: RFC_2015 });
    tx.installTxKey(stateFor('TLS_AES_128_GCM_SHA256'));
    tx.send(utf8('one'));
    tx.takeTxState();
    expect(codeOf(() => tx.importTx(stateFor('TLS_AES_128_GCM_SHA256', 1)))).toBe('ok');
  });

  it('RX: the held record’s state going back before it is refused', () => {
    const engine = new ModelAeadEngine();
    const { client, server } = pair('TLS_AES_128_GCM_SHA256', RFC_2015, LINUX_KTLS, engine);
    server.receive(client.send(utf8('a')));
    server.receive(client.sendControl(ContentType.alert, Uint8Array.of(1, 90)));
    expect(text(server.read())).toBe('a');
    const state = server.exportRx();
    expect(state.recSeq).toBe(1n);
    const opened = openRecord(engine, state, server.takePunted()[0]!);
    expect(opened.ok).toBe(true);
    expect(codeOf(() => server.importRx({ ...state, recSeq: 0n }))).toBe('nonce_reuse');
    expect(server.rxPhase).toBe('held');
    if (opened.ok) expect(codeOf(() => server.importRx(opened.value.next))).toBe('ok');
    expect(server.rxPhase).toBe('running');
  });
});
