import { createRequire } from 'node:module';
import type { ReadinessWatcher } from './fdWatcher.js';

/** What `recv` returns: the bytes, the `TLS_GET_RECORD_TYPE` cmsg (-1 if none) and `msg_flags`. */
export interface RawRecvResult {
  readonly data: Buffer;
  readonly recordType: number;
  readonly flags: number;
  /** With a `fill` byte: every iovec's bytes, including what lies past the bytes read. */
  readonly iovBytes?: Buffer;
}

/** One AF_ALG key: a bound transform socket and its op sockets (one unless asked for more). */
export interface NativeAeadKey {
  seal(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, prefixLength?: number): Buffer;
  open(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Buffer | null;
  sealAsync(
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    prefixLength?: number,
  ): Promise<Buffer>;
  openAsync(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Buffer | null>;
  /**
   * Every request in flight at once, one per op socket, each from its own thread; `order` is the
   * request indexes in the order the kernel completed them.
   */
  batch(
    encrypt: boolean,
    ivs: readonly Uint8Array[],
    aads: readonly Uint8Array[],
    inputs: readonly Uint8Array[],
  ): { outputs: (Buffer | null)[]; errnos: number[]; order: number[] };
  close(): void;
  readonly closed: boolean;
}

/**
 * One key in OpenSSL's EVP (native/evp_aead.cc): a cipher context per direction, kept for the
 * key's life. Outputs go into the caller's buffers; throws `ERR_INVALID_ARG` for bad arguments
 * and for a closed key.
 */
export interface NativeEvpAead {
  /** Writes `AEAD(plaintext || trailer) || tag` at `out[outOffset]`; may be in place. */
  seal(
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    trailer: Uint8Array | null,
    out: Uint8Array,
    outOffset: number,
  ): void;
  /** Writes the plaintext at `out[outOffset]`; false (and that range wiped) on a bad tag. */
  open(
    nonce: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): boolean;
  /** Seals `count` records laid out in `arena` by `descriptors` (see src/evp.ts); returns count. */
  sealBatch(arena: Uint8Array, descriptors: Uint32Array, count: number): number;
  /** Opens them; writes each record's status and returns how many opened. */
  openBatch(arena: Uint8Array, descriptors: Uint32Array, count: number): number;
  /** `count` records of `size` bytes sealed (or opened) in a C++ loop: the benchmark's ceiling. */
  ceiling(size: number, count: number, open: boolean): number;
  close(): void;
  readonly closed: boolean;
}

/**
 * A readiness watcher on Node's libuv loop (native/fd_watcher.cc): a uv_poll_t on a dup of the fd.
 * The callback gets the libuv events (UV_READABLE 1, UV_WRITABLE 2, UV_DISCONNECT 4) or an
 * `ERR_NATIVE_SYSCALL` error (libuv then has stopped the watcher).
 */
export interface NativeFdWatcher extends ReadinessWatcher {
  /** The dup'd fd the watcher polls (-1 once closed). */
  readonly fd: number;
}

/** The addon's exports (native/addon.cc). Calls throw `ERR_NATIVE_SYSCALL` errors. */
export interface NativeBinding {
  AeadKey: new (
    alg: string,
    key: Uint8Array,
    tagLength: number,
    ivLength: number,
    opSockets?: number,
  ) => NativeAeadKey;
  algBind(name: string): true;
  EvpAead: new (algorithm: string, key: Uint8Array) => NativeEvpAead;
  evpInfo(): { readonly version: string; readonly algorithms: readonly string[] };
  /** A loopback TCP pair; family 6 for IPv6. */
  tcpPair(timeoutMs?: number, family?: 4 | 6): [number, number];
  tcpSocket(listen: boolean): number;
  setUlp(fd: number): void;
  setsockopt(
    fd: number,
    level: number,
    name: number,
    value: Uint8Array | null,
    optlen?: number,
  ): void;
  getsockopt(fd: number, level: number, name: number, len: number): Buffer;
  send(
    fd: number,
    chunks: readonly (Uint8Array | null)[],
    flags: number,
    recordType?: number,
  ): number;
  recv(
    fd: number,
    sizes: readonly number[],
    flags: number,
    cmsg: boolean,
    fill?: number,
  ): RawRecvResult;
  /** With `nullOnWouldBlock`, EAGAIN is `null` instead of a thrown error (KtlsSocket.recvIfReady). */
  recv(
    fd: number,
    sizes: readonly number[],
    flags: number,
    cmsg: boolean,
    fill: number | undefined,
    nullOnWouldBlock: true,
  ): RawRecvResult | null;
  close(fd: number): void;
  shutdown(fd: number, how: number): void;
  setNonblock(fd: number, on: boolean): void;
  setIntOpt(fd: number, level: number, name: number, value: number): void;
  poll(fd: number, events: number, timeoutMs: number): number;
  /** sendfile(2) for a non-blocking socket: the bytes sent, or -1 on EAGAIN (KtlsSocket.sendFile). */
  sendfileNonblocking(outFd: number, inFd: number, offset: number, count: number): number;
  connectUnspec(fd: number): void;
  connectTo(fd: number, listener: number): void;
  accept(fd: number): number;
  uname(): { sysname: string; release: string; version: string; machine: string };
  errnoName(errno: number): string;
  /** A BPF socket-filter program: message length = be32 at `lengthOffset` + `headerLength`. */
  bpfLengthParser(lengthOffset: number, headerLength: number): number;
  kcmSocket(): number;
  kcmAttach(kcmFd: number, tcpFd: number, bpfFd: number): void;
  // native/fdio.cc
  pipe(nonblock: boolean): [number, number];
  setPipeSize(fd: number, bytes: number): number;
  fdWrite(fd: number, bytes: Uint8Array): number;
  fdRead(fd: number, max: number): Buffer;
  lseekSet(fd: number, offset: number): void;
  splice(fdIn: number, fdOut: number, len: number, flags: number): number;
  vmsplice(pipeWriteFd: number, bytes: Uint8Array, flags: number): number;
  /** offset -1: NULL (the file position). Returns [bytes, offset after]. */
  sendfile(out: number, fdIn: number, offset: number, count: number): [number, number];
  memfdWith(bytes: Uint8Array): number;
  epollCreate(): number;
  epollAdd(ep: number, fd: number, events: number): void;
  epollWait(ep: number, timeoutMs: number): number;
  getsockname(fd: number): Buffer;
  bindAny4(fd: number): void;
  listenOn(fd: number, backlog: number): void;
  connectAny4(fd: number): void;
  // native/fd_watcher.cc
  FdWatcher: new (
    fd: number,
    callback: (error: Error | null, events: number) => void,
  ) => NativeFdWatcher;
  // native/jobs.cc
  jobStart(spec: NativeJobSpec): number;
  jobJoin(id: number): NativeJobResult;
}

/** A native thread's loop on a socket (native/jobs.cc): what a selftest's child process does. */
export interface NativeJobSpec {
  readonly kind: 'recv' | 'send' | 'sendfile' | 'poll';
  readonly fd: number;
  readonly total?: number;
  readonly chunk?: number;
  readonly flags?: number;
  /** recv: every byte must equal it; send: the byte sent. */
  readonly fill?: number;
  readonly retryEagain?: boolean;
  readonly fileFd?: number;
  readonly fileSize?: number;
  readonly events?: number;
  readonly timeoutMs?: number;
}

export interface NativeJobResult {
  readonly bytes: number;
  readonly calls: number;
  /** '' when the loop ended without an error. */
  readonly errno: string;
  readonly eagain: boolean;
  readonly mismatched: number;
  /** poll: the revents (0 on timeout). */
  readonly revents: number;
}

export type LoadResult =
  | { readonly ok: true; readonly binding: NativeBinding; readonly path: string }
  | {
      readonly ok: false;
      readonly reason: 'unsupported-platform' | 'load-failed';
      readonly message: string;
      readonly error?: unknown;
    };

let cached: LoadResult | undefined;

/**
 * Loads the addon once. Never throws: on another OS, or when the build failed (no compiler when
 * `pnpm install` ran, a Node ABI change), the result says why, and every engine or socket call
 * then fails with a typed `NativeUnavailableError`.
 */
export function loadNative(): LoadResult {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') {
    cached = {
      ok: false,
      reason: 'unsupported-platform',
      message: `AF_ALG and kernel TLS are Linux interfaces; this is ${process.platform}`,
    };
    return cached;
  }
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const rel of [
    '../build/Release/ktls_native.node',
    '../build/Debug/ktls_native.node',
    '../../build/Release/ktls_native.node',
  ]) {
    try {
      const path = require.resolve(rel);
      cached = { ok: true, binding: require(path) as NativeBinding, path };
      return cached;
    } catch (error) {
      tried.push(
        `${rel}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
  }
  cached = {
    ok: false,
    reason: 'load-failed',
    message:
      'the ktls_native addon is not built or does not load; run `pnpm install` (it builds it ' +
      `with node-gyp) or \`node scripts/build-addon.mjs --force\`. Tried: ${tried.join('; ')}`,
  };
  return cached;
}
