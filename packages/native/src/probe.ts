import { defaultAeadEngine } from '@ktls-lab/core';
import { loadNative } from './binding.js';
import { NativeSyscallError, native, toTypedError } from './errors.js';
import { EVP_ENGINE_NAME, evpAvailability } from './evp.js';
import { KtlsSocket, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN } from './ktls.js';

/** One feature: there or not, the errno that said so, and what it means. */
export interface FeatureStatus {
  readonly available: boolean;
  readonly errno?: string;
  readonly explanation: string;
}

export interface CipherProbe extends FeatureStatus {
  readonly version: 'TLS 1.2' | 'TLS 1.3';
  readonly cipher: string;
  readonly cipherType: number;
}

export interface UserspaceEngine {
  /** The engine's `name`, as trace headers carry it. */
  readonly name: string;
  readonly explanation: string;
}

/** Which engine `defaultAeadEngine()` makes here, and why. */
export function userspaceEngine(): UserspaceEngine {
  const name = defaultAeadEngine().name;
  const evp = evpAvailability();
  if (name === EVP_ENGINE_NAME && evp.ok) {
    return {
      name,
      explanation: `${evp.openssl} EVP in the addon (${evp.algorithms.join(', ')}); node:crypto is the fallback`,
    };
  }
  return {
    name,
    explanation: evp.ok
      ? 'the EVP engine is available but another default was set (setDefaultAeadEngineProvider)'
      : `the EVP engine is not available: ${evp.reason}`,
  };
}

export interface ProbeResult {
  readonly addon: FeatureStatus;
  /** `uname -r`, or null when the addon did not load. */
  readonly kernel: string | null;
  readonly afAlg: FeatureStatus;
  /** Each AEAD name AF_ALG was asked to bind. */
  readonly aead: Readonly<Record<string, FeatureStatus>>;
  readonly tlsUlp: FeatureStatus;
  /** Every version × cipher TLS_TX was offered (empty when the ULP is missing). */
  readonly tlsTx: readonly CipherProbe[];
  /** TLS 1.3 rekey: a second TLS_TX on a TLS 1.3 socket (6.14+) instead of EBUSY. */
  readonly rekey: FeatureStatus;
  /** TLS_TX_MAX_PAYLOAD_LEN (RFC 8449 record_size_limit). */
  readonly maxPayloadLen: FeatureStatus;
  /**
   * The AEAD engine a record layer gets by default in this process (core's `defaultAeadEngine`:
   * `openssl-evp` where the addon loads and this package was imported, else `node:crypto`), and
   * why. A userspace matter, not the kernel's: never in `missing`.
   */
  readonly userspaceEngine: UserspaceEngine;
  /** One line per missing feature, with the reason; empty when everything is there. */
  readonly missing: readonly string[];
}

/** The kernel ciphers kTLS knows (include/uapi/linux/tls.h); SM4/ARIA are probed to report them. */
export const KERNEL_CIPHERS = [
  { name: 'AES_GCM_128', type: 51, key: 16, iv: 8, salt: 4 },
  { name: 'AES_GCM_256', type: 52, key: 32, iv: 8, salt: 4 },
  { name: 'AES_CCM_128', type: 53, key: 16, iv: 8, salt: 4 },
  { name: 'CHACHA20_POLY1305', type: 54, key: 32, iv: 12, salt: 0 },
  { name: 'SM4_GCM', type: 55, key: 16, iv: 8, salt: 4 },
  { name: 'SM4_CCM', type: 56, key: 16, iv: 8, salt: 4 },
  { name: 'ARIA_GCM_128', type: 57, key: 16, iv: 8, salt: 4 },
  { name: 'ARIA_GCM_256', type: 58, key: 32, iv: 8, salt: 4 },
] as const;

export const AEAD_NAMES = ['gcm(aes)', 'ccm(aes)', 'rfc7539(chacha20,poly1305)'] as const;

/** A `struct tls12_crypto_info_*` filled with `fill` (the selftests' tls_crypto_info_init). */
export function rawCryptoInfo(version: number, cipherType: number, fill = 0): Uint8Array {
  const c = KERNEL_CIPHERS.find((x) => x.type === cipherType);
  const size = c === undefined ? 40 : 4 + c.iv + c.key + c.salt + 8;
  const b = new Uint8Array(size).fill(fill);
  const v = new DataView(b.buffer);
  v.setUint16(0, version, true);
  v.setUint16(2, cipherType, true);
  return b;
}

function errnoOf(error: unknown): string {
  const e = toTypedError(error);
  return e instanceof NativeSyscallError ? e.errno : String(e);
}

const AF_ALG_EXPLAIN: Record<string, string> = {
  EAFNOSUPPORT:
    'socket(AF_ALG) gave EAFNOSUPPORT: this kernel has no AF_ALG (CONFIG_CRYPTO_USER_API / ' +
    'CONFIG_CRYPTO_USER_API_AEAD not set, or af_alg/algif_aead not loaded)',
  ENOENT:
    'bind(AF_ALG, "aead") gave ENOENT: no AEAD interface (CONFIG_CRYPTO_USER_API_AEAD, ' +
    'algif_aead) or no such algorithm',
};

function ulpExplain(errno: string): string {
  if (errno === 'ENOENT') {
    return (
      'setsockopt(TCP_ULP, "tls") gave ENOENT: the TLS ULP is not registered (no CONFIG_TLS, or ' +
      'the tls module is not loaded)'
    );
  }
  return `setsockopt(TCP_ULP, "tls") gave ${errno}`;
}

/**
 * Asks the running kernel what it can do: AF_ALG and each AEAD name, the TLS ULP, every
 * version × cipher TLS_TX accepts, TLS 1.3 rekey and TLS_TX_MAX_PAYLOAD_LEN. Never throws; each
 * missing feature comes with the errno that said so and what it means. Uses only loopback sockets.
 */
export function probe(): ProbeResult {
  const loaded = loadNative();
  if (!loaded.ok) {
    const why = `addon not loaded (${loaded.reason}): ${loaded.message}`;
    const no: FeatureStatus = { available: false, explanation: why };
    return {
      addon: no,
      kernel: null,
      afAlg: no,
      aead: Object.fromEntries(AEAD_NAMES.map((n) => [n, no])),
      tlsUlp: no,
      tlsTx: [],
      rekey: no,
      maxPayloadLen: no,
      userspaceEngine: userspaceEngine(),
      missing: [why],
    };
  }
  const missing: string[] = [];
  const kernel = native((b) => b.uname().release);

  // AF_ALG: bind each AEAD name; the first failure's errno explains the family as a whole.
  const aead: Record<string, FeatureStatus> = {};
  let afAlg: FeatureStatus = { available: true, explanation: 'AF_ALG AEAD sockets bind' };
  for (const name of AEAD_NAMES) {
    try {
      native((b) => b.algBind(name));
      aead[name] = { available: true, explanation: `bind(AF_ALG, aead, ${name}) succeeded` };
    } catch (error) {
      const errno = errnoOf(error);
      const explanation =
        errno === 'EAFNOSUPPORT'
          ? (AF_ALG_EXPLAIN.EAFNOSUPPORT as string)
          : errno === 'ENOENT'
            ? `bind(AF_ALG, aead, ${name}) gave ENOENT: algif_aead or the ${name} implementation is missing`
            : `bind(AF_ALG, aead, ${name}) gave ${errno}`;
      aead[name] = { available: false, errno, explanation };
      if (errno === 'EAFNOSUPPORT') afAlg = { available: false, errno, explanation };
    }
  }
  if (!afAlg.available) missing.push(`AF_ALG: ${afAlg.explanation}`);
  else {
    for (const [n, s] of Object.entries(aead))
      if (!s.available) missing.push(`${n}: ${s.explanation}`);
  }

  // The TLS ULP on a fresh loopback pair.
  let tlsUlp: FeatureStatus;
  const [c0, s0] = KtlsSocket.pair(1000);
  try {
    c0.attachUlp();
    tlsUlp = { available: true, explanation: 'setsockopt(TCP_ULP, "tls") succeeded' };
  } catch (error) {
    const errno = errnoOf(error);
    tlsUlp = { available: false, errno, explanation: ulpExplain(errno) };
    missing.push(`kernel TLS: ${tlsUlp.explanation}`);
  } finally {
    c0.close();
    s0.close();
  }

  const tlsTx: CipherProbe[] = [];
  let rekey: FeatureStatus = { available: false, explanation: 'not probed: no TLS ULP' };
  let maxPayloadLen: FeatureStatus = { available: false, explanation: 'not probed: no TLS ULP' };
  if (tlsUlp.available) {
    for (const version of [0x0303, 0x0304] as const) {
      for (const c of KERNEL_CIPHERS) {
        const label = version === 0x0303 ? 'TLS 1.2' : 'TLS 1.3';
        const r = withUlpPair((cl) => cl.setCryptoInfoRaw('tx', rawCryptoInfo(version, c.type)));
        const base = { version: label, cipher: c.name, cipherType: c.type } as const;
        if (r === null) {
          tlsTx.push({ ...base, available: true, explanation: 'TLS_TX accepted' });
        } else {
          const why =
            c.name.startsWith('SM4') || c.name.startsWith('ARIA')
              ? ` (Debian builds neither CONFIG_CRYPTO_SM4 nor CONFIG_CRYPTO_ARIA${c.name.startsWith('ARIA') && version === 0x0304 ? '; ARIA is TLS 1.2 only' : ''})`
              : '';
          tlsTx.push({
            ...base,
            available: false,
            errno: r,
            explanation: `TLS_TX refused with ${r}${why}`,
          });
        }
      }
    }
    const r = withUlpPair((cl) => {
      cl.setCryptoInfoRaw('tx', rawCryptoInfo(0x0304, 51, 0));
      cl.setCryptoInfoRaw('tx', rawCryptoInfo(0x0304, 51, 1));
    });
    rekey =
      r === null
        ? { available: true, explanation: 'a second TLS_TX on TLS 1.3 is a rekey (Linux 6.14+)' }
        : {
            available: false,
            errno: r,
            explanation: `a second TLS_TX on TLS 1.3 gave ${r}: no TLS 1.3 rekey (kernels before 6.14); a peer KeyUpdate cannot be followed`,
          };
    if (!rekey.available) missing.push(`TLS 1.3 rekey: ${rekey.explanation}`);
    const m = withUlpPair((cl) => {
      cl.setCryptoInfoRaw('tx', rawCryptoInfo(0x0303, 51, 0));
      const v = new Uint8Array([128, 0]);
      native((b) => b.setsockopt(cl.fd, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, v));
    });
    maxPayloadLen =
      m === null
        ? { available: true, explanation: 'TLS_TX_MAX_PAYLOAD_LEN accepted' }
        : {
            available: false,
            errno: m,
            explanation: `setsockopt(SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN) gave ${m}: the option is newer than this kernel`,
          };
  }
  return {
    addon: { available: true, explanation: `loaded ${loaded.path}` },
    kernel,
    afAlg,
    aead,
    tlsUlp,
    tlsTx,
    rekey,
    maxPayloadLen,
    userspaceEngine: userspaceEngine(),
    missing,
  };
}

/** Runs `fn` on the client of a fresh pair with the ULP attached; returns null or the errno. */
function withUlpPair(fn: (client: KtlsSocket) => void): string | null {
  const [c, s] = KtlsSocket.pair(1000);
  try {
    c.attachUlp();
    fn(c);
    return null;
  } catch (error) {
    return errnoOf(error);
  } finally {
    c.close();
    s.close();
  }
}

/** Human-readable report (what `ktls-lab probe` prints). */
export function formatProbe(p: ProbeResult): string {
  const mark = (s: FeatureStatus) => (s.available ? 'yes' : `no  (${s.explanation})`);
  const lines = [
    `kernel:        ${p.kernel ?? 'unknown'}`,
    `addon:         ${p.addon.available ? 'loaded' : mark(p.addon)}`,
    `AF_ALG:        ${mark(p.afAlg)}`,
    ...Object.entries(p.aead).map(([n, s]) => `  ${n.padEnd(28)} ${mark(s)}`),
    `TLS ULP:       ${mark(p.tlsUlp)}`,
    ...p.tlsTx.map(
      (c) =>
        `  TLS_TX ${c.version} ${c.cipher.padEnd(18)} ${c.available ? 'yes' : `no  (${c.explanation})`}`,
    ),
    `TLS 1.3 rekey: ${mark(p.rekey)}`,
    `max payload:   ${mark(p.maxPayloadLen)}`,
    `record layer:  ${p.userspaceEngine.name} (${p.userspaceEngine.explanation})`,
  ];
  if (p.missing.length > 0) lines.push('missing:', ...p.missing.map((m) => `  - ${m}`));
  return lines.join('\n');
}
