import {
  type ContentTypeByte,
  type CryptoState,
  cryptoStateFromKernel,
  cryptoStateToKernel,
  type Direction,
  type SyscallErrno,
} from '@ktls-lab/core';
import type { RawRecvResult } from './binding.js';
import { NativeSyscallError, native } from './errors.js';
import { FdWatcher, type ReadinessCallback } from './fdWatcher.js';

/** UAPI values (include/uapi/linux/tls.h, docs/kernel-tls.md §2). */
export const SOL_TLS = 282;
export const TLS_TX = 1;
export const TLS_RX = 2;
export const TLS_TX_ZEROCOPY_RO = 3;
export const TLS_RX_EXPECT_NO_PAD = 4;
export const TLS_TX_MAX_PAYLOAD_LEN = 5;
export const IPPROTO_TCP = 6;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVLOWAT = 18;
export const SO_RCVTIMEO = 20;
export const POLLIN = 1;
export const POLLOUT = 4;

/** `msg_flags` / send/recv flags (include/linux/socket.h). */
export const MSG = {
  PEEK: 0x2,
  CTRUNC: 0x8,
  DONTWAIT: 0x40,
  EOR: 0x80,
  WAITALL: 0x100,
  MORE: 0x8000,
} as const;

export type { Direction } from '@ktls-lab/core';

export interface SendOptions {
  /** MSG_MORE: keep the record open for the next send. */
  readonly more?: boolean;
  readonly dontwait?: boolean;
  /** MSG_EOR (accepted by newer kernels; 6.1 returns EOPNOTSUPP). */
  readonly eor?: boolean;
  /** Extra raw flags. */
  readonly flags?: number;
}

export interface KtlsRecvOptions {
  /** Buffer size (default 16384 + 1, one full record). */
  readonly maxBytes?: number;
  /** Several iovecs of these sizes instead of one buffer (-1: a NULL iovec base). */
  readonly iov?: readonly number[];
  /**
   * Pass room for the TLS_GET_RECORD_TYPE cmsg. Default false, as a bare recvmsg() and core's
   * `TlsRecordLayer.recv` pass none: a control record at the head then fails with EIO and stays.
   */
  readonly cmsg?: boolean;
  readonly peek?: boolean;
  readonly dontwait?: boolean;
  readonly waitall?: boolean;
}

/** @deprecated Use `KtlsRecvOptions` (core's `RecvOptions` is the record layer's). */
export type RecvOptions = KtlsRecvOptions;

export interface KtlsRecvResult {
  readonly data: Uint8Array;
  /** The content type TLS_GET_RECORD_TYPE reported, or null when no cmsg came back. */
  readonly contentType: ContentTypeByte | null;
  /** @deprecated The same value as `contentType` (core's name for it). */
  readonly recordType: ContentTypeByte | null;
  /** MSG_EOR: a record was fully consumed by this read. */
  readonly eor: boolean;
  /** MSG_CTRUNC: the cmsg did not fit. */
  readonly ctrunc: boolean;
}

function dirOpt(dir: Direction): number {
  return dir === 'tx' ? TLS_TX : TLS_RX;
}

/**
 * A TCP socket with the kernel's TLS ULP: a thin, synchronous wrapper around the fd. Calls block
 * the calling thread (with the pair's SO_RCVTIMEO as a bound) and throw `NativeSyscallError` with
 * the errno by name (EIO for a control record read without cmsg room, EKEYEXPIRED while a
 * KeyUpdate is pending, EBADMSG after a bad record, ...).
 *
 * Keys: `setCryptoState` serializes the state into `struct tls12_crypto_info_*` bytes, hands them
 * to setsockopt and wipes both that buffer and the addon's copy right after; the kernel keeps the
 * only copy and frees it (memzero_explicit) when the socket is closed.
 */
export class KtlsSocket {
  readonly fd: number;
  readonly #owned: boolean;
  #closed = false;

  constructor(fd: number, options: { owned?: boolean } = {}) {
    this.fd = fd;
    this.#owned = options.owned !== false;
  }

  /** A connected IPv4 loopback pair made by the addon: [client, server]. */
  static pair(timeoutMs = 5000): [KtlsSocket, KtlsSocket] {
    const [c, s] = native((b) => b.tcpPair(timeoutMs));
    return [new KtlsSocket(c), new KtlsSocket(s)];
  }

  /**
   * The fd of a connected `net.Socket` (its libuv handle's fd). The socket stays owned by Node:
   * `close()` here does not close the fd. Pause the net.Socket first, or libuv reads the bytes.
   */
  static fromNetSocket(socket: unknown): KtlsSocket {
    const fd = (socket as { _handle?: { fd?: unknown } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) {
      throw new TypeError('not a connected net.Socket (no _handle.fd)');
    }
    return new KtlsSocket(fd, { owned: false });
  }

  /** setsockopt(IPPROTO_TCP, TCP_ULP, "tls"). */
  attachUlp(): void {
    explained('TCP_ULP', () => native((b) => b.setUlp(this.fd)));
  }

  /** setsockopt(SOL_TLS, TLS_TX | TLS_RX) from core's CryptoState; also a TLS 1.3 rekey. */
  setCryptoState(dir: Direction, state: CryptoState): void {
    const bytes = cryptoStateToKernel(state);
    try {
      explained(dir === 'tx' ? 'TLS_TX' : 'TLS_RX', () =>
        native((b) => b.setsockopt(this.fd, SOL_TLS, dirOpt(dir), bytes)),
      );
    } finally {
      bytes.fill(0);
    }
  }

  /** The raw call with exact bytes and optlen (selftests bad_cipher, getsockopt). */
  setCryptoInfoRaw(dir: Direction, bytes: Uint8Array, optlen = bytes.length): void {
    native((b) => b.setsockopt(this.fd, SOL_TLS, dirOpt(dir), bytes, optlen));
  }

  /** "Get the state out": getsockopt(SOL_TLS, TLS_TX | TLS_RX) with the current iv and rec_seq. */
  getCryptoState(dir: Direction, size: number): CryptoState {
    const raw = this.getCryptoInfoRaw(dir, size);
    // A plain Uint8Array copy: on a Buffer, `slice()` (which cryptoStateFromKernel uses to give the
    // state its own bytes) returns a view, and wiping the Buffer would wipe the state's key.
    const bytes = new Uint8Array(raw);
    raw.fill(0);
    try {
      return cryptoStateFromKernel(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  getCryptoInfoRaw(dir: Direction, len: number): Uint8Array {
    return native((b) => b.getsockopt(this.fd, SOL_TLS, dirOpt(dir), len));
  }

  /** setsockopt(SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, u16): RFC 8449 record_size_limit on TX. */
  setMaxPayload(size: number): void {
    const v = new Uint8Array(2);
    new DataView(v.buffer).setUint16(0, size, true);
    native((b) => b.setsockopt(this.fd, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, v));
  }

  getMaxPayload(): number {
    const v = native((b) => b.getsockopt(this.fd, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, 2));
    return v.length === 2 ? v.readUInt16LE(0) : -1;
  }

  setsockopt(level: number, name: number, value: Uint8Array | null, optlen?: number): void {
    native((b) => b.setsockopt(this.fd, level, name, value, optlen));
  }

  getsockopt(level: number, name: number, len: number): Uint8Array {
    return native((b) => b.getsockopt(this.fd, level, name, len));
  }

  setIntOption(level: number, name: number, value: number): void {
    native((b) => b.setIntOpt(this.fd, level, name, value));
  }

  /** send(): one record per call unless `more` (MSG_MORE); returns the bytes accepted. */
  send(data: Uint8Array | readonly Uint8Array[], options: SendOptions = {}): number {
    const chunks = data instanceof Uint8Array ? [data] : data;
    return native((b) => b.send(this.fd, chunks, sendFlags(options)));
  }

  /** sendmsg() with cmsg TLS_SET_RECORD_TYPE: a record of `type` (alert 21, handshake 22, ...). */
  sendRecord(type: number, body: Uint8Array, options: SendOptions = {}): number {
    return native((b) => b.send(this.fd, [body], sendFlags(options), type));
  }

  /** send() of every byte, retrying on short writes (plain TCP use, raw records). */
  sendAll(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) off += this.send(data.subarray(off));
  }

  /** recvmsg() with the kernel's rules: returns the record type and MSG_EOR. */
  recv(options: KtlsRecvOptions = {}): KtlsRecvResult {
    const r: RawRecvResult = native((b) => b.recv(this.fd, ...recvArgs(options)));
    return recvResult(r);
  }

  /**
   * A non-blocking `recv` (MSG_DONTWAIT) that returns `null` where `recv` would throw EAGAIN, for
   * an event loop that drains the socket on each readiness callback; every other error throws as
   * from `recv` (EKEYEXPIRED after a KeyUpdate, EBADMSG, EIO ...).
   */
  recvIfReady(options: Omit<KtlsRecvOptions, 'dontwait'> = {}): KtlsRecvResult | null {
    const [sizes, flags, cmsg] = recvArgs({ ...options, dontwait: true });
    const r = native((b) => b.recv(this.fd, sizes, flags, cmsg, undefined, true));
    return r === null ? null : recvResult(r);
  }

  /** Reads exactly `n` bytes of application data (blocking, MSG_WAITALL). */
  recvExact(n: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < n) {
      const r = this.recv({ maxBytes: n - got, waitall: true });
      if (r.data.length === 0) break;
      parts.push(r.data);
      got += r.data.length;
    }
    return Buffer.concat(parts);
  }

  poll(events: number, timeoutMs: number): number {
    return native((b) => b.poll(this.fd, events, timeoutMs));
  }

  /**
   * A readiness watcher for this socket on Node's event loop (`FdWatcher`, on a dup of the fd):
   * how a kernel TLS reader waits for a record without polling. It starts with no interest.
   */
  watch(callback: ReadinessCallback): FdWatcher {
    return new FdWatcher(this.fd, callback);
  }

  /**
   * sendfile(2) from `inFd` at `offset`, at most `count` bytes: the bytes sent, or -1 when the
   * socket buffer is full (EAGAIN, non-blocking socket). With TLS_TX the kernel seals them.
   */
  sendFile(inFd: number, offset: number, count: number): number {
    return native((b) => b.sendfileNonblocking(this.fd, inFd, offset, count));
  }

  setNonblocking(on: boolean): void {
    native((b) => b.setNonblock(this.fd, on));
  }

  shutdown(how: 0 | 1 | 2 = 2): void {
    native((b) => b.shutdown(this.fd, how));
  }

  /** Closes the fd (not for a socket borrowed from net.Socket). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) native((b) => b.close(this.fd));
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/**
 * What a refused TCP_ULP / TLS_TX / TLS_RX means, said plainly (docs/kernel-tls.md §3): the same
 * `NativeSyscallError` (same errno, syscall), with the reason in the message instead of only
 * "setsockopt(282, 1): ENOPROTOOPT". `probe()` tells, for a whole kernel, what it offers.
 */
const MEANING: Readonly<Record<string, Partial<Record<SyscallErrno, string>>>> = {
  TCP_ULP: {
    ENOENT: 'this kernel has no "tls" ULP (CONFIG_TLS off, or the tls module is not loaded)',
    ENOTCONN: 'the socket is not connected: the TLS ULP attaches to an ESTABLISHED TCP socket only',
    EEXIST: 'a ULP is already attached to this socket',
  },
  TLS_TX: {
    ENOPROTOOPT: 'the socket has no TLS ULP: attachUlp() first (or the kernel has no kTLS at all)',
    EINVAL:
      'the kernel refused this crypto_info: a cipher or version it does not offer, or one that differs from the other direction',
    EBUSY:
      'TLS_TX is already set and cannot be set again: TLS 1.2, or a kernel before 6.14 that cannot re-key',
    ENOTCONN: 'the socket is not connected',
  },
  TLS_RX: {
    ENOPROTOOPT: 'the socket has no TLS ULP: attachUlp() first (or the kernel has no kTLS at all)',
    EINVAL:
      'the kernel refused this crypto_info: a cipher or version it does not offer, or one that differs from the other direction',
    EBUSY:
      'TLS_RX is already set and cannot be set again: TLS 1.2, or a kernel before 6.14 that cannot re-key',
    ENOTCONN: 'the socket is not connected',
  },
};

function explained<T>(option: keyof typeof MEANING, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof NativeSyscallError)) throw error;
    const meaning = MEANING[option]?.[error.errno];
    if (meaning === undefined) throw error;
    // The addon names SOL_TLS options by number (`setsockopt(282, 1)`); say them by name.
    const syscall = option === 'TCP_ULP' ? error.syscall : `setsockopt(SOL_TLS, ${option})`;
    throw new NativeSyscallError(
      syscall,
      error.errno,
      error.errnoNumber,
      `${option}: ${error.errno}: ${meaning}`,
    );
  }
}

function sendFlags(o: SendOptions): number {
  let f = o.flags ?? 0;
  if (o.more) f |= MSG.MORE;
  if (o.dontwait) f |= MSG.DONTWAIT;
  if (o.eor) f |= MSG.EOR;
  return f;
}

/** `sizeof(struct tls12_crypto_info_*)` for a cipher_type (docs/kernel-tls.md §2). */
export function cryptoInfoSize(cipherType: number): number {
  return cipherType === 51 ||
    cipherType === 53 ||
    cipherType === 55 ||
    cipherType === 56 ||
    cipherType === 57
    ? 40
    : 56;
}

/** `recv`'s arguments to the addon: the iovec sizes, the msg flags and whether to pass cmsg room. */
function recvArgs(options: KtlsRecvOptions): [number[], number, boolean] {
  let flags = 0;
  if (options.peek) flags |= MSG.PEEK;
  if (options.dontwait) flags |= MSG.DONTWAIT;
  if (options.waitall) flags |= MSG.WAITALL;
  const sizes = options.iov ? [...options.iov] : [options.maxBytes ?? 16385];
  return [sizes, flags, options.cmsg === true];
}

function recvResult(r: RawRecvResult): KtlsRecvResult {
  const contentType = r.recordType < 0 ? null : r.recordType;
  return {
    data: r.data,
    contentType,
    recordType: contentType,
    eor: (r.flags & MSG.EOR) !== 0,
    ctrunc: (r.flags & MSG.CTRUNC) !== 0,
  };
}
