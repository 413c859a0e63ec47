/**
 * tls.c's cases with a child process (docs/kernel-tls.md §10): the child's loop runs on a native
 * thread on the same socket (native/jobs.cc), the parent's part on this thread. Sizes: `blocking`
 * moves 100000 bytes as in C; `mutliproc_*` moves 30000 bytes per unit where C moves 6 MB (and
 * sends 3000-byte file chunks where C sends 60000), 1/200 of C, so the six cases over nine
 * variants take seconds, not the minutes C's take under TCG (docs/vm-harness.md §5);
 * `rekey_poll_delay` sleeps 200 ms where C sleeps 1 s, twice.
 */
import assert from 'node:assert/strict';
import {
  type KtlsSocket,
  MSG,
  NativeSyscallError,
  POLLIN,
  rawCryptoInfo,
  SO_RCVTIMEO,
  SOL_SOCKET,
} from '../../src/index.js';
import { kernelTest, NotApplicable } from './framework.js';
import {
  basicPair,
  bytes,
  capture,
  errTest,
  overhead,
  recvKeyUpdate,
  rekeyTest,
  sendKeyUpdate,
  text,
  throwsErrno,
  tlsTest,
} from './selftests.js';
import { joined, joinJob, sleepMs, startJob, sys, withFds, withJobs } from './sys.js';

const TLS_1_2 = 0x0303;

tlsTest('blocking', (fd, cfd) =>
  withJobs(() => {
    const total = 100000;
    const child = startJob({ kind: 'recv', fd: cfd.fd, total, chunk: 16384 });
    let left = total;
    const buf = bytes(16384, 40);
    while (left > 0) left -= fd.send(buf.subarray(0, Math.min(16384, left)));
    assert.equal(joined(child, 'reader').bytes, total);
  }),
);

const UNIT = 30000; // C: 6 * 1000 * 1000
const FILE = UNIT / 10; // C: data / 100

function mutliproc(fd: KtlsSocket, cfd: KtlsSocket, sendpg: boolean, nr: number, nw: number) {
  const readBias = Math.max(1, Math.floor(nw / nr));
  const writeBias = Math.max(1, Math.floor(nr / nw));
  const FILL = 0xac;
  withFds((keep) => {
    const jobs: { id: number; what: string; want: number }[] = [];
    for (let i = 0; i < nr; i++) {
      const id = startJob({
        kind: 'recv',
        fd: cfd.fd,
        total: UNIT * readBias,
        chunk: 8001,
        fill: FILL,
      });
      jobs.push({ id, what: `reader ${i}`, want: UNIT * readBias });
    }
    for (let i = 0; i < nw; i++) {
      const common = { fd: fd.fd, total: UNIT * writeBias, chunk: FILE, fill: FILL };
      let id: number;
      if (sendpg) {
        // One file per writer: C's children share one file offset and seek it back each time.
        const file = sys((b) => b.memfdWith(new Uint8Array(FILE).fill(FILL)));
        keep(file);
        id = startJob({ ...common, kind: 'sendfile', fileFd: file, fileSize: FILE });
      } else {
        id = startJob({ ...common, kind: 'send' });
      }
      jobs.push({ id, what: `writer ${i}`, want: UNIT * writeBias });
    }
    for (const j of jobs) {
      const r = joined(j.id, j.what);
      assert.equal(r.bytes, j.want, `${j.what} bytes`);
      assert.equal(r.mismatched, 0, `${j.what}: bytes that are not the file's`);
    }
  });
}
for (const [name, sendpg, nr, nw] of [
  ['mutliproc_even', false, 6, 6],
  ['mutliproc_readers', false, 4, 12],
  ['mutliproc_writers', false, 10, 2],
  ['mutliproc_sendpage_even', true, 6, 6],
  ['mutliproc_sendpage_readers', true, 4, 12],
  ['mutliproc_sendpage_writers', true, 10, 2],
] as const) {
  tlsTest(name, (fd, cfd) => withJobs(() => mutliproc(fd, cfd, sendpg, nr, nw)));
}

tlsTest('poll_wait', (fd, cfd) => {
  const msg = Uint8Array.from([...text('test_poll_wait'), 0]);
  assert.equal(fd.send(msg), msg.length);
  assert.equal(cfd.poll(POLLIN, -1) & POLLIN, POLLIN);
  assert.equal(cfd.recv({ maxBytes: msg.length, waitall: true }).data.length, msg.length);
});

rekeyTest('rekey_poll_delay', (fd, cfd, v) =>
  withJobs(() => {
    sendKeyUpdate(fd, v);
    recvKeyUpdate(cfd);
    const child = startJob({ kind: 'poll', fd: cfd.fd, events: POLLIN, timeoutMs: 5000 });
    sleepMs(200);
    // The new key is installed while the thread sleeps in poll; data comes later and wakes it.
    cfd.setCryptoInfoRaw('rx', rawCryptoInfo(v.version, v.cipher, 1));
    sleepMs(200);
    const msg = Uint8Array.from([...text('test_message_after_rekey'), 0]);
    assert.equal(fd.send(msg), msg.length);
    assert.equal(joined(child, 'poller').revents & POLLIN, POLLIN);
  }),
);

errTest('timeo', (_fd, _cfd, _fd2, cfd2) =>
  withJobs(() => {
    cfd2.setIntOption(SOL_SOCKET, SO_RCVTIMEO, 10);
    const child = startJob({ kind: 'recv', fd: cfd2.fd, total: 128, chunk: 128 });
    sleepMs(1);
    throwsErrno(() => cfd2.recv({ maxBytes: 128 }), 'EAGAIN');
    throwsErrno(() => cfd2.recv({ maxBytes: 128 }), 'EAGAIN');
    assert.equal(joinJob(child).errno, 'EAGAIN', 'the other reader');
  }),
);

errTest('poll_partial_rec_async', (fd, cfd, fd2, cfd2, v) =>
  withJobs(() => {
    const n = 128 + overhead(v);
    fd.send(bytes(128, 41));
    const rec = capture(cfd, n);
    const child = startJob({ kind: 'poll', fd: cfd2.fd, events: POLLIN, timeoutMs: 20 });
    sleepMs(1);
    fd2.sendAll(rec.subarray(0, 100));
    const first = joined(child, 'poller').revents;
    if (first !== 0) {
      throw new NotApplicable(
        "this kernel's poll is not TLS-aware: a partial record woke the poller (docs/vm-harness.md §7)",
      );
    }
    fd2.sendAll(rec.subarray(100));
    assert.equal(cfd2.poll(POLLIN, 1000) & POLLIN, POLLIN);
  }),
);

kernelTest('selftest', 'data_steal', '', ['tx:771:52'], () =>
  basicPair((fd, cfd) =>
    withJobs(() => {
      const buf = bytes(20000, 42);
      // A reader inside plain TCP's recvmsg (before TLS_RX replaces it) keeps reading plain TCP.
      const child = startJob({
        kind: 'recv',
        fd: cfd.fd,
        total: 10001,
        chunk: 10001,
        flags: MSG.WAITALL,
      });
      assert.equal(fd.send(buf.subarray(0, 1)), 1);
      for (let i = 0; i < 10000; i++) {
        try {
          cfd.recv({ maxBytes: 1, peek: true, dontwait: true });
          sleepMs(1);
        } catch (e) {
          if (e instanceof NativeSyscallError && e.errno === 'EAGAIN') break;
          throw e;
        }
      }
      fd.setCryptoInfoRaw('tx', rawCryptoInfo(TLS_1_2, 52, 0));
      cfd.setCryptoInfoRaw('rx', rawCryptoInfo(TLS_1_2, 52, 0));
      assert.equal(fd.send(buf), buf.length);
      assert.equal(joined(child, 'reader').bytes, 10001);
      // What is left is a record cut by the reader: any error, but an error.
      assert.throws(() => cfd.recv({ maxBytes: 20000, dontwait: true }), NativeSyscallError);
    }),
  ),
);
