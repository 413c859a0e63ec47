import { type CryptoState, cryptoStateFromKernel, cryptoStateToKernel } from '@ktls-lab/core';
import type { RawRecvResult } from './binding.js';
import { native } from './errors.js';

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

/** `msg_flags` / send/recv flags (include/linux/socket.h). */
export const MSG = {
  PEEK: 0x2,
  CTRUNC: 0x8,
  DONTWAIT: 0x40,
  EOR: 0x80,
  WAITALL: 0x100,
  MORE: 0x8000,
} as const;

export type Direction = 'tx' | 'rx';

export interface SendOptions {
  /** MSG_MORE: keep the record open for the next send. */
  readonly more?: boolean;
  readonly dontwait?: boolean;
  /** MSG_EOR (accepted by newer kernels; 6.1 returns EOPNOTSUPP). */
  readonly eor?: boolean;
  /** Extra raw flags. */
  readonly flags?: number;
}

export interface RecvOptions {
  /** Buffer size (default 16384 + 1, one full record). */
  readonly maxBytes?: number;
  /** Several iovecs of these sizes instead of one buffer (-1: a NULL iovec base). */
  readonly iov?: readonly number[];
  /** Pass room for the TLS_GET_RECORD_TYPE cmsg (default true). */
  readonly cmsg?: boolean;
  readonly peek?: boolean;
  readonly dontwait?: boolean;
  readonly waitall?: boolean;
}

export interface KtlsRecvResult {
  readonly data: Uint8Array;
  /** Record type from TLS_GET_RECORD_TYPE, or null when no cmsg came back. */
  readonly recordType: number | null;
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
    native((b) => b.setUlp(this.fd));
  }

  /** setsockopt(SOL_TLS, TLS_TX | TLS_RX) from core's CryptoState; also a TLS 1.3 rekey. */
  setCryptoState(dir: Direction, state: CryptoState): void {
    const bytes = cryptoStateToKernel(state);
    try {
      native((b) => b.setsockopt(this.fd, SOL_TLS, dirOpt(dir), bytes));
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
  recv(options: RecvOptions = {}): KtlsRecvResult {
    let flags = 0;
    if (options.peek) flags |= MSG.PEEK;
    if (options.dontwait) flags |= MSG.DONTWAIT;
    if (options.waitall) flags |= MSG.WAITALL;
    const sizes = options.iov ?? [options.maxBytes ?? 16385];
    const r: RawRecvResult = native((b) => b.recv(this.fd, sizes, flags, options.cmsg !== false));
    return {
      data: r.data,
      recordType: r.recordType < 0 ? null : r.recordType,
      eor: (r.flags & MSG.EOR) !== 0,
      ctrunc: (r.flags & MSG.CTRUNC) !== 0,
    };
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
