import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../src/bytes.js';
import { TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import type { TraceEvent } from '../src/trace.js';
import { stateFor } from './helpers.js';

describe('TlsRecordLayer', () => {
  it('a trace callback may call back into the layer mid-step: nothing is lost or repeated', () => {
    // The driver reuses one effect list per direction; a nested call must not clobber the list
    // the outer call is still walking.
    const key = stateFor('TLS_AES_128_GCM_SHA256');
    const tx = new TlsRecordLayer({ engine: new ModelAeadEngine() });
    tx.installTxKey(key);
    const payloads = [1, 2, 3, 4].map((n) => new Uint8Array(100 * n).fill(n));
    const wire = concat(payloads.map((p) => tx.send(p)));

    const kinds: string[] = [];
    const exportedSeqs: bigint[] = [];
    const rx: TlsRecordLayer = new TlsRecordLayer({
      engine: new ModelAeadEngine(),
      trace: (e: TraceEvent) => {
        kinds.push(e.kind);
        // getsockopt(TLS_RX) from inside the callback runs a nested RX step.
        if (e.kind === 'deliver-data') exportedSeqs.push(rx.exportRx().recSeq);
      },
    });
    rx.installRxKey(key);
    rx.receive(wire);
    expect(toHex(rx.read())).toBe(toHex(concat(payloads)));
    expect(kinds.filter((k) => k === 'deliver-data')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'state-export')).toHaveLength(4);
    // Effects are handled once their step is over: by then the data plane has already issued the
    // next record of the same input, so rec_seq is one ahead until the last record.
    expect(exportedSeqs).toEqual([2n, 3n, 4n, 4n]);
  });

  it('a throwing trace callback does not wedge the layer', () => {
    const key = stateFor('TLS_AES_128_GCM_SHA256');
    let fail = true;
    const tx = new TlsRecordLayer({
      engine: new ModelAeadEngine(),
      trace: () => {
        if (fail) throw new Error('callback failed');
      },
    });
    expect(() => tx.installTxKey(key)).toThrow('callback failed');
    fail = false;
    const rx = new TlsRecordLayer({ engine: new ModelAeadEngine() });
    rx.installRxKey(key);
    rx.receive(tx.send(Uint8Array.of(1, 2, 3)));
    expect(toHex(rx.read())).toBe('010203');
  });

  it('recvIfReady is recv with null for EAGAIN: the same records, EOF, errors and key_expired', () => {
    const key = stateFor('TLS_AES_128_GCM_SHA256');
    const tx = new TlsRecordLayer({ engine: new ModelAeadEngine() });
    tx.installTxKey(key);
    const a = new TlsRecordLayer({ engine: new ModelAeadEngine() });
    const b = new TlsRecordLayer({ engine: new ModelAeadEngine() });
    a.installRxKey(key);
    b.installRxKey(key);
    // Nothing yet: recv throws would_block (EAGAIN), recvIfReady says null.
    expect(() => a.recv()).toThrow(
      expect.objectContaining({ code: 'would_block', errno: 'EAGAIN' }),
    );
    expect(b.recvIfReady()).toBeNull();
    const wire = concat([
      tx.send(Uint8Array.of(1, 2)),
      tx.sendControl(22, Uint8Array.of(4, 0, 0, 0)),
    ]);
    // Half a record: still nothing whole.
    a.receive(wire.subarray(0, 10));
    b.receive(wire.subarray(0, 10));
    expect(b.recvIfReady({ cmsg: true })).toBeNull();
    a.receive(wire.subarray(10));
    b.receive(wire.subarray(10));
    for (let i = 0; i < 2; i++)
      expect(b.recvIfReady({ cmsg: true })).toEqual(a.recv({ cmsg: true }));
    expect(b.recvIfReady({ cmsg: true })).toBeNull();
    // EOF after close_notify: the same result from both.
    const closing = tx.close();
    a.receive(closing);
    b.receive(closing);
    expect(b.recvIfReady({ cmsg: true })).toEqual(a.recv({ cmsg: true }));
    expect(b.recvIfReady({ cmsg: true })).toEqual(a.recv({ cmsg: true }));
    // A bad record: the error is thrown, not turned into null.
    const c = new TlsRecordLayer({ engine: new ModelAeadEngine() });
    c.installRxKey(key);
    const bad = tx2(key);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    c.receive(bad);
    expect(() => c.recvIfReady()).toThrow(expect.objectContaining({ errno: 'EBADMSG' }));
  });
});

/** One fresh data record under `key` at sequence 0. */
function tx2(key: ReturnType<typeof stateFor>): Uint8Array {
  const t = new TlsRecordLayer({ engine: new ModelAeadEngine() });
  t.installTxKey(key);
  return t.send(Uint8Array.of(9, 9, 9));
}
