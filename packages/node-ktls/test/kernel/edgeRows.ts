/**
 * The edges of the split between the planes, on the real kernel: our own KeyUpdate sent from the
 * kernel's TX plane, the `tls13TxWithoutRekey` policy cell, a control record that meets EAGAIN (a
 * full socket buffer), and a fatal alert from the peer arriving through the kernel's RX plane.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import tls from 'node:tls';
import { ContentType, HandshakeType } from '@ktls-lab/core';
import { isErrno, KtlsSocket, SO_SNDBUF, SOL_SOCKET } from '@ktls-lab/native';
import {
  createServer,
  type KernelSocket,
  type KernelSocketFactory,
  type KtlsStream,
  NodeKtlsError,
} from '../../src/index.js';
import { acceptOne, listen, payload, readAll, sha256 } from '../helpers.js';
import { OpensslPeer, RECEIVED_KEY_UPDATE, reader, SENT_KEY_UPDATE } from '../openssl.js';
import { expectedPlanes, tlsStat } from './kernelFacts.js';
import {
  add,
  cert,
  connectTo,
  kernel,
  kernelSocketOf,
  ktls,
  nodeClient,
  opensslFacing,
  statRise,
} from './rows.js';

/** Writes `text` and resolves once the echo of all of it came back. */
async function echoed(s: tls.TLSSocket, text: string): Promise<void> {
  let got = '';
  const done = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      got += d.toString('latin1');
      if (got.length >= text.length) {
        s.off('data', onData);
        resolve();
      }
    };
    s.on('data', onData);
    s.once('error', reject);
  });
  s.write(text);
  await done;
  assert.equal(got, text, 'the echo');
}

/** Both versions as a row's variant suffix and Node's version name. */
const VERSIONS = [
  ['12', 'TLSv1.2'],
  ['13', 'TLSv1.3'],
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stream's end: its error, or null when it ended cleanly. */
function outcome(s: KtlsStream): Promise<Error | null> {
  return new Promise((resolve) => {
    s.once('error', resolve);
    s.once('end', () => resolve(null));
  });
}

/**
 * Our KeyUpdate, both kinds (RFC 8446 §4.6.3), against openssl on each side: the record goes out
 * through TLS_SET_RECORD_TYPE and the next key through a second TLS_TX on 6.14+ (core's userspace
 * plane on 6.1, by policy). openssl's `-msg` log proves it received each one, and answered
 * update_requested with its own, which we follow.
 */
for (const side of ['client', 'server'] as const) {
  add('node-ktls.keyupdate', `ours-${side}-openssl`, ['ktls'], async () => {
    const { peer, ours, close } = await opensslFacing(side, ['-tls1_3']);
    try {
      const want = expectedPlanes(kernel(), true);
      assert.equal(ours.offload.tx.plane, want, ours.offload.tx.reason);
      const before = tlsStat();
      const got = reader(ours);
      for (const requestPeer of [false, true]) {
        const mark = peer.output.length;
        ours.keyUpdate(requestPeer);
        ours.write(`x-after-ours-${requestPeer}\n`);
        await peer.waitFor(new RegExp(`x-after-ours-${requestPeer}`), mark);
        assert.match(peer.output.slice(mark), RECEIVED_KEY_UPDATE, 'openssl got our KeyUpdate');
        // openssl answers update_requested with its own KeyUpdate before its next record.
        peer.type(`x-reply-${requestPeer}`);
        await got.until(`x-reply-${requestPeer}\n`);
        assert.equal(SENT_KEY_UPDATE.test(peer.output.slice(mark)), requestPeer, 'its answer');
      }
      assert.doesNotMatch(peer.output, /bad record mac|alert/i);
      if (want === 'kernel') {
        const rose = statRise(before);
        assert.equal(rose('TlsTxRekeyOk'), 2, 'TlsTxRekeyOk: both our next keys in TLS_TX');
        assert.equal(rose('TlsRxRekeyOk'), 1, "TlsRxRekeyOk: openssl's answer followed");
      }
      return `tx ${ours.offload.tx.plane}, rx ${ours.offload.rx.plane}`;
    } finally {
      ours.destroy();
      peer.kill();
      close();
    }
  });
}

/**
 * `tls13TxWithoutRekey` (README "Offload policy"): on a kernel without rekey, TLS 1.3 TX goes to
 * the kernel anyway and RX stays in userspace; a KeyUpdate(update_not_requested) from the peer is
 * followed in userspace, an update_requested ends the stream with ERR_KTLS_REKEY_UNSUPPORTED (our
 * TX key cannot change). With rekey (6.14+) both directions are on the kernel and both are followed.
 */
add('node-ktls.policy', 'tls13-tx-without-rekey', ['ktls'], async () => {
  kernel();
  const before = tlsStat();
  const peer = OpensslPeer.server(cert().dir, ['-tls1_3']);
  try {
    const ours = await connectTo(await peer.port(), { tls13TxWithoutRekey: true });
    const rekey = kernel().rekey.available;
    assert.equal(ours.offload.tx.plane, 'kernel', ours.offload.tx.reason);
    assert.equal(ours.offload.rx.plane, rekey ? 'kernel' : 'userspace', ours.offload.rx.reason);
    const rose = statRise(before);
    assert.equal(rose('TlsTxSw'), 1, 'TlsTxSw');
    assert.equal(rose('TlsRxSw'), rekey ? 1 : 0, 'TlsRxSw');
    const got = reader(ours);
    const ended = outcome(ours);
    ours.write('x-up\n');
    await peer.waitFor(/x-up/);
    peer.type('k');
    await peer.waitFor(SENT_KEY_UPDATE);
    peer.type('x-after-k');
    await got.until('x-after-k\n');
    const mark = peer.output.length;
    peer.type('K');
    await peer.waitFor(SENT_KEY_UPDATE, mark);
    if (!rekey) {
      const error = await ended;
      assert.ok(error instanceof NodeKtlsError, String(error));
      assert.equal(error.code, 'ERR_KTLS_REKEY_UNSUPPORTED');
      return `tx kernel, rx userspace; k followed, K: ${error.code}`;
    }
    ours.write('x-after-K\n');
    await peer.waitFor(/x-after-K/, mark);
    assert.match(peer.output.slice(mark), RECEIVED_KEY_UPDATE, 'our answer to K');
    ours.destroy();
    return 'tx kernel, rx kernel; k and K followed';
  } finally {
    peer.kill();
  }
});

/**
 * The connection's real KtlsSocket, kept for the test, with its send buffer small so it fills
 * fast, and a count of the EAGAINs the stream's own control records met. Armed (`fillBeforeControl`),
 * the first control record the stream sends is preceded, in the same synchronous call, by data
 * records until the kernel says EAGAIN: nothing can drain the socket in between (the peer runs in
 * this process), so that control record meets a full buffer every run.
 */
function instrumented(): {
  factory: KernelSocketFactory;
  socket: () => KtlsSocket;
  eagain: () => number;
  fillBeforeControl: () => void;
  filled: () => Buffer;
} {
  let real: KtlsSocket | undefined;
  let eagain = 0;
  let armed = false;
  let filled: Buffer = Buffer.alloc(0);
  return {
    fillBeforeControl: () => {
      armed = true;
    },
    filled: () => filled,
    factory: (raw): KernelSocket => {
      const sock = KtlsSocket.fromNetSocket(raw);
      real = sock;
      sock.setIntOption(SOL_SOCKET, SO_SNDBUF, 32 << 10);
      return kernelSocketOf(sock, {
        sendRecord: (type, body) => {
          if (armed && type !== ContentType.applicationData) {
            armed = false;
            filled = fillUntilEagain(sock);
          }
          try {
            return sock.sendRecord(type, body);
          } catch (error) {
            if (isErrno(error, 'EAGAIN')) eagain++;
            throw error;
          }
        },
      });
    },
    socket: () => {
      assert.ok(real, 'the kernel plane made its socket');
      return real;
    },
    eagain: () => eagain,
  };
}

/**
 * Fills the socket with data records until the kernel says EAGAIN (the peer reads nothing), so
 * the next control record the stream sends meets a full buffer; returns what was sent.
 */
function fillUntilEagain(sock: KtlsSocket): Buffer {
  const sent: Buffer[] = [];
  // Record sizes step down to one byte: a 16 KiB record can meet EAGAIN (its buffer cannot be
  // charged) while a small one still fits (measured on 6.1: the close_notify went through), and
  // the control records sent next (2- and 5-byte bodies) need at least a 1-byte record's room.
  for (const size of [16 << 10, 1 << 10, 64, 1]) {
    for (;;) {
      const chunk = payload(size);
      try {
        const n = sock.sendRecord(ContentType.applicationData, chunk);
        sent.push(chunk.subarray(0, n));
      } catch (error) {
        if (isErrno(error, 'EAGAIN')) break;
        throw error;
      }
    }
  }
  return Buffer.concat(sent);
}

/**
 * A control record on a full socket: the kernel refuses it with EAGAIN (it is not split or
 * dropped: docs/kernel-tls.md §4), the TX plane waits for EPOLLOUT without blocking the loop, and
 * the record reaches the peer after all the data before it: close_notify (TLS 1.2, every kernel),
 * and a KeyUpdate with the switch of TLS_TX and a write held behind it (TLS 1.3, 6.14+).
 */
for (const [v, version, needs] of [
  ['12', 'TLSv1.2', ['ktls']],
  ['13', 'TLSv1.3', ['ktls', 'rekey']],
] as const) {
  add('node-ktls.eagain', `control-${v}`, needs, async () => {
    const probe = instrumented();
    const listener = await acceptOne(
      { key: cert().key, cert: cert().cert },
      ktls({ kernelSocket: probe.factory }),
    );
    try {
      // No reader on `theirs` yet: Node stops reading TCP once its buffer is full.
      const theirs = nodeClient(listener.port, { minVersion: version, maxVersion: version });
      const [ours] = await Promise.all([listener.stream(), once(theirs, 'secureConnect')]);
      assert.equal(ours.offload.tx.plane, 'kernel', ours.offload.tx.reason);
      probe.fillBeforeControl();
      let tail = Buffer.alloc(0);
      if (version === 'TLSv1.3') {
        ours.keyUpdate(false);
        tail = Buffer.from('x-after-key-update');
        ours.write(tail);
      }
      ours.end();
      for (let i = 0; i < 500 && probe.eagain() === 0; i++) await sleep(10);
      assert.ok(probe.eagain() >= 1, 'the control record met EAGAIN');
      const bytes = await readAll(theirs); // now the peer reads; it ends at our close_notify
      const data = probe.filled();
      assert.equal(sha256(bytes), sha256(Buffer.concat([data, tail])), 'data, then the rest');
      theirs.destroy();
      return `${(data.length / 1024).toFixed(0)} KiB filled the socket; ${probe.eagain()} EAGAIN on the control record, then sent in order`;
    } finally {
      listener.close();
    }
  });
}

/**
 * A fatal alert from the peer: we send a Finished message after the handshake (a kernel-sealed
 * handshake record), OpenSSL in Node's tls answers unexpected_message (RFC 8446 §6.2, RFC 5246
 * §7.2.2), and our stream ends with ERR_KTLS_ALERT naming it, as Node's tls ends with an error on
 * a fatal alert. TLS 1.3 runs with `tls13TxWithoutRekey`, so TX is on the kernel everywhere and the
 * alert comes through the kernel's RX plane on 6.14+ and core's userspace plane on 6.1.
 */
for (const [v, version] of VERSIONS) {
  add('node-ktls.alert', `fatal-from-peer-${v}`, ['ktls'], async () => {
    const probe = instrumented();
    const listener = await acceptOne(
      { key: cert().key, cert: cert().cert },
      ktls({ kernelSocket: probe.factory, tls13TxWithoutRekey: true }),
    );
    try {
      const theirs = nodeClient(listener.port, { minVersion: version, maxVersion: version });
      const peerError = once(theirs, 'error') as Promise<[Error & { code?: string }]>;
      const [ours] = await Promise.all([listener.stream(), once(theirs, 'secureConnect')]);
      assert.equal(ours.offload.tx.plane, 'kernel', ours.offload.tx.reason);
      const rx = expectedPlanes(kernel(), version === 'TLSv1.3');
      assert.equal(ours.offload.rx.plane, rx, ours.offload.rx.reason);
      const ended = outcome(ours);
      const verify = version === 'TLSv1.3' ? 32 : 12;
      const finished = Buffer.alloc(4 + verify);
      finished[0] = HandshakeType.finished;
      finished[3] = verify;
      probe.socket().sendRecord(ContentType.handshake, finished);
      const error = await ended;
      const [theirError] = await Promise.race([peerError, sleep(5000).then(() => [null])]);
      assert.ok(error instanceof NodeKtlsError, String(error));
      assert.equal(error.code, 'ERR_KTLS_ALERT');
      assert.equal(error.alert, 'unexpected_message');
      const peer = theirError === null ? 'no error event' : (theirError.code ?? theirError.message);
      return `rx ${rx}; peer: ${peer}; ours: ${error.code} ${error.alert}`;
    } finally {
      listener.close();
    }
  });
}

/**
 * Truncation as the client, TLS 1.3 (the server-12 row in nodeRows.ts is the other side): the
 * server's TCP ends (FIN) without close_notify after its data, and our stream reports
 * ERR_KTLS_TRUNCATED after delivering every byte, never a clean `end` (RFC 8446 §6.1; the bug of
 * rustls/ktls #74). `tls13TxWithoutRekey` puts TX on the kernel on 6.1 too.
 */
add('node-ktls.truncation', 'client-13', ['ktls'], async () => {
  const data = payload(100_000);
  const { server, port } = await listen((raw) => {
    const theirs = new tls.TLSSocket(raw, { isServer: true, key: cert().key, cert: cert().cert });
    theirs.on('error', () => {}); // its TCP is cut under it on purpose
    theirs.once('secure', () => theirs.write(data, () => raw.end())); // FIN, no close_notify
  });
  try {
    const ours = await connectTo(port, { tls13TxWithoutRekey: true });
    assert.equal(ours.getProtocol(), 'TLSv1.3');
    assert.equal(ours.offload.tx.plane, 'kernel', ours.offload.tx.reason);
    const parts: Buffer[] = [];
    ours.on('data', (d: Buffer) => parts.push(d));
    const error = await outcome(ours);
    assert.ok(error instanceof NodeKtlsError, `a clean end instead of a truncation: ${error}`);
    assert.equal(error.code, 'ERR_KTLS_TRUNCATED');
    assert.equal(sha256(Buffer.concat(parts)), sha256(data), 'every byte before the FIN');
    return `rx ${ours.offload.rx.plane}: ${error.code} after ${data.length} bytes`;
  } finally {
    server.close();
  }
});

/**
 * The peer resets the connection (RST) while we write through the kernel: the stream ends with
 * the socket's error (ECONNRESET or EPIPE, as Node's tls reports it), never an uncaught exception
 * from the TCP socket under it and never a hang.
 */
for (const [v, version] of VERSIONS) {
  add('node-ktls.reset', `peer-resets-${v}`, ['ktls'], async () => {
    const listener = await acceptOne(
      { key: cert().key, cert: cert().cert },
      ktls({ tls13TxWithoutRekey: true }),
    );
    try {
      const raw = netConnect({ host: '127.0.0.1', port: listener.port });
      const theirs = tls.connect({
        socket: raw,
        servername: 'localhost',
        ca: cert().cert,
        minVersion: version,
        maxVersion: version,
      });
      theirs.on('error', () => {});
      const [ours] = await Promise.all([listener.stream(), once(theirs, 'secureConnect')]);
      assert.equal(ours.offload.tx.plane, 'kernel', ours.offload.tx.reason);
      const ended = outcome(ours);
      const chunk = payload(256 << 10);
      const writing = (async () => {
        for (let i = 0; i < 64 && !ours.destroyed; i++)
          if (!ours.write(chunk)) await once(ours, 'drain').catch(() => {}); // rejects on 'error'
      })();
      await sleep(50);
      raw.resetAndDestroy();
      const error = (await ended) as (Error & { code?: string }) | null;
      await writing;
      assert.ok(error !== null, 'a reset is an error, not a clean end');
      assert.match(String(error.code), /ECONNRESET|EPIPE|ERR_KTLS_TRUNCATED/, String(error));
      return `${error.code}: ${error.message}`;
    } finally {
      listener.close();
    }
  });
}

/**
 * Resumption through our server (`createServer`: one SecureContext, so its ticket keys outlive a
 * connection): Node's tls client takes the ticket our server's handshake sent, resumes with it on
 * a second connection (a PSK handshake in TLS 1.3, an abbreviated one in TLS 1.2: RFC 8446 §2.2,
 * RFC 5077 §3.1), and that connection too is handed to the kernel and carries data both ways.
 */
for (const [v, version] of VERSIONS) {
  add('node-ktls.tickets', `server-resume-${v}`, ['ktls'], async () => {
    kernel();
    const streams: KtlsStream[] = [];
    const server = createServer(
      { key: cert().key, cert: cert().cert, minVersion: version, maxVersion: version },
      ktls(),
      (s) => {
        streams.push(s);
        s.pipe(s);
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      const first = nodeClient(port, { minVersion: version, maxVersion: version });
      const [session] = (await once(first, 'session')) as [Buffer];
      // Node's TLS 1.3 client loses a write made in the same tick as its 'session' event (measured
      // with Node 20 against Node's own tls server too: the bytes never arrive), so wait one turn.
      await new Promise((r) => setImmediate(r));
      await echoed(first, 'first');
      first.end();
      const before = tlsStat();
      const second = nodeClient(port, { minVersion: version, maxVersion: version, session });
      await once(second, 'secureConnect');
      assert.equal(second.isSessionReused(), true, 'the client resumed');
      // Data before any FIN: TCP_ULP attaches only to an ESTABLISHED socket (docs/kernel-tls.md §3).
      await echoed(second, payload(64 << 10).toString('hex'));
      const ours = streams[1];
      assert.ok(ours, 'the server handed off the resumed connection');
      assert.equal(ours.isSessionReused(), true, 'our side knows it resumed');
      second.end();
      const want = expectedPlanes(kernel(), version === 'TLSv1.3');
      assert.equal(ours.offload.tx.plane, want, ours.offload.tx.reason);
      const rose = statRise(before);
      assert.equal(rose('TlsTxSw'), want === 'kernel' ? 1 : 0, 'TlsTxSw');
      assert.equal(rose('TlsRxSw'), want === 'kernel' ? 1 : 0, 'TlsRxSw');
      return `resumed; tx ${ours.offload.tx.plane}, rx ${ours.offload.rx.plane}`;
    } finally {
      server.close();
    }
  });
}

/**
 * A peer that half-closes right after the handshake (its request, close_notify and FIN before our
 * hand-off): the socket is CLOSE_WAIT, TCP_ULP refuses it with ENOTCONN (docs/kernel-tls.md §3),
 * and the connection stays on core's userspace planes, says why, and still delivers the request.
 * The hand-off is held (a blocking poll for POLLRDHUP in the socket factory) until the FIN is in,
 * so the race is decided the same way every run; the peer is openssl s_client, another process.
 */
add('node-ktls.handoff', 'peer-half-closed-12', ['ktls'], async () => {
  const POLLRDHUP = 0x2000; // <poll.h>: the peer shut down writing (its FIN arrived)
  let sawFin = false;
  const factory: KernelSocketFactory = (raw) => {
    const sock = KtlsSocket.fromNetSocket(raw);
    sawFin = (sock.poll(POLLRDHUP, 10_000) & POLLRDHUP) !== 0;
    return sock;
  };
  const listener = await acceptOne(
    { key: cert().key, cert: cert().cert },
    ktls({ kernelSocket: factory }),
  );
  const peer = OpensslPeer.client(listener.port, ['-tls1_2', '-CAfile', `${cert().dir}/cert.pem`]);
  try {
    peer.child.stdin.end('x-request\n'); // s_client sends it, then close_notify and FIN at EOF
    const ours = await listener.stream();
    assert.ok(sawFin, "the peer's FIN arrived before the hand-off");
    assert.equal(ours.offload.tx.plane, 'userspace');
    assert.match(ours.offload.tx.reason, /ENOTCONN/);
    assert.equal((await readAll(ours)).toString(), 'x-request\n');
    return `${ours.offload.tx.plane}: ${ours.offload.tx.reason}`;
  } finally {
    peer.kill();
    listener.close();
  }
});
