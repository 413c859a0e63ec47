import type { Socket } from 'node:net';
import {
  ContentType,
  type ContentTypeByte,
  type CryptoState,
  concat,
  createParser,
  feed,
  kernelLimits,
  takeRecord,
} from '@ktls-lab/core';
import {
  isErrno,
  type KtlsRecvOptions,
  type KtlsRecvResult,
  KtlsSocket,
  POLLIN,
  type ReadinessCallback,
  type ReadinessWatcher,
  SOL_TLS,
  TLS_RX_EXPECT_NO_PAD,
} from '@ktls-lab/native';
import type { RxPlane, TxPlane } from './dataPlane.js';
import { NodeKtlsError } from './errors.js';
import { cloneState } from './handshakeInfo.js';
import { KernelRx } from './kernelRx.js';
import type { DirectionDecision, OffloadDecision } from './policy.js';
import { CLOSE_NOTIFY, UserspaceRx, UserspaceTx } from './userspacePlane.js';

/** The calls the kernel plane makes on a connection's fd: `KtlsSocket`'s, so tests can pass a fake. */
export interface KernelSocket {
  attachUlp(): void;
  setCryptoState(dir: 'tx' | 'rx', state: CryptoState): void;
  sendRecord(type: number, body: Uint8Array): number;
  recv(options: KtlsRecvOptions): KtlsRecvResult;
  /** `recv` with MSG_DONTWAIT, `null` for EAGAIN (no error object per drained wake-up). */
  recvIfReady(options: Omit<KtlsRecvOptions, 'dontwait'>): KtlsRecvResult | null;
  poll(events: number, timeoutMs: number): number;
  /** A readiness watcher on the event loop (`KtlsSocket.watch`: libuv on a dup of the fd). */
  watch(callback: ReadinessCallback): ReadinessWatcher;
  sendFile(inFd: number, offset: number, count: number): number;
  setIntOption(level: number, name: number, value: number): void;
}

export type KernelSocketFactory = (raw: Socket) => KernelSocket;

/** How long the hand-off waits for the rest of a record it read the start of (then: userspace). */
const PARTIAL_RECORD_WAIT_MS = 2000;

/**
 * Builds the kernel planes the policy chose, falling back per direction when the kernel refuses
 * (TCP_ULP, TLS_TX, TLS_RX): the direction stays in userspace and the decision says why. Either
 * direction may be set alone, and with the ULP but no `TLS_RX` reads are plain TCP, so a userspace
 * RX beside a kernel TX reads ciphertext as before (docs/kernel-tls.md §3).
 *
 * RX cannot start on the kernel while bytes of the stream sit in userspace: the kernel parses
 * records from the head of the socket's receive queue, and nothing can be put back there
 * (rustls/ktls#20, #22). So libuv stops reading, the records the hand-off read already are opened
 * here, the rest of a partial one is read from the fd (poll, a bounded wait), and TLS_RX is set
 * with the sequence number after them. A control record among them (a KeyUpdate would need a key
 * the kernel is not given yet) keeps RX in userspace instead.
 */
export function kernelPlanes(
  raw: Socket,
  decision: OffloadDecision,
  rxState: CryptoState,
  txState: CryptoState,
  leftover: Uint8Array,
  factory: KernelSocketFactory = (s) => KtlsSocket.fromNetSocket(s),
  options: { readonly expectNoPad?: boolean } = {},
): { decision: OffloadDecision; planes: { rx: RxPlane; tx: TxPlane }; leftover: Uint8Array } {
  let rest = leftover;
  const userspace = (reason: string): DirectionDecision => ({ plane: 'userspace', reason });
  let tx: TxPlane | null = null;
  let rx: RxPlane | null = null;
  let txWhy = decision.tx;
  let rxWhy = decision.rx;
  let sock: KernelSocket | null = null;
  try {
    sock = factory(raw);
    sock.attachUlp();
  } catch (error) {
    const why = userspace(`TCP_ULP refused: ${(error as Error).message}`);
    if (txWhy.plane === 'kernel') txWhy = why;
    if (rxWhy.plane === 'kernel') rxWhy = why;
    sock = null;
  }
  if (sock !== null && txWhy.plane === 'kernel') {
    try {
      sock.setCryptoState('tx', txState);
      tx = new KernelTx(raw, sock);
    } catch (error) {
      txWhy = userspace(`TLS_TX refused: ${(error as Error).message}`);
    }
  }
  if (sock !== null && rxWhy.plane === 'kernel') {
    const started = startKernelRx(raw, sock, rxState, leftover);
    if (started.ok) {
      rx = started.rx;
      rest = new Uint8Array(0);
      if (options.expectNoPad)
        rxWhy = { ...rxWhy, reason: `${rxWhy.reason}; ${expectNoPad(sock)}` };
    } else {
      rxWhy = userspace(started.reason);
      rx = started.fallback;
      rest = started.leftover;
    }
  }
  return {
    decision: { tx: txWhy, rx: rxWhy },
    planes: { rx: rx ?? new UserspaceRx(raw, rxState), tx: tx ?? new UserspaceTx(raw, txState) },
    leftover: rest,
  };
}

/** TLS_RX_EXPECT_NO_PAD on (TLS 1.3, after TLS_RX: docs/kernel-tls.md §3); what happened, for the reason. */
function expectNoPad(sock: KernelSocket): string {
  try {
    sock.setIntOption(SOL_TLS, TLS_RX_EXPECT_NO_PAD, 1);
    return 'TLS_RX_EXPECT_NO_PAD set';
  } catch (error) {
    return `TLS_RX_EXPECT_NO_PAD refused: ${(error as Error).message}`;
  }
}

/** The part of net.Socket's libuv handle the hand-off uses to stop and restart reads. */
interface LibuvHandle {
  reading?: boolean;
  readStop?: () => number;
  readStart?: () => number;
}

type Started =
  | { readonly ok: true; readonly rx: KernelRx }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly fallback: RxPlane;
      readonly leftover: Uint8Array;
    };

function startKernelRx(
  raw: Socket,
  sock: KernelSocket,
  state: CryptoState,
  leftover: Uint8Array,
): Started {
  // What libuv read already is taken from the stream buffer first (read() may restart libuv
  // reads), then libuv must not read the fd again: from here the kernel owns the receive queue.
  raw.pause();
  const parts: Uint8Array[] = [leftover];
  for (let c = raw.read() as Buffer | null; c !== null; c = raw.read() as Buffer | null)
    parts.push(c);
  const handle = (raw as unknown as { _handle?: LibuvHandle })._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
  // Whole records, and the rest of a partial one read from the fd (plain TCP: no TLS_RX yet).
  let parser = feed(createParser(kernelLimits(state.suite)), concat(parts));
  const deadline = Date.now() + PARTIAL_RECORD_WAIT_MS;
  let problem: string | null = null;
  for (;;) {
    const taken = takeRecord(parser);
    if (taken.kind === 'record') {
      parser = taken.state;
      continue;
    }
    if (taken.kind === 'error' || taken.state.buffered === 0) break;
    const left = deadline - Date.now();
    if (left <= 0 || sock.poll(POLLIN, left) === 0) {
      problem = `the rest of a record read before the hand-off did not come within ${PARTIAL_RECORD_WAIT_MS} ms`;
      break;
    }
    const r = sock.recv({ maxBytes: taken.missing, dontwait: true });
    if (r.data.length === 0) {
      problem = 'the connection ended inside a record read before the hand-off';
      break;
    }
    parts.push(r.data);
    parser = feed(parser, new Uint8Array(r.data));
  }
  const bytes = concat(parts);
  const fallback = (reason: string): Started => {
    // libuv reads again (into the paused stream, for the userspace plane): net.Socket would not
    // restart it by itself, its Readable still waits for the read that was stopped.
    if (handle?.readStart) {
      handle.reading = true;
      handle.readStart();
    }
    return { ok: false, reason, fallback: new UserspaceRx(raw, state), leftover: bytes };
  };
  if (problem !== null) return fallback(problem);
  const early = new UserspaceRx(raw, state);
  early.layer.receive(bytes);
  const opened = early.layer.takeRecords();
  if (early.layer.rxPhase === 'failed')
    return fallback('a record read before the hand-off does not open: userspace reports it');
  if (opened.some((r) => r.contentType !== ContentType.applicationData)) {
    return fallback(
      'a control record was among the records read before the hand-off: RX stays in userspace',
    );
  }
  try {
    sock.setCryptoState('rx', { ...state, recSeq: state.recSeq + BigInt(opened.length) });
  } catch (error) {
    return fallback(`TLS_RX refused: ${(error as Error).message}`);
  }
  return { ok: true, rx: new KernelRx(sock, opened) };
}

/**
 * Resolves once the socket can take more bytes (the watcher's UV_WRITABLE, EPOLLOUT), without
 * blocking the event loop; rejects with the watcher's error (EPOLLERR).
 */
function writable(watcher: ReadinessWatcher, waiters: Waiter[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    waiters.push({ resolve, reject });
    watcher.startWriting();
  });
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Sends through the kernel: data with libuv's write (the kernel seals), control records with
 * sendmsg + TLS_SET_RECORD_TYPE, files with sendfile(2). A control record, a re-key or a file
 * goes out only after every earlier write has reached the kernel, and writes issued meanwhile wait
 * (`exclusive`), so a KeyUpdate and the switch to the next key sit exactly between the data before
 * and after. libuv's fd is non-blocking: a full socket buffer is EAGAIN, waited out for EPOLLOUT
 * on an FdWatcher (docs/kernel-tls.md §5.7).
 */
export class KernelTx implements TxPlane {
  readonly kind = 'kernel';
  /** Writes held while control records or files go out. */
  private held: [Uint8Array, (error?: Error | null) => void][] | null = null;
  private pending = 0;
  private tail: Promise<void> = Promise.resolve();
  /** Made at the first EAGAIN (a full socket buffer), for writable interest only. */
  private watcher: ReadinessWatcher | null = null;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly raw: Socket,
    private readonly sock: KernelSocket,
  ) {}

  /** Waits for EPOLLOUT on the fd: libuv's watcher, started for this wait, stopped when it fires. */
  private writable(): Promise<void> {
    this.watcher ??= this.sock.watch((error) => {
      this.watcher?.stopWriting();
      for (const w of this.waiters.splice(0)) {
        if (error === null) w.resolve();
        else w.reject(error);
      }
    });
    return writable(this.watcher, this.waiters);
  }

  write(data: Uint8Array, callback: (error?: Error | null) => void): void {
    if (this.held !== null) this.held.push([data, callback]);
    else this.raw.write(data, callback);
  }

  /** Runs `task` after every earlier write and task, holding later writes until it settles. */
  private exclusive<T>(task: () => T | Promise<T>): Promise<T> {
    this.held ??= [];
    this.pending++;
    const flushed = new Promise<void>((r) => this.raw.write(new Uint8Array(0), () => r()));
    const run = this.tail.then(() => flushed).then(task);
    this.tail = run.then(
      () => this.release(),
      () => this.release(),
    );
    return run;
  }

  private release(): void {
    if (--this.pending > 0) return;
    const held = this.held ?? [];
    this.held = null;
    for (const [data, cb] of held) this.write(data, cb);
  }

  /** One control record, waiting out EAGAIN (a full socket buffer). */
  private async sendControl(contentType: ContentTypeByte, body: Uint8Array): Promise<void> {
    for (;;) {
      try {
        this.sock.sendRecord(contentType, body);
        return;
      } catch (error) {
        if (!isErrno(error, 'EAGAIN')) throw error;
        await this.writable();
      }
    }
  }

  writeControl(
    contentType: ContentTypeByte,
    body: Uint8Array,
    callback: (error?: Error | null) => void,
  ): void {
    this.exclusive(() => this.sendControl(contentType, body)).then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  rekey(body: Uint8Array, next: CryptoState): void {
    const key = cloneState(next);
    this.exclusive(async () => {
      await this.sendControl(ContentType.handshake, body);
      this.sock.setCryptoState('tx', key);
    })
      .catch((error: unknown) => {
        const e = isErrno(error, 'EBUSY')
          ? new NodeKtlsError(
              'ERR_KTLS_REKEY_UNSUPPORTED',
              'the kernel cannot re-key TLS_TX (before Linux 6.14)',
              { errno: 'EBUSY', cause: error },
            )
          : (error as Error);
        this.raw.destroy(e);
      })
      .finally(() => key.key.fill(0));
  }

  /**
   * sendfile(2) of `length` bytes of `fd` from `offset`: the kernel reads the pages and seals them
   * into records (docs/kernel-tls.md §4); resolves with the bytes sent.
   */
  sendFile(fd: number, offset: number, length: number): Promise<number> {
    return this.exclusive(async () => {
      let sent = 0;
      while (sent < length) {
        const n = this.sock.sendFile(fd, offset + sent, Math.min(length - sent, 1 << 30));
        if (n === -1) await this.writable();
        else if (n === 0)
          throw new NodeKtlsError(
            'ERR_KTLS_SENDFILE',
            `the file ended ${length - sent} bytes before the length asked`,
          );
        else sent += n;
      }
      return sent;
    });
  }

  end(callback: (error?: Error | null) => void): void {
    this.writeControl(ContentType.alert, CLOSE_NOTIFY, (error) => {
      if (error) callback(error);
      else this.raw.end(() => callback());
    });
  }

  /** Closes the watcher; a control record or file still waiting for room fails. */
  destroy(): void {
    this.watcher?.close();
    const gone = new NodeKtlsError('ERR_KTLS_DESTROYED', 'the stream was destroyed');
    for (const w of this.waiters.splice(0)) w.reject(gone);
  }
}
