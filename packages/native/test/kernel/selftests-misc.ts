/**
 * The rest of tls.c's single-process cases (docs/kernel-tls.md §10): shutdown_reuse, recv_efault,
 * recvmsg_nopad_retry_iov, tls_v6ops (an IPv6 pair from the addon), epoll_partial_rec (epoll from
 * native/fdio.cc) and oob_pressure (MSG_OOB on the plain sender into a TLS receiver).
 */
import assert from 'node:assert/strict';
import { KtlsSocket, rawCryptoInfo, SOL_TLS, TLS_RX_EXPECT_NO_PAD } from '../../src/index.js';
import { kernelTest, NotApplicable } from './framework.js';
import {
  basicPair,
  bytes,
  capture,
  eqBytes,
  errTest,
  overhead,
  text,
  throwsErrno,
  tlsTest,
  withSockets,
} from './selftests.js';
import { sys, withFds } from './sys.js';

const TLS_1_2 = 0x0303;
const TLS_1_3 = 0x0304;
const MSG_OOB = 1;
const EPOLLIN = 1;
const AF_INET6 = 10;

tlsTest('shutdown_reuse', (fd, cfd) => {
  fd.shutdown(2);
  cfd.shutdown(2);
  cfd.close();
  sys((b) => b.bindAny4(fd.fd));
  throwsErrno(() => sys((b) => b.listenOn(fd.fd, 10)), 'EINVAL', 'listen');
  throwsErrno(() => sys((b) => b.connectAny4(fd.fd)), 'EISCONN', 'connect');
});

tlsTest('recv_efault', (fd, cfd) => {
  const rec1 = text('1111111111');
  const rec2 = text('2222222222');
  assert.equal(fd.send(rec1), 10);
  assert.equal(fd.send(rec2), 10);
  eqBytes(cfd.recv({ maxBytes: 1 }).data, rec1.subarray(0, 1));
  // The second iovec has a NULL base (the addon's size -1): copying rx_list into it faults, and
  // the read still returns what fit in the first.
  const got = cfd.recv({ iov: [12, -1] }).data;
  assert.ok(got.length >= 9 && got.length <= 12, `read ${got.length} bytes`);
  eqBytes(got.subarray(0, 9), rec1.subarray(1));
  eqBytes(got.subarray(9), rec2.subarray(0, got.length - 9));
});

kernelTest('selftest', 'tls_basic.recvmsg_nopad_retry_iov', '', ['tx:772:51'], () =>
  basicPair((fd, cfd) => {
    fd.setCryptoInfoRaw('tx', rawCryptoInfo(TLS_1_3, 51, 0));
    cfd.setCryptoInfoRaw('rx', rawCryptoInfo(TLS_1_3, 51, 0));
    cfd.setsockopt(SOL_TLS, TLS_RX_EXPECT_NO_PAD, Uint8Array.of(1, 0, 0, 0));
    const payload = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);
    // A control record makes the optimistic no-pad decrypt retry; the retry must start again at
    // the first iovec and leave the second as it was (both start as 0x5a here).
    assert.equal(fd.sendRecord(22, payload), 32);
    const r = sys((b) => b.recv(cfd.fd, [32, 64], 0, true, 0x5a));
    assert.equal(r.recordType, 22);
    eqBytes(r.data, payload);
    assert.ok(r.iovBytes !== undefined);
    eqBytes(r.iovBytes.subarray(0, 32), payload, 'first iovec');
    eqBytes(r.iovBytes.subarray(32), new Uint8Array(64).fill(0x5a), 'second iovec untouched');
  }),
);

kernelTest('selftest', 'tls_v6ops', '', ['tx:771:51'], () =>
  withSockets((open) => {
    const [c, s] = sys((b) => b.tcpPair(5000, 6));
    const fd = open(new KtlsSocket(c));
    open(new KtlsSocket(s));
    const before = sys((b) => b.getsockname(fd.fd));
    assert.equal(before.readUInt16LE(0), AF_INET6);
    fd.attachUlp();
    fd.setCryptoInfoRaw('tx', rawCryptoInfo(TLS_1_2, 51, 0));
    fd.setCryptoInfoRaw('rx', rawCryptoInfo(TLS_1_2, 51, 0));
    // The TLS proto_ops for IPv6 keep inet6_getname: the address reads back the same.
    eqBytes(
      sys((b) => b.getsockname(fd.fd)),
      before,
    );
  }),
);

errTest('epoll_partial_rec', (fd, cfd, fd2, cfd2, v) =>
  withFds((keep) => {
    const ep = sys((b) => b.epollCreate());
    keep(ep);
    sys((b) => b.epollAdd(ep, cfd2.fd, EPOLLIN));
    assert.equal(
      sys((b) => b.epollWait(ep, 0)),
      0,
    );
    const buf = bytes(128, 50);
    assert.equal(fd.send(buf), 128);
    const rec = capture(cfd, 128 + overhead(v));
    fd2.sendAll(rec.subarray(0, 100));
    if (sys((b) => b.epollWait(ep, 20)) !== 0) {
      throw new NotApplicable(
        "this kernel's poll is not TLS-aware: EPOLLIN for a partial record (docs/vm-harness.md §7)",
      );
    }
    fd2.sendAll(rec.subarray(100));
    assert.equal(
      sys((b) => b.epollWait(ep, 1000)),
      1,
    );
    eqBytes(cfd2.recv({ maxBytes: 256 }).data, buf);
  }),
);

errTest('oob_pressure', (_fd, _cfd, fd2) => {
  const buf = bytes(1 << 16, 51);
  const send = (n: number, flags: number) =>
    sys((b) => b.send(fd2.fd, [buf.subarray(0, n)], flags));
  assert.equal(send(5, MSG_OOB), 5);
  assert.equal(send(buf.length, 0), buf.length);
  for (let i = 0; i < 64; i++) assert.equal(send(5, MSG_OOB), 5);
});
