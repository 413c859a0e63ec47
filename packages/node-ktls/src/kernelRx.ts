import { ContentType, type ContentTypeByte, type CryptoState } from '@ktls-lab/core';
import { isErrno, type KtlsRecvResult, type ReadinessWatcher } from '@ktls-lab/native';
import type { RxPlane, RxSink } from './dataPlane.js';
import { NodeKtlsError } from './errors.js';
import type { KernelSocket } from './kernelPlane.js';

/** Reads per readiness callback before yielding to the loop (level-triggered: it fires again). */
const READS_PER_TURN = 64;
/**
 * How long to wait before asking again after a readable fd gave EAGAIN: a partial record on a
 * kernel whose poll is plain TCP's (6.1, docs/kernel-tls.md §5.1, §5.7), which level-triggered
 * epoll would otherwise report on every loop turn until the rest of the record arrives.
 */
const PARTIAL_RECORD_RETRY_MS = 1;

/**
 * Receives with recvmsg + TLS_GET_RECORD_TYPE: data records merge, a control record comes alone
 * with its type, EOF is a read of 0 (docs/kernel-tls.md §5.2). Reads until EAGAIN, then waits for
 * the kernel to say a record is readable: a libuv watcher on the fd (`KernelSocket.watch`, the
 * addon's FdWatcher), no timers. The watcher is level-triggered, so readable interest is on
 * exactly while reads can make progress: off while paused, and after a TLS 1.3 KeyUpdate until
 * `installKey` (reads are EKEYEXPIRED until the next TLS_RX, §7); turning it on reports records
 * already queued at once (docs/kernel-tls.md §5.7). EOF and errors close the watcher.
 */
export class KernelRx implements RxPlane {
  readonly kind = 'kernel';
  private sink: RxSink | null = null;
  private watcher: ReadinessWatcher | null = null;
  private paused = false;
  private stopped = false;
  /** A KeyUpdate came: recvmsg is EKEYEXPIRED until the next TLS_RX (docs/kernel-tls.md §7). */
  private keyExpired = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly sock: KernelSocket,
    private readonly opened: { contentType: ContentTypeByte; data: Uint8Array }[],
  ) {}

  start(sink: RxSink): void {
    this.sink = sink;
    for (const r of this.opened.splice(0)) {
      if (this.stopped) return;
      if (r.contentType === ContentType.applicationData) {
        if (!sink.data(r.data)) this.paused = true;
      } else sink.control(r.contentType, r.data);
    }
    if (this.stopped) return;
    try {
      this.watcher = this.sock.watch((error) => this.drain(error, true));
    } catch (error) {
      this.stop();
      sink.error(error as Error);
      return;
    }
    this.drain(null, false);
  }

  installKey(state: CryptoState): void {
    try {
      this.sock.setCryptoState('rx', state);
    } catch (error) {
      if (!isErrno(error, 'EBUSY')) throw error;
      // A second TLS_RX is EBUSY on kernels before 6.14 (docs/kernel-tls.md §3, §7).
      throw new NodeKtlsError(
        'ERR_KTLS_REKEY_UNSUPPORTED',
        'the kernel cannot re-key TLS_RX (before Linux 6.14)',
        { errno: 'EBUSY', cause: error },
      );
    }
    // Re-arming re-adds the fd to epoll, which asks the socket at once: records queued behind the
    // KeyUpdate are reported without waiting for new ones.
    this.keyExpired = false;
    this.arm();
  }

  /**
   * Reads what the kernel has (at most READS_PER_TURN records), then sets readable interest for
   * what comes next. `status` is the watcher's error (EPOLLERR): a read tells the socket's own;
   * `woken`: the watcher said readable (so EAGAIN on the first read means a partial record).
   */
  private drain(status: Error | null, woken: boolean): void {
    const sink = this.sink;
    if (sink !== null && !this.stopped && !this.paused && !this.keyExpired) {
      const ended = this.read(sink, status, woken);
      if (ended) return;
    }
    this.arm();
  }

  /** The reads of one turn; true when nothing more is to be armed (ended, failed, or retrying). */
  private read(sink: RxSink, status: Error | null, woken: boolean): boolean {
    for (let i = 0; i < READS_PER_TURN; i++) {
      let r: KtlsRecvResult | null;
      try {
        r = this.sock.recvIfReady({ cmsg: true, maxBytes: 1 << 16 });
      } catch (error) {
        if (isErrno(error, 'EKEYEXPIRED')) {
          this.keyExpired = true;
          return false;
        }
        this.fail(sink, error as Error);
        return true;
      }
      if (r === null) {
        // EAGAIN: drained. A watcher error with nothing left to read is the socket's end.
        if (status !== null) this.fail(sink, status);
        else if (i === 0 && woken) this.partialRecord();
        else return false;
        return true;
      }
      if (r.data.length === 0 && r.contentType === null) {
        this.stop();
        sink.eof();
        return true;
      }
      if (r.contentType === null || r.contentType === ContentType.applicationData) {
        if (!sink.data(r.data)) this.paused = true;
      } else sink.control(r.contentType, r.data);
      if (this.stopped) return true;
      if (this.paused || this.keyExpired) return false;
    }
    return false;
  }

  /** Readable interest exactly while a read could make progress. */
  private arm(): void {
    const w = this.watcher;
    if (w === null || this.stopped || this.retry !== null) return;
    if (this.paused || this.keyExpired) w.stopReading();
    else w.startReading();
  }

  /** Readable, yet EAGAIN: the start of a record only (6.1's poll). Ask again shortly. */
  private partialRecord(): void {
    this.watcher?.stopReading();
    this.retry = setTimeout(() => {
      this.retry = null;
      this.arm();
    }, PARTIAL_RECORD_RETRY_MS);
  }

  private fail(sink: RxSink, error: Error): void {
    this.stop();
    sink.error(error);
  }

  private stop(): void {
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    this.watcher?.close();
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.arm();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.arm();
  }

  destroy(): void {
    this.stop();
  }
}
