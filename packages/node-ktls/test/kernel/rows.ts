/**
 * What every `node-ktls` VM row file shares: the registry native's in-VM runner reads
 * (`NODE_KTLS_TESTS`), the kernel's probe asked once, the certificate, the suites, and the checks
 * that prove the kernel (not the userspace fallback) carried the records (/proc/net/tls_stat).
 */
import assert from 'node:assert/strict';
import tls from 'node:tls';
import type { KtlsSocket, ProbeResult } from '@ktls-lab/native';
import { probe } from '@ktls-lab/native';
import { connect, type KernelSocket, type KtlsOptions, type KtlsStream } from '../../src/index.js';
import { acceptOne, exchange, makeCert } from '../helpers.js';
import { OpensslPeer } from '../openssl.js';
import type { PeerProcess } from '../peerProcess.js';
import { expectedPlanes, tlsStat } from './kernelFacts.js';

/**
 * Bytes sent each way per matrix row: 64 full records per direction, every one through the
 * kernel's TLS_TX / TLS_RX. The 64 MiB transfers are the `node-ktls.bulk` rows (bulkRows.ts):
 * under TCG (no KVM, docs/vm-harness.md) each takes 20-50 s, too long for every suite and side.
 */
export const VM_TRANSFER_BYTES = 1 << 20;

/** A test as native's runner registers it in group `node-ktls` (its `Need` strings). */
export interface NodeKtlsKernelTest {
  readonly row: string;
  readonly variant: string;
  readonly needs: readonly string[];
  readonly run: () => Promise<unknown>;
}

export const NODE_KTLS_TESTS: NodeKtlsKernelTest[] = [];

export function add(
  row: string,
  variant: string,
  needs: readonly string[],
  run: () => Promise<unknown>,
) {
  NODE_KTLS_TESTS.push({ row, variant, needs, run });
}

let pem: ReturnType<typeof makeCert> | undefined;
let probed: ProbeResult | undefined;
/**
 * The kernel's answer, asked once and given to every stream: `probe()` itself sets TLS_TX on
 * sockets of its own (one per cipher), which moves the tls_stat counters the rows check.
 */
export const kernel = (): ProbeResult => (probed ??= probe());
export const ktls = (extra: KtlsOptions = {}): KtlsOptions => ({ probe: kernel(), ...extra });
export const cert = () => (pem ??= makeCert());

export const TLS12 = 0x0303;
export const TLS13 = 0x0304;
/** TLS_CIPHER_* of include/uapi/linux/tls.h (docs/kernel-tls.md §3). */
export const CIPHER = { aes128gcm: 51, aes256gcm: 52, aes128ccm: 53, chacha: 54 } as const;

export interface Suite {
  readonly name: keyof typeof CIPHER;
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL's name, as Node's `ciphers`, `-cipher`/`-ciphersuites` and curl take it. */
  readonly openssl: string;
}

export const SUITES: readonly Suite[] = [
  { name: 'aes128gcm', version: 'TLSv1.3', openssl: 'TLS_AES_128_GCM_SHA256' },
  { name: 'aes256gcm', version: 'TLSv1.3', openssl: 'TLS_AES_256_GCM_SHA384' },
  { name: 'chacha', version: 'TLSv1.3', openssl: 'TLS_CHACHA20_POLY1305_SHA256' },
  { name: 'aes128ccm', version: 'TLSv1.3', openssl: 'TLS_AES_128_CCM_SHA256' },
  { name: 'aes128gcm', version: 'TLSv1.2', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
  { name: 'aes256gcm', version: 'TLSv1.2', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
  { name: 'chacha', version: 'TLSv1.2', openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
  { name: 'aes128ccm', version: 'TLSv1.2', openssl: 'ECDHE-ECDSA-AES128-CCM' },
];

/** Node's `ciphers` takes TLS 1.3 suite names as well (it passes them to SSL_set_ciphersuites). */
export function tlsOptions(
  version: tls.SecureVersion,
  ciphers: string,
): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion; ciphers: string } {
  return { minVersion: version, maxVersion: version, ciphers };
}

/** Both ends send VM_TRANSFER_BYTES and end; each must read exactly what the other sent. */
export async function exchangeChecked(ours: KtlsStream, theirs: tls.TLSSocket): Promise<void> {
  const r = await exchange(ours, theirs, VM_TRANSFER_BYTES);
  assert.equal(r.oursGot, r.down, 'what we read');
  assert.equal(r.theirsGot, r.up, 'what the peer read');
}

/** Node's tls.connect to our listener on `port`. */
export function nodeClient(port: number, options: tls.ConnectionOptions): tls.TLSSocket {
  return tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: cert().cert,
    ...options,
  });
}

/** The planes the policy must have chosen here, and the tls_stat counters they must move. */
export function checkPlanes(ours: KtlsStream, before: Map<string, number>): string {
  const want = expectedPlanes(kernel(), ours.getProtocol() === 'TLSv1.3');
  assert.equal(ours.offload.tx.plane, want, `TX plane (${ours.offload.tx.reason})`);
  assert.equal(ours.offload.rx.plane, want, `RX plane (${ours.offload.rx.reason})`);
  const rose = statRise(before);
  const n = want === 'kernel' ? 1 : 0;
  assert.equal(rose('TlsTxSw'), n, 'TlsTxSw: sockets given TLS_TX');
  assert.equal(rose('TlsRxSw'), n, 'TlsRxSw: sockets given TLS_RX');
  return `tx ${ours.offload.tx.plane}, rx ${ours.offload.rx.plane}`;
}

/** Our `connect()` to `port` (TLS options such as the version and suite in `options`). */
export function connectTo(
  port: number,
  extra: KtlsOptions = {},
  options: tls.ConnectionOptions = {},
): Promise<KtlsStream> {
  return connect(
    { host: '127.0.0.1', port, servername: 'localhost', ca: cert().cert, ...options },
    ktls(extra),
  );
}

/** How much each tls_stat counter rose since `before`. */
export function statRise(before: Map<string, number>): (name: string) => number {
  const after = tlsStat();
  return (name) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

/** The `needs` of a row for `suite`: kernel TLS, and TLS_TX accepting its version and cipher. */
export function suiteNeeds(s: Suite): string[] {
  return ['ktls', `tx:${s.version === 'TLSv1.3' ? TLS13 : TLS12}:${CIPHER[s.name]}`];
}

/** A suite's variant name: `<side>-12-aes128gcm`. */
export function suiteVariant(side: 'client' | 'server', s: Suite): string {
  return `${side}-${s.version === 'TLSv1.3' ? '13' : '12'}-${s.name}`;
}

/**
 * `promise`, or an error naming `what` after `ms`: a row waits on a peer process or the stream
 * for an event that a broken peer never brings, and one hung row would stall the whole VM run.
 */
export async function within<T>(promise: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with our accepted stream, or rejects if the peer dialing it exits first. */
function acceptedBefore(stream: Promise<KtlsStream>, peer: PeerProcess): Promise<KtlsStream> {
  const gone = peer.exited.then((code) => {
    throw new Error(`the peer exited (${code}) before connecting: ${peer.messages.slice(-500)}`);
  });
  gone.catch(() => {});
  return within(Promise.race([stream, gone]), 'connection from the peer');
}

/**
 * A row of our server for suite `s` (`accept` offering only it) with a peer process dialing it:
 * `body` drives both, then the planes and tls_stat are checked; the stream, the peer and the
 * listener go whatever happens (a stream left open would fail a later row when its peer dies).
 */
export async function withOurServer<P extends PeerProcess>(
  s: Suite,
  start: (port: number) => P,
  body: (ours: KtlsStream, peer: P) => Promise<void>,
): Promise<string> {
  kernel();
  const before = tlsStat();
  const { key, cert: pem } = cert();
  const listener = await acceptOne({ key, cert: pem, ...tlsOptions(s.version, s.openssl) }, ktls());
  const peer = start(listener.port);
  let ours: KtlsStream | undefined;
  try {
    ours = await acceptedBefore(listener.stream(), peer);
    await body(ours, peer);
    return checkPlanes(ours, before);
  } finally {
    ours?.destroy();
    peer.kill();
    listener.close();
  }
}

/** A row of our client for suite `s` against a peer server `start` runs and says the port of. */
export async function withOurClient<P extends PeerProcess>(
  s: Suite,
  start: () => Promise<{ peer: P; port: number }>,
  body: (ours: KtlsStream, peer: P) => Promise<void>,
): Promise<string> {
  kernel();
  const before = tlsStat();
  const { peer, port } = await start();
  let ours: KtlsStream | undefined;
  try {
    ours = await connectTo(port, {}, tlsOptions(s.version, s.openssl));
    await body(ours, peer);
    return checkPlanes(ours, before);
  } finally {
    ours?.destroy();
    peer.kill();
  }
}

/**
 * Debian's openssl facing our `side` with `flags`: `s_server` for our client, `s_client` dialing
 * our listener (which `close` stops; a no-op for our client).
 */
export async function opensslFacing(
  side: 'client' | 'server',
  flags: string[],
): Promise<{ peer: OpensslPeer; ours: KtlsStream; close: () => void }> {
  const { dir, key, cert: pem } = cert();
  if (side === 'client') {
    const peer = OpensslPeer.server(dir, flags);
    return { peer, ours: await connectTo(await peer.port()), close: () => {} };
  }
  const listener = await acceptOne({ key, cert: pem }, ktls());
  const peer = OpensslPeer.client(listener.port, [...flags, '-CAfile', `${dir}/cert.pem`]);
  return { peer, ours: await listener.stream(), close: listener.close };
}

/**
 * A `KernelSocket` that calls `sock` for everything but `overrides`: a row that counts or
 * alters one call (EAGAINs, reads, the readiness watcher) passes only that one.
 */
export function kernelSocketOf(
  sock: KtlsSocket,
  overrides: Partial<KernelSocket> = {},
): KernelSocket {
  return {
    attachUlp: () => sock.attachUlp(),
    setCryptoState: (dir, state) => sock.setCryptoState(dir, state),
    sendRecord: (type, body) => sock.sendRecord(type, body),
    recv: (options) => sock.recv(options),
    recvIfReady: (options) => sock.recvIfReady(options),
    poll: (events, timeoutMs) => sock.poll(events, timeoutMs),
    sendFile: (inFd, offset, count) => sock.sendFile(inFd, offset, count),
    setIntOption: (level, name, value) => sock.setIntOption(level, name, value),
    watch: (callback) => sock.watch(callback),
    ...overrides,
  };
}
