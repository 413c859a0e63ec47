import type { NativeFdWatcher } from './binding.js';
import { type NativeSyscallError, native, toTypedError } from './errors.js';

/** The events a readiness callback reports (libuv's `uv_poll_event`, include/uv.h). */
export const Readiness = {
  /** The fd is readable (EPOLLIN; on a kernel TLS socket: a whole record, docs/kernel-tls.md §5.1). */
  readable: 1,
  /** The fd takes more bytes (EPOLLOUT). */
  writable: 2,
  /** The peer shut its side down (EPOLLRDHUP: a FIN); reported with readable interest. */
  disconnect: 4,
} as const;

/**
 * `error` is set when libuv reports a failure (EPOLLERR comes as EBADF) and has stopped the
 * watcher; a read or write on the fd then tells the socket's own error.
 */
export type ReadinessCallback = (error: NativeSyscallError | null, events: number) => void;

/** What a readiness watcher offers: interest in reads and in writes, and its handle's life. */
export interface ReadinessWatcher {
  /** Readable interest on (readable and disconnect events); throws once closed. */
  startReading(): void;
  /** Readable interest off; a no-op once closed. */
  stopReading(): void;
  /** Writable interest on; throws once closed. */
  startWriting(): void;
  /** Writable interest off; a no-op once closed. */
  stopWriting(): void;
  /** Whether an active watcher keeps the process alive (on by default, as a reading socket). */
  ref(): void;
  unref(): void;
  /** Stops the watcher and closes its fd; idempotent, safe inside the callback. */
  close(): void;
  /** True once `close()` was called. */
  readonly closed: boolean;
}

/**
 * Readiness of a socket fd on Node's own event loop, without reading it: a libuv `uv_poll_t`
 * (level-triggered epoll) on a `dup()` of the fd, so it works on a fd a `net.Socket` still owns
 * (libuv allows one watcher per fd number; the dup is registered on its own). The callback runs on
 * the loop like any I/O callback, while interest is on and the condition holds (level-triggered:
 * a readable fd that is not read fires again on the next turn).
 *
 * libuv makes the fd non-blocking (`O_NONBLOCK` is shared with the original fd). An active
 * watcher keeps itself and its callback alive; an inactive one nothing references is collected
 * and closed. Call `close()` when done: the dup holds the socket open until then.
 */
export class FdWatcher implements ReadinessWatcher {
  readonly #w: NativeFdWatcher;

  constructor(fd: number, callback: ReadinessCallback) {
    this.#w = native(
      (b) =>
        new b.FdWatcher(fd, (error, events) =>
          callback(error === null ? null : (toTypedError(error) as NativeSyscallError), events),
        ),
    );
  }

  startReading(): void {
    native(() => this.#w.startReading());
  }

  stopReading(): void {
    this.#w.stopReading();
  }

  startWriting(): void {
    native(() => this.#w.startWriting());
  }

  stopWriting(): void {
    this.#w.stopWriting();
  }

  ref(): void {
    this.#w.ref();
  }

  unref(): void {
    this.#w.unref();
  }

  close(): void {
    this.#w.close();
  }

  get closed(): boolean {
    return this.#w.closed;
  }

  /** The dup'd fd the watcher polls; -1 once closed. */
  get fd(): number {
    return this.#w.fd;
  }
}
