import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import {
  AlertDescription,
  AlertLevel,
  buildKeyUpdate,
  ContentType,
  type CryptoState,
  cryptoStateFromSecret,
  suiteByName,
  TlsRecordLayer,
} from '@ktls-lab/core';
import {
  isErrno,
  type KtlsRecvOptions,
  type KtlsRecvResult,
  NativeSyscallError,
  POLLOUT,
  Readiness,
  type ReadinessCallback,
  SOL_TLS,
  TLS_RX_EXPECT_NO_PAD,
} from '@ktls-lab/native';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type KernelSocket,
  kernelPlanes,
  type NodeKtlsError,
  type OffloadDecision,
  type RxSink,
} from '../src/index.js';
import { CLOSE_NOTIFY as CLOSE_NOTIFY_BODY } from '../src/userspacePlane.js';
import { listen } from './helpers.js';
import { ScheduledWatcher } from './scheduledWatcher.js';

/**
 * The kernel data plane against a fake `KernelSocket` (this host has no kernel TLS; the VM suite
 * runs the same code on `KtlsSocket`): which setsockopt calls it makes, with which sequence
 * numbers, what it does with bytes read before the hand-off, how it falls back.
 */
const suite = suiteByName('TLS_AES_128_GCM_SHA256');
const stateAt = (b: number, recSeq = 0n): CryptoState => ({
  ...cryptoStateFromSecret(suite, new Uint8Array(32).fill(b)),
  recSeq,
});
const KERNEL: OffloadDecision = {
  tx: { plane: 'kernel', reason: 'test' },
  rx: { plane: 'kernel', reason: 'test' },
};
const errno = (name: string) => new NativeSyscallError('setsockopt', name, 16);

type Call = [string, ...unknown[]];

/**
 * libuv's watcher as the planes see it: level-triggered, so it fires on a later loop turn, and
 * again on every turn while interest is on and the fake says ready; `fires` counts the calls.
 */
class FakeWatcher extends ScheduledWatcher {
  fires = 0;
  private pending: NodeJS.Immediate | null = null;
  constructor(
    private readonly k: FakeKernel,
    private readonly callback: ReadinessCallback,
  ) {
    super();
  }
  schedule(): void {
    if (this.pending !== null || this.closed) return;
    this.pending = setImmediate(() => {
      this.pending = null;
      const events =
        (this.reading && this.k.readable() ? Readiness.readable : 0) |
        (this.writing && this.k.room ? Readiness.writable : 0);
      if (events === 0) return;
      this.fires++;
      this.callback(null, events);
      this.schedule();
    });
  }
}

class FakeKernel implements KernelSocket {
  readonly calls: Call[] = [];
  /** Plain TCP bytes still in the socket before TLS_RX (the rest of a partial record). */
  wire: Uint8Array[] = [];
  /** What recvmsg returns once TLS_RX is set. */
  records: KtlsRecvResult[] = [];
  refuse: Partial<Record<'ulp' | 'tx' | 'rx' | 'rekey', string>> = {};
  readonly watchers: FakeWatcher[] = [];
  /** Whether the send buffer has room (the watcher's writable). */
  room = true;
  /** A KeyUpdate was read: recv is EKEYEXPIRED until the next TLS_RX (docs/kernel-tls.md §7). */
  keyExpired = false;
  /** The start of a record is queued: readable by 6.1's poll, yet recv is EAGAIN. */
  partial = false;
  private txSet = false;
  private rxSet = false;
  /** What the watcher reports as readable: the worst case, a poll that is not TLS-aware. */
  readable(): boolean {
    return this.records.length > 0 || this.partial;
  }
  /** Records arriving from the peer: the watchers notice them on a later turn. */
  arrive(...records: KtlsRecvResult[]): void {
    this.records.push(...records);
    for (const w of this.watchers) w.schedule();
  }
  watch(callback: ReadinessCallback): FakeWatcher {
    const w = new FakeWatcher(this, callback);
    this.watchers.push(w);
    return w;
  }
  attachUlp(): void {
    this.calls.push(['ulp']);
    if (this.refuse.ulp) throw errno(this.refuse.ulp);
  }
  setCryptoState(dir: 'tx' | 'rx', state: CryptoState): void {
    this.calls.push([dir, state.recSeq]);
    const again = dir === 'tx' ? this.txSet : this.rxSet;
    if (again && this.refuse.rekey) throw errno(this.refuse.rekey);
    if (this.refuse[dir]) throw errno(this.refuse[dir]!);
    if (dir === 'tx') this.txSet = true;
    else {
      this.rxSet = true;
      this.keyExpired = false;
    }
  }
  /** EAGAINs the next sendRecord calls give (a full socket buffer) before they succeed. */
  fullBuffer = 0;
  sendRecord(type: number, body: Uint8Array): number {
    if (this.fullBuffer > 0) {
      this.fullBuffer--;
      this.calls.push(['EAGAIN']);
      throw errno('EAGAIN');
    }
    this.calls.push(['sendRecord', type, [...body]]);
    return body.length;
  }
  setIntOption(level: number, name: number, value: number): void {
    this.calls.push(['setIntOption', level, name, value]);
  }
  sendFile(inFd: number, offset: number, count: number): number {
    this.calls.push(['sendFile', inFd, offset, count]);
    return count;
  }
  poll(events: number): number {
    if (events === POLLOUT) return POLLOUT;
    return this.wire.length > 0 || this.records.length > 0 ? 1 : 0;
  }
  recvIfReady(options: Omit<KtlsRecvOptions, 'dontwait'>): KtlsRecvResult | null {
    try {
      return this.recv({ ...options, dontwait: true });
    } catch (error) {
      if (isErrno(error, 'EAGAIN')) return null;
      throw error;
    }
  }
  recv(options: KtlsRecvOptions): KtlsRecvResult {
    if (!this.rxSet) {
      const next = this.wire.shift();
      if (next === undefined) throw errno('EAGAIN');
      const n = Math.min(next.length, options.maxBytes ?? next.length);
      if (n < next.length) this.wire.unshift(next.subarray(n));
      return {
        data: Buffer.from(next.subarray(0, n)),
        contentType: null,
        recordType: null,
        eor: false,
        ctrunc: false,
      };
    }
    if (this.keyExpired) {
      this.calls.push(['EKEYEXPIRED']);
      throw errno('EKEYEXPIRED');
    }
    const r = this.records.shift();
    if (r === undefined) throw errno('EAGAIN');
    if (r.contentType === ContentType.handshake && r.data[0] === 24) this.keyExpired = true;
    return r;
  }
}
const rec = (contentType: number | null, text: string | Uint8Array): KtlsRecvResult => ({
  data: Buffer.from(text),
  contentType,
  recordType: contentType,
  eor: true,
  ctrunc: false,
});

const EMPTY = new Uint8Array(0);
/** TX on the (fake) kernel, RX in userspace, nothing read before the hand-off. */
const txOnly = (raw: Socket, k: FakeKernel) =>
  kernelPlanes(
    raw,
    { ...KERNEL, rx: { plane: 'userspace', reason: 'test' } },
    stateAt(1),
    stateAt(2),
    EMPTY,
    () => k,
  );

let sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets) s.destroy();
  sockets = [];
});
async function pair(): Promise<[Socket, Socket]> {
  let accepted!: Socket;
  const { server, port } = await listen((s) => {
    accepted = s;
  });
  const c = netConnect({ host: '127.0.0.1', port });
  await once(c, 'connect');
  while (accepted === undefined) await new Promise((r) => setTimeout(r, 2));
  server.close();
  sockets.push(c, accepted);
  return [c, accepted];
}

/** Logs each non-empty libuv write of `raw` into the fake's calls, to see the order of everything. */
function logWrites(raw: Socket, k: FakeKernel): void {
  const write = raw.write.bind(raw) as (chunk: Uint8Array, cb?: () => void) => boolean;
  (raw as unknown as { write: typeof write }).write = (chunk, cb) => {
    if (chunk.length > 0) k.calls.push(['write', Buffer.from(chunk).toString()]);
    return write(chunk, cb);
  };
}

/** Records sealed under `state` as the peer's record layer would send them. */
function sealed(state: CryptoState, texts: string[]): Uint8Array {
  const peer = new TlsRecordLayer({ trace: false });
  peer.installTxKey({ ...state, key: state.key.slice() });
  return Buffer.concat(texts.map((t) => peer.send(Buffer.from(t))));
}

function sink() {
  const got: string[] = [];
  let eof = 0;
  const errors: Error[] = [];
  const s: RxSink = {
    data: (b) => {
      got.push(`data:${Buffer.from(b).toString()}`);
      return true;
    },
    control: (t, b) => {
      got.push(`control:${t}:${[...b].join(',')}`);
    },
    eof: () => {
      eof++;
    },
    error: (e) => {
      errors.push(e);
    },
  };
  return { s, got, errors, eof: () => eof };
}

describe('kernel planes (fake KernelSocket)', () => {
  it('ULP, TLS_TX at the hand-off number, TLS_RX after the records read before it (the partial one completed from the fd)', async () => {
    const [raw] = await pair();
    const rxState = stateAt(1, 1n);
    const bytes = sealed(rxState, ['one', 'two', 'three']);
    const cut = bytes.length - 10; // the third record ends 10 bytes short
    const k = new FakeKernel();
    k.wire = [bytes.subarray(cut)];
    k.records = [
      rec(ContentType.applicationData, 'from the kernel'),
      rec(ContentType.alert, Uint8Array.of(AlertLevel.warning, AlertDescription.close_notify)),
      rec(null, ''),
    ];
    const built = kernelPlanes(
      raw,
      KERNEL,
      rxState,
      stateAt(2, 2n),
      bytes.subarray(0, cut),
      () => k,
    );
    expect(built.decision).toEqual(KERNEL);
    expect(built.planes.rx.kind).toBe('kernel');
    expect(built.planes.tx.kind).toBe('kernel');
    // TLS 1.2-style first numbers (1 and 2) and three records opened in userspace: TLS_RX at 4.
    expect(k.calls).toEqual([['ulp'], ['tx', 2n], ['rx', 4n]]);
    // libuv no longer reads the fd: the kernel owns its receive queue now.
    expect((raw as unknown as { _handle: { reading: boolean } })._handle.reading).toBe(false);
    const out = sink();
    built.planes.rx.start(out.s, built.leftover);
    while (out.eof() === 0) await new Promise((r) => setTimeout(r, 2));
    expect(out.got).toEqual([
      'data:one',
      'data:two',
      'data:three',
      'data:from the kernel',
      `control:${ContentType.alert}:1,0`,
    ]);
    built.planes.rx.destroy();
  });

  it('TLS_RX_EXPECT_NO_PAD when asked: set right after TLS_RX, and the reason says so', async () => {
    const [raw] = await pair();
    const k = new FakeKernel();
    const built = kernelPlanes(raw, KERNEL, stateAt(0), stateAt(0), EMPTY, () => k, {
      expectNoPad: true,
    });
    const rx = k.calls.findIndex((c) => c[0] === 'rx');
    expect(k.calls[rx + 1]).toEqual(['setIntOption', SOL_TLS, TLS_RX_EXPECT_NO_PAD, 1]);
    expect(built.decision.rx.reason).toMatch(/TLS_RX_EXPECT_NO_PAD set$/);
    built.planes.rx.destroy();
  });

  it('TCP_ULP refused: both directions stay in userspace, with the errno', async () => {
    const [raw] = await pair();
    const k = new FakeKernel();
    k.refuse.ulp = 'ENOENT';
    const built = kernelPlanes(raw, KERNEL, stateAt(1), stateAt(2), EMPTY, () => k);
    expect(built.planes.rx.kind).toBe('userspace');
    expect(built.planes.tx.kind).toBe('userspace');
    expect(built.decision.rx.reason).toMatch(/TCP_ULP refused: .*ENOENT/);
  });

  it('TLS_RX refused: RX stays in userspace and gets every byte read so far', async () => {
    const [raw, peer] = await pair();
    const rxState = stateAt(3);
    const bytes = sealed(rxState, ['alpha', 'beta']);
    const first = 5 + 'alpha'.length + 1 + 16; // TLS 1.3 AES-GCM: header, content, type, tag
    const k = new FakeKernel();
    k.refuse.rx = 'EINVAL';
    k.wire = [bytes.subarray(20, first)];
    const built = kernelPlanes(raw, KERNEL, rxState, stateAt(4), bytes.subarray(0, 20), () => k);
    expect(built.decision.tx.plane).toBe('kernel');
    expect(built.decision.rx).toEqual({
      plane: 'userspace',
      reason: expect.stringMatching(/TLS_RX refused: .*EINVAL/),
    });
    // The bytes read before the hand-off and the rest of the partial record read from the fd.
    expect(Buffer.from(built.leftover)).toEqual(Buffer.from(bytes.subarray(0, first)));
    const out = sink();
    built.planes.rx.start(out.s, built.leftover);
    peer.write(bytes.subarray(first));
    peer.write(sealed({ ...rxState, recSeq: 2n }, ['gamma']));
    // Data records merge on read, as recvmsg merges them.
    const text = () => out.got.map((g) => g.replace(/^data:/, '')).join('');
    while (text().length < 'alphabetagamma'.length) await new Promise((r) => setTimeout(r, 2));
    expect(text()).toBe('alphabetagamma');
    built.planes.rx.destroy();
  });

  it('a control record among the bytes read before the hand-off keeps RX in userspace', async () => {
    const [raw] = await pair();
    const rxState = stateAt(5);
    const peer = new TlsRecordLayer({ trace: false });
    peer.installTxKey({ ...rxState, key: rxState.key.slice() });
    const bytes = Buffer.concat([
      peer.send(Buffer.from('x')),
      peer.sendControl(ContentType.handshake, buildKeyUpdate(false)),
    ]);
    const k = new FakeKernel();
    const built = kernelPlanes(raw, KERNEL, rxState, stateAt(6), bytes, () => k);
    expect(built.decision.rx.reason).toMatch(/control record/);
    expect(k.calls.some((c) => c[0] === 'rx')).toBe(false);
  });

  it('TX rekey: the KeyUpdate goes after earlier data, the new key before later data', async () => {
    const [raw, peer] = await pair();
    const k = new FakeKernel();
    const { planes } = txOnly(raw, k);
    logWrites(raw, k);
    planes.tx.write(Buffer.from('before'), () => {});
    planes.tx.rekey(buildKeyUpdate(false), stateAt(7));
    await new Promise<void>((r) => planes.tx.write(Buffer.from('after'), () => r()));
    expect(k.calls.slice(2)).toEqual([
      ['write', 'before'],
      ['sendRecord', ContentType.handshake, [...buildKeyUpdate(false)]],
      ['tx', 0n],
      ['write', 'after'],
    ]);
    void peer;
  });

  it('a control record on a full socket buffer (EAGAIN) waits for POLLOUT and goes out in order', async () => {
    const [raw, peer] = await pair();
    const k = new FakeKernel();
    k.fullBuffer = 2;
    const { planes } = txOnly(raw, k);
    await new Promise<void>((r, j) =>
      planes.tx.writeControl(ContentType.alert, CLOSE_NOTIFY_BODY, (e) => (e ? j(e) : r())),
    );
    expect(k.calls.slice(2)).toEqual([
      ['EAGAIN'],
      ['EAGAIN'],
      ['sendRecord', ContentType.alert, [...CLOSE_NOTIFY_BODY]],
    ]);
    void peer;
  });

  it('sendFile: sendfile(2) after earlier writes, later writes after it', async () => {
    const [raw, peer] = await pair();
    const k = new FakeKernel();
    const { planes } = txOnly(raw, k);
    logWrites(raw, k);
    planes.tx.write(Buffer.from('head'), () => {});
    const sent = planes.tx.sendFile?.(42, 10, 1000);
    await new Promise<void>((r) => planes.tx.write(Buffer.from('tail'), () => r()));
    expect(await sent).toBe(1000);
    expect(k.calls.slice(2)).toEqual([
      ['write', 'head'],
      ['sendFile', 42, 10, 1000],
      ['write', 'tail'],
    ]);
    void peer;
  });

  it('TX rekey refused (EBUSY: before 6.14): the connection ends with ERR_KTLS_REKEY_UNSUPPORTED', async () => {
    const [raw] = await pair();
    const k = new FakeKernel();
    k.refuse.rekey = 'EBUSY';
    const { planes } = kernelPlanes(raw, KERNEL, stateAt(1), stateAt(2), EMPTY, () => k);
    const failed = once(raw, 'error');
    planes.tx.rekey(buildKeyUpdate(false), stateAt(7));
    const [error] = (await failed) as [NodeKtlsError];
    expect(error.code).toBe('ERR_KTLS_REKEY_UNSUPPORTED');
    expect(error.errno).toBe('EBUSY');
    expect(() => planes.rx.installKey(stateAt(8))).toThrow(/TLS_RX/);
  });

  it('close: close_notify with sendmsg + cmsg after the data, then FIN', async () => {
    const [raw, peer] = await pair();
    const k = new FakeKernel();
    const { planes } = txOnly(raw, k);
    const ended = once(peer, 'end');
    peer.resume();
    await new Promise<void>((r) => planes.tx.end(() => r()));
    await ended;
    expect(k.calls.at(-1)).toEqual([
      'sendRecord',
      ContentType.alert,
      [AlertLevel.warning, AlertDescription.close_notify],
    ]);
  });

  describe('RX waits on the watcher (no timers)', () => {
    const turn = (ms = 0) => new Promise((r) => setTimeout(r, ms));
    async function until(done: () => boolean): Promise<void> {
      for (let i = 0; i < 1000 && !done(); i++) await turn(2);
      expect(done()).toBe(true);
    }
    async function kernelRx(k: FakeKernel) {
      const [raw] = await pair();
      const { planes } = kernelPlanes(raw, KERNEL, stateAt(1), stateAt(2), EMPTY, () => k);
      return planes;
    }
    /** Kernel RX started on a fake kernel: the planes, the sink, and the watcher RX made. */
    async function started() {
      const k = new FakeKernel();
      const planes = await kernelRx(k);
      const out = sink();
      planes.rx.start(out.s, EMPTY);
      return { k, planes, out, w: k.watchers[0] };
    }

    it('idle: readable interest on and no callbacks; records are read when they arrive; EOF closes the watcher', async () => {
      const { k, planes, out, w } = await started();
      await turn(20);
      expect(w?.reading).toBe(true);
      expect(w?.fires).toBe(0);
      k.arrive(rec(ContentType.applicationData, 'late'));
      await until(() => out.got.length === 1);
      expect(out.got).toEqual(['data:late']);
      k.arrive(rec(null, ''));
      await until(() => out.eof() === 1);
      expect(w?.closed).toBe(true);
      planes.rx.destroy();
    });

    it('a KeyUpdate stops readable interest until installKey: no busy loop on EKEYEXPIRED, the records behind it follow', async () => {
      const { k, planes, out, w } = await started();
      k.arrive(
        rec(ContentType.applicationData, 'before'),
        rec(ContentType.handshake, buildKeyUpdate(false)),
        rec(ContentType.applicationData, 'after'),
      );
      await until(() => k.keyExpired);
      await turn(30);
      // Readable (the record is there) but recv fails: interest is off, so at most the one read.
      expect(w?.reading).toBe(false);
      expect(k.calls.filter((c) => c[0] === 'EKEYEXPIRED').length).toBe(1);
      expect(out.got).toEqual([
        'data:before',
        `control:${ContentType.handshake}:${[...buildKeyUpdate(false)].join(',')}`,
      ]);
      planes.rx.installKey(stateAt(9));
      await until(() => out.got.length === 3);
      expect(out.got[2]).toBe('data:after');
      expect(k.calls.filter((c) => c[0] === 'rx').map((c) => c[1])).toEqual([0n, 0n]);
      expect(w?.reading).toBe(true);
      planes.rx.destroy();
      expect(w?.closed).toBe(true);
    });

    it('a sink that asks to stop turns readable interest off; resume turns it on and reading goes on', async () => {
      const k = new FakeKernel();
      const planes = await kernelRx(k);
      const got: string[] = [];
      let open = false;
      const out = sink();
      planes.rx.start(
        {
          ...out.s,
          data: (b) => {
            got.push(Buffer.from(b).toString());
            return open;
          },
        },
        EMPTY,
      );
      const [w] = k.watchers;
      k.arrive(rec(ContentType.applicationData, 'one'), rec(ContentType.applicationData, 'two'));
      await until(() => got.length === 1);
      await turn(20);
      expect(got).toEqual(['one']);
      expect(w?.reading).toBe(false);
      open = true;
      planes.rx.resume();
      await until(() => got.length === 2);
      expect(got).toEqual(['one', 'two']);
      planes.rx.destroy();
    });

    it('readable yet EAGAIN (the start of a record, 6.1 poll) waits a millisecond instead of spinning', async () => {
      const { k, planes, out, w } = await started();
      k.partial = true;
      w?.schedule();
      await turn(50);
      // Level-triggered, every turn would be thousands of callbacks in 50 ms; 1 ms apart, tens.
      expect(w?.fires).toBeGreaterThan(0);
      expect(w?.fires).toBeLessThan(60);
      k.partial = false;
      k.arrive(rec(ContentType.applicationData, 'whole'));
      await until(() => out.got.length === 1);
      planes.rx.destroy();
    });

    it('TX on a full buffer waits for the watcher; destroyed while waiting, the write fails with ERR_KTLS_DESTROYED', async () => {
      const [raw] = await pair();
      const k = new FakeKernel();
      k.fullBuffer = 1;
      k.room = false;
      const { planes } = txOnly(raw, k);
      const result = new Promise<Error | undefined>((r) =>
        planes.tx.writeControl(ContentType.alert, CLOSE_NOTIFY_BODY, (e) => r(e ?? undefined)),
      );
      await until(() => k.watchers[0]?.writing === true);
      await turn(20);
      expect(k.calls.filter((c) => c[0] === 'sendRecord')).toEqual([]);
      planes.tx.destroy();
      expect(((await result) as NodeKtlsError | undefined)?.code).toBe('ERR_KTLS_DESTROYED');
      expect(k.watchers[0]?.closed).toBe(true);
    });
  });
});
