/**
 * What every `node-ktls` VM row file shares: the registry native's in-VM runner reads
 * (`NODE_KTLS_TESTS`), the kernel's probe asked once, the certificate, the suites, and the checks
 * that prove the kernel (not the userspace fallback) carried the records (/proc/net/tls_stat).
 */
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { type ProbeResult, probe } from '@ktls-lab/native';
import { connect, type KtlsOptions, type KtlsStream } from '../../src/index.js';
import { exchange, makeCert } from '../helpers.js';
import { expectedPlanes, tlsStat } from './kernelFacts.js';

/**
 * Bytes sent each way per data row. Issue 17 asks for 64 MiB; under TCG (no KVM, docs/vm-harness.md)
 * that is minutes per row, and the rows must add under a minute per kernel, so they move 1 MiB
 * each way: 64 full records per direction, every one through the kernel's TLS_TX / TLS_RX.
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

export const SUITES: readonly {
  name: keyof typeof CIPHER;
  version: 'TLSv1.2' | 'TLSv1.3';
  openssl: string;
}[] = [
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

export function connectTo(port: number, options: tls.ConnectionOptions = {}): Promise<KtlsStream> {
  return connect(
    { host: '127.0.0.1', port, servername: 'localhost', ca: cert().cert, ...options },
    ktls(),
  );
}

/** How much each tls_stat counter rose since `before`. */
export function statRise(before: Map<string, number>): (name: string) => number {
  const after = tlsStat();
  return (name) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

/** The `needs` of a row for `suite`: kernel TLS, and TLS_TX accepting its version and cipher. */
export function suiteNeeds(s: (typeof SUITES)[number]): string[] {
  return ['ktls', `tx:${s.version === 'TLSv1.3' ? TLS13 : TLS12}:${CIPHER[s.name]}`];
}

/** A suite's variant name: `<side>-12-aes128gcm`. */
export function suiteVariant(side: 'client' | 'server', s: (typeof SUITES)[number]): string {
  return `${side}-${s.version === 'TLSv1.3' ? '13' : '12'}-${s.name}`;
}
