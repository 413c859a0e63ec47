/**
 * `recv()` without a control-message buffer, on both paths at once: the same records (sealed by
 * core) go to a kernel TLS socket and to core's driver, and each read is asked of both. A data
 * record reads without cmsg room; a non-data record at the head gives EIO and stays queued, so a
 * read with room gets it (docs/kernel-tls.md §5.2). The host runs core's half in
 * packages/core/test/library.test.ts; here the kernel answers beside it.
 */
import assert from 'node:assert/strict';
import {
  ContentType,
  cryptoStateFromKernel,
  LINUX_KTLS,
  RecordLayerError,
  TlsRecordLayer,
} from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import { KtlsSocket, NativeSyscallError, rawCryptoInfo } from '../../src/index.js';
import { kernelTest } from './framework.js';

const TLS_1_3 = 0x0304;
const AES_GCM_128 = 51;

/** The errno a read gave, or 'ok:<type>:<length>' for a result. */
function answer(read: () => { data: Uint8Array; type: number | null }): string {
  try {
    const r = read();
    return `ok:${r.type}:${r.data.length}`;
  } catch (e) {
    if (e instanceof RecordLayerError || e instanceof NativeSyscallError) return e.errno;
    throw e;
  }
}

kernelTest('selftest', 'recv_without_cmsg_both_paths', '', [`tx:${TLS_1_3}:${AES_GCM_128}`], () => {
  const state = cryptoStateFromKernel(rawCryptoInfo(TLS_1_3, AES_GCM_128, 0));
  const engine = new NodeCryptoAeadEngine();
  const sender = new TlsRecordLayer({ engine, design: LINUX_KTLS });
  sender.installTxKey(state);
  const core = new TlsRecordLayer({ engine, design: LINUX_KTLS });
  core.installRxKey(state);
  const wire = Buffer.concat([
    sender.send(new TextEncoder().encode('hello')),
    sender.sendControl(ContentType.alert, Uint8Array.of(1, 0)),
    sender.send(new TextEncoder().encode('after')),
  ]);
  const [plain, rx] = KtlsSocket.pair(5000);
  try {
    rx.attachUlp();
    rx.setCryptoState('rx', state);
    plain.sendAll(wire);
    core.receive(wire);
    // Wait for all three records on the kernel side (a peek with room stops at the alert).
    assert.ok(rx.poll(1, 2000) !== 0, 'records arrived');
    const both = (cmsg: boolean | undefined) => {
      const options = cmsg === undefined ? {} : { cmsg };
      const k = answer(() => {
        const r = rx.recv({ ...options, maxBytes: 64, dontwait: true, waitall: false });
        return { data: r.data, type: cmsg ? r.recordType : ContentType.applicationData };
      });
      const c = answer(() => {
        const r = cmsg === undefined ? core.recv() : core.recv({ cmsg });
        return { data: r.data, type: cmsg ? r.contentType : ContentType.applicationData };
      });
      return [k, c];
    };
    // data first, with no cmsg buffer at all (recv() as a plain call makes it)
    assert.deepEqual(both(undefined), [`ok:23:5`, `ok:23:5`]);
    // the alert at the head: EIO on both, with no buffer and with cmsg: false
    assert.deepEqual(both(undefined), ['EIO', 'EIO']);
    assert.deepEqual(both(false), ['EIO', 'EIO']);
    // it stayed queued: a read with room gets it, alone
    assert.deepEqual(both(true), ['ok:21:2', 'ok:21:2']);
  } finally {
    plain.close();
    rx.close();
  }
});
