/**
 * tls.c's sendfile, splice and vmsplice cases (docs/kernel-tls.md §10), on the addon's pipes,
 * splice(2), vmsplice(2) and sendfile(2) (native/fdio.cc). Sizes as in C except where noted:
 * `sendfile` and `send_then_sendfile` send /proc/self/exe in C (a ~100 KiB test binary); here a
 * 64 KiB memfd, since Node's own binary is ~100 MiB and would take minutes under TCG.
 */
import assert from 'node:assert/strict';
import { type KtlsSocket, rawCryptoInfo } from '../../src/index.js';
import {
  bytes,
  CTRL,
  capture,
  eqBytes,
  errTest,
  overhead,
  recvCmsg,
  recvKeyUpdate,
  rekeyTest,
  sendKeyUpdate,
  text,
  throwsErrno,
  tlsTest,
} from './selftests.js';
import { sys, withFds } from './sys.js';

const MAX = 16384; // TLS_PAYLOAD_MAX_LEN
const SPLICE_F_NONBLOCK = 2;
const SPLICE_F_MORE = 4;
const SPLICE_F_GIFT = 8;

/** A pipe closed when the test ends. */
function withPipe<T>(fn: (r: number, w: number) => T, nonblock = false): T {
  return withFds((keep) => {
    const [r, w] = sys((b) => b.pipe(nonblock));
    keep(r, w);
    return fn(r, w);
  });
}
const write = (fd: number, data: Uint8Array) => sys((b) => b.fdWrite(fd, data));
const read = (fd: number, n: number) => sys((b) => b.fdRead(fd, n));
const splice = (from: number, to: number, len: number, flags = 0) =>
  sys((b) => b.splice(from, to, len, flags));
const waitall = (s: KtlsSocket, n: number) => s.recv({ maxBytes: n, waitall: true }).data;

function sendfileAll(fd: KtlsSocket, file: Uint8Array): number {
  return withFds((keep) => {
    const f = sys((b) => b.memfdWith(file));
    keep(f);
    const [n] = sys((b) => b.sendfile(fd.fd, f, 0, file.length));
    return n;
  });
}

tlsTest('sendfile', (fd, cfd) => {
  const file = bytes(65536, 21);
  assert.ok(sendfileAll(fd, file) >= 0);
  // C stops here; the bytes that went out must also come out.
  eqBytes(waitall(cfd, file.length), file);
});

tlsTest('send_then_sendfile', (fd, cfd) => {
  const msg = Uint8Array.from([...text('test_send'), 0]);
  assert.equal(fd.send(msg), msg.length);
  eqBytes(waitall(cfd, msg.length), msg);
  const file = bytes(65536, 22);
  assert.equal(sendfileAll(fd, file), file.length);
  eqBytes(waitall(cfd, file.length), file);
});

tlsTest('multi_chunk_sendfile', (fd, cfd) => {
  const cases: readonly [number, number][] = [
    [4096, 4096],
    [4096, 0],
    [4096, 1],
    [4096, 2048],
    [8192, 2048],
    [4096, 8192],
    [8192, 4096],
    [12288, 1024],
    [12288, 2000],
    [15360, 100],
    [15360, 300],
    [1, 4096],
    [2048, 4096],
    [2048, 8192],
    [4096, 8192],
    [1024, 12288],
    [2000, 12288],
    [100, 15360],
    [300, 15360],
  ];
  for (const [chunk, extra] of cases) {
    const size = chunk + extra;
    const file = new Uint8Array(size).fill(1);
    withFds((keep) => {
      const f = sys((b) => b.memfdWith(file));
      keep(f);
      let offset = 0;
      while (offset < size) {
        const [n, next] = sys((b) => b.sendfile(fd.fd, f, offset, chunk));
        assert.ok(n > 0, `sendfile ${chunk}+${extra} made no progress`);
        offset = next;
      }
    });
    eqBytes(waitall(cfd, size), file, `chunk ${chunk} extra ${extra}`);
  }
});

tlsTest('splice_from_pipe', (fd, cfd) =>
  withPipe((r, w) => {
    const data = bytes(MAX, 23);
    assert.equal(write(w, data), MAX);
    assert.ok(splice(r, fd.fd, MAX) >= 0);
    eqBytes(waitall(cfd, MAX), data);
  }),
);

tlsTest('splice_more', (fd) =>
  withPipe((r, w) => {
    write(w, bytes(MAX, 24));
    const f = SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT;
    for (let i = 0; i < 32; i++) assert.equal(splice(r, fd.fd, 1, f), 1);
  }),
);

tlsTest('splice_from_pipe2', (fd, cfd) =>
  withFds((keep) => {
    const data = bytes(16000, 25);
    const [r1, w1] = sys((b) => b.pipe(false));
    const [r2, w2] = sys((b) => b.pipe(false));
    keep(r1, w1, r2, w2);
    assert.equal(write(w1, data.subarray(0, 8000)), 8000);
    assert.equal(splice(r1, fd.fd, 8000), 8000);
    assert.equal(write(w2, data.subarray(8000)), 8000);
    assert.equal(splice(r2, fd.fd, 8000), 8000);
    eqBytes(waitall(cfd, 16000), data);
  }),
);

tlsTest('send_and_splice', (fd, cfd) =>
  withPipe((r, w) => {
    const msg = Uint8Array.from([...text('test_read'), 0]);
    assert.equal(fd.send(msg), 10);
    eqBytes(waitall(cfd, 10), msg);
    const data = bytes(MAX, 26);
    assert.equal(write(w, data), MAX);
    assert.equal(splice(r, fd.fd, MAX), MAX);
    eqBytes(waitall(cfd, MAX), data);
  }),
);

tlsTest('splice_onto_full_record', (fd, cfd) =>
  withPipe((r, w) => {
    const mem = bytes(4608, 27);
    const frag = 100;
    for (let nfrags = 16; nfrags <= 44; nfrags++) {
      let off = 0;
      for (let i = 0; i < nfrags; i++, off += frag) {
        assert.equal(write(w, mem.subarray(off, off + frag)), frag);
        assert.equal(splice(r, fd.fd, frag, SPLICE_F_MORE), frag);
      }
      assert.equal(fd.send(mem.subarray(off, off + 1), { more: true }), 1);
      off++;
      assert.equal(write(w, mem.subarray(off, off + frag)), frag);
      assert.equal(splice(r, fd.fd, frag, SPLICE_F_MORE), frag);
      off += frag;
      assert.equal(fd.send(mem.subarray(off, off + 1)), 1);
      off++;
      eqBytes(waitall(cfd, off), mem.subarray(0, off), `${nfrags} fragments`);
    }
  }),
);

tlsTest('splice_to_pipe', (fd, cfd) =>
  withPipe((r, w) => {
    const data = bytes(MAX, 28);
    assert.equal(fd.send(data), MAX);
    assert.equal(splice(cfd.fd, w, MAX), MAX);
    eqBytes(read(r, MAX), data);
  }),
);

function spliceCmsg(fd: KtlsSocket, cfd: KtlsSocket, w: number, recvFirst: boolean): void {
  const msg = Uint8Array.from([...text('test_read'), 0]);
  assert.equal(fd.sendRecord(CTRL, msg), 10);
  if (recvFirst) throwsErrno(() => cfd.recv({ maxBytes: 10 }), 'EIO');
  // A control record cannot be spliced: EINVAL, and it stays for a read with a cmsg buffer.
  throwsErrno(() => splice(cfd.fd, w, 10), 'EINVAL', 'splice of a control record');
  if (!recvFirst) throwsErrno(() => cfd.recv({ maxBytes: 10 }), 'EIO');
  recvCmsg(cfd, CTRL, msg, { waitall: true });
}
tlsTest('splice_cmsg_to_pipe', (fd, cfd) => withPipe((_r, w) => spliceCmsg(fd, cfd, w, false)));
tlsTest('splice_dec_cmsg_to_pipe', (fd, cfd) => withPipe((_r, w) => spliceCmsg(fd, cfd, w, true)));

tlsTest('recv_and_splice', (fd, cfd) =>
  withPipe((r, w) => {
    const data = bytes(MAX, 29);
    const half = MAX / 2;
    assert.equal(fd.send(data), MAX);
    eqBytes(waitall(cfd, half), data.subarray(0, half));
    assert.equal(splice(cfd.fd, w, half, SPLICE_F_NONBLOCK), half);
    eqBytes(read(r, half), data.subarray(half));
  }),
);

tlsTest('peek_and_splice', (fd, cfd) =>
  withPipe((r, w) => {
    const data = bytes(MAX, 30);
    const chunk = MAX / 4;
    for (let i = 0; i < 4; i++) {
      assert.equal(fd.send(data.subarray(chunk * i, chunk * (i + 1))), chunk);
    }
    const peekLen = (chunk * 5) / 2;
    eqBytes(
      cfd.recv({ maxBytes: peekLen, waitall: true, peek: true }).data,
      data.subarray(0, peekLen),
    );
    let n = 0;
    while (n < MAX) {
      const got = splice(cfd.fd, w, MAX - n);
      assert.ok(got > 0);
      n += got;
    }
    eqBytes(read(r, MAX), data);
  }),
);

tlsTest('splice_to_pipe_small', (fd, cfd) =>
  withPipe((r, w) => {
    const data = bytes(MAX, 31);
    // One page of pipe: a 16 KiB record takes several splices.
    assert.ok(sys((b) => b.setPipeSize(w, 4096)) >= 4096);
    assert.equal(fd.send(data), MAX);
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < MAX) {
      const spliced = splice(cfd.fd, w, MAX - total);
      assert.ok(spliced > 0);
      const drained = read(r, spliced);
      assert.equal(drained.length, spliced);
      parts.push(drained);
      total += drained.length;
    }
    eqBytes(Buffer.concat(parts), data);
  }),
);

tlsTest('splice_short', (fd, cfd) =>
  withPipe((r, w) => {
    const MAX_FRAGS = 48;
    const sendbuf = new Uint8Array(0x100).fill(0x73); // 's'
    const pipeSz = (MAX_FRAGS + 1) * 4096;
    assert.ok(sys((b) => b.setPipeSize(r, pipeSz)) >= pipeSz);
    // Each vmsplice of one byte is a pipe buffer of its own: 48 fragments, then 256 bytes.
    for (let i = 0; i < MAX_FRAGS; i++) {
      assert.ok(sys((b) => b.vmsplice(w, Uint8Array.of(0x53), 0)) >= 0);
    }
    assert.equal(write(w, sendbuf), sendbuf.length);
    assert.equal(splice(r, fd.fd, MAX_FRAGS + 0x1000), MAX_FRAGS + sendbuf.length);
    assert.equal(cfd.recv({ maxBytes: 0x10000 }).data.length, MAX_FRAGS + sendbuf.length);
    throwsErrno(() => cfd.recv({ maxBytes: 0x10000, dontwait: true }), 'EAGAIN');
  }, true),
);

rekeyTest('splice_rekey', (fd, cfd, v) =>
  withPipe((r, w) => {
    const half = MAX / 2;
    const data = bytes(half, 32);
    assert.equal(fd.send(data), half);
    sendKeyUpdate(fd, v);
    assert.equal(fd.send(data), half);
    assert.equal(splice(cfd.fd, w, MAX), half);
    eqBytes(read(r, half), data);
    throwsErrno(() => splice(cfd.fd, w, MAX), 'EINVAL', 'splice of the KeyUpdate');
    recvKeyUpdate(cfd, true);
    recvKeyUpdate(cfd);
    throwsErrno(() => splice(cfd.fd, w, MAX), 'EKEYEXPIRED', 'splice before the new key');
    cfd.setCryptoInfoRaw('rx', rawCryptoInfo(v.version, v.cipher, 1));
    assert.equal(splice(cfd.fd, w, MAX), half);
    eqBytes(read(r, half), data);
  }),
);

rekeyTest('rekey_peek_splice', (fd, cfd, v) =>
  withPipe((r, w) => {
    const msg = Uint8Array.from([...text('test_message_before_rekey'), 0]);
    assert.equal(fd.send(msg), msg.length);
    sendKeyUpdate(fd, v);
    eqBytes(cfd.recv({ maxBytes: 100, peek: true }).data, msg);
    assert.equal(splice(cfd.fd, w, MAX), msg.length);
    eqBytes(read(r, msg.length), msg);
  }),
);

errTest('bad_auth_splice', (fd, cfd, fd2, cfd2, v) =>
  withPipe((_r, w) => {
    // tls_send_bad_auth: one 64-byte record, its last byte changed, replayed into cfd2.
    fd.send(bytes(64, 33));
    const rec = Uint8Array.from(capture(cfd, 64 + overhead(v)));
    rec[rec.length - 1]! += 1;
    fd2.sendAll(rec);
    throwsErrno(() => cfd2.recv({ maxBytes: 128 }), 'EBADMSG');
    throwsErrno(() => splice(cfd2.fd, w, 128, SPLICE_F_NONBLOCK), 'EBADMSG', 'splice after');
  }),
);
