/**
 * The seed review's upper-layer question asked of the real kernel (docs/kernel-tls.md §12): can a
 * multiplexor such as KCM (or RDS-TCP) sit on a kernel TLS socket and cut the decrypted stream into
 * messages? An AF_KCM socket with a hand-assembled BPF length parser for RDS's header is attached
 * (SIOCKCMATTACH) first to a plain TCP socket, to show the machinery works in this VM, then to a
 * socket with kernel TLS on RX, and the kernel's answer is recorded: the errno when it refuses,
 * and what comes out of the multiplexor when it accepts.
 */
import assert from 'node:assert/strict';
import { ContentType, cryptoStateFromKernel } from '@ktls-lab/core';
import { frameMessage, TICKET_MESSAGE } from '@ktls-lab/sim';
import {
  KcmMux,
  KtlsSocket,
  NativeSyscallError,
  probe,
  RDS_PARSER,
  rawCryptoInfo,
} from '../../src/index.js';
import { kernelTest } from './framework.js';

const TLS_1_3 = 0x0304;
const AES_GCM_128 = 51;

/** The sim's rds-framed-control-inside, as messages: 400 bytes, 400, 60. */
function rdsMessages(): Uint8Array[] {
  return [400, 400, 60].map((n, i) => frameMessage('rds', new Uint8Array(n).fill(0x61 + i), i + 1));
}

function withMux<T>(fn: (mux: KcmMux, a: KtlsSocket, b: KtlsSocket) => T): T {
  const [a, b] = KtlsSocket.pair(5000);
  let mux: KcmMux | null = null;
  try {
    mux = KcmMux.open(RDS_PARSER);
    return fn(mux, a, b);
  } finally {
    mux?.close();
    a.close();
    b.close();
  }
}

/** Up to `n` messages from the multiplexor, each within 2 s, as hex-free summaries. */
function readMessages(mux: KcmMux, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const m = mux.recvMessage(2000);
    if (m === null) break;
    out.push(m);
  }
  return out;
}

/** What came out of the multiplexor, for the report: count, lengths, the first bytes of each. */
function describe(got: readonly Uint8Array[], want: readonly Uint8Array[]): string {
  const hex = (m: Uint8Array) => Buffer.from(m).toString('hex');
  const same = got.length === want.length && got.every((m, i) => hex(m) === hex(want[i]!));
  if (same) return `${got.length} messages whole and in order`;
  const heads = got.map((m) => `${m.length} B ${hex(m.subarray(0, 24))}`).join('; ');
  return `${got.length} of ${want.length} messages out${got.length > 0 ? ` (${heads})` : ''}`;
}

kernelTest('kcm', 'kcm.plain_tcp', 'rds', ['ktls'], () =>
  withMux((mux, a, b) => {
    // The control: KCM over plain TCP, one send per RDS message, each read whole.
    mux.attach(b);
    const msgs = rdsMessages();
    const got: Uint8Array[] = [];
    for (const m of msgs) {
      a.sendAll(m);
      const one = mux.recvMessage(2000);
      if (one !== null) got.push(one);
    }
    assert.equal(describe(got, msgs), '3 messages whole and in order');
    // A message that starts inside a TCP segment: the parser reads from the segment's start (see
    // docs/kernel-tls.md §12), so this is recorded, not asserted.
    const stream = Buffer.concat(msgs);
    a.sendAll(stream.subarray(0, 150));
    a.sendAll(stream.subarray(150, 700));
    a.sendAll(stream.subarray(700));
    return `aligned: 3 messages whole and in order; split at 150 and 700: ${describe(readMessages(mux, 3), msgs)}`;
  }),
);

kernelTest('kcm', 'kcm.attach_ktls', 'rds', ['ktls'], () =>
  withMux((mux, a, b) => {
    const state = cryptoStateFromKernel(rawCryptoInfo(TLS_1_3, AES_GCM_128, 0));
    a.attachUlp();
    b.attachUlp();
    a.setCryptoState('tx', state);
    b.setCryptoState('rx', state);
    let attach: string;
    try {
      mux.attach(b);
      attach = 'ok';
    } catch (e) {
      if (!(e instanceof NativeSyscallError)) throw e;
      attach = e.errno;
    }
    // Measured on 6.1 and 7.2 (docs/kernel-tls.md §12): both accept the attach.
    assert.equal(attach, 'ok', 'SIOCKCMATTACH on a kTLS socket');
    // Accepted: one record per message first, then the RDS-like scenario: a message split across
    // records with a control record (a NewSessionTicket) inside the first one.
    const msgs = rdsMessages();
    const aligned: Uint8Array[] = [];
    for (const m of msgs) {
      a.send(m);
      const one = mux.recvMessage(2000);
      if (one !== null) aligned.push(one);
    }
    const stream = Buffer.concat(msgs);
    a.send(stream.subarray(0, 198));
    a.sendRecord(ContentType.handshake, TICKET_MESSAGE);
    a.send(stream.subarray(198));
    const split = readMessages(mux, 3);
    const hex = (m: Uint8Array) => Buffer.from(m).toString('hex');
    if (!probe().rekey.available) {
      // 6.1: nothing ever comes out of the multiplexor (no TLS read_sock for KCM's strparser).
      assert.equal(aligned.length + split.length, 0, 'no message out of KCM on a 6.1 kTLS socket');
      // Where the bytes went: read the kTLS socket itself (recorded, not asserted).
      let left: string;
      try {
        const r = b.recv({ maxBytes: 65536, cmsg: true, dontwait: true });
        left = `${r.data.length} B of type ${r.recordType}`;
      } catch (e) {
        left = e instanceof NativeSyscallError ? e.errno : String(e);
      }
      return `SIOCKCMATTACH on a kTLS socket: ok; no message out of KCM; a read of the kTLS socket itself: ${left}`;
    } else {
      // 7.2: KCM reads the decrypted records, but its parser runs on each record's skb from the
      // TLS header, not from the message: h_len is read 5 bytes off (as 0), every message 48 B.
      assert.equal(aligned.length, 3);
      assert.equal(hex(aligned[0]!), hex(msgs[0]!.subarray(0, 48)), 'decrypted bytes reach KCM');
      assert.deepEqual(
        [...aligned, ...split].map((m) => m.length),
        [48, 48, 48, 48, 48, 48],
      );
    }
    return `SIOCKCMATTACH on a kTLS socket: ok; one record per message: ${describe(aligned, msgs)}; split with a ticket inside: ${describe(split, msgs)}`;
  }),
);

// Sanity of the parser's input, without the kernel: the header field the BPF program reads.
assert.equal(new DataView(rdsMessages()[0]!.buffer).getUint32(RDS_PARSER.lengthOffset), 400);
