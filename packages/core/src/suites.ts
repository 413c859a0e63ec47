import { RecordLayerError } from './errors.js';
import { TLS_1_2, TLS_1_3, type TlsVersion } from './protocol.js';

/** The AEAD algorithms the record layer seals and opens with (all with a 16-byte tag). */
export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'aes-128-ccm' | 'chacha20-poly1305';

/** Kernel `TLS_CIPHER_*` values from include/uapi/linux/tls.h. */
export const KernelCipher = {
  aes_gcm_128: 51,
  aes_gcm_256: 52,
  aes_ccm_128: 53,
  chacha20_poly1305: 54,
} as const;

export type SuiteName =
  | 'TLS_AES_128_GCM_SHA256'
  | 'TLS_AES_256_GCM_SHA384'
  | 'TLS_AES_128_CCM_SHA256'
  | 'TLS_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM'
  | 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_RSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_RSA_WITH_AES_128_CCM'
  | 'TLS_DHE_RSA_WITH_AES_128_CCM';

/**
 * One cipher suite as the data plane sees it: the AEAD, the key/IV sizes, and how the kernel's
 * `tls12_crypto_info_*` splits the IV into `salt` and `iv` (docs/kernel-tls.md §2, §8).
 */
export interface CipherSuite {
  readonly name: SuiteName;
  /** IANA code point (RFC 8446 §B.4, RFC 5288, RFC 6655, RFC 7905). */
  readonly code: number;
  readonly version: TlsVersion;
  readonly aead: AeadAlgorithm;
  /** Hash of the TLS 1.3 key schedule / TLS 1.2 PRF. */
  readonly hash: 'sha256' | 'sha384';
  readonly kernelCipher: number;
  /** Kernel crypto API name (`tls_cipher_desc[].cipher_name`), as AF_ALG binds it. */
  readonly kernelAlg: 'gcm(aes)' | 'ccm(aes)' | 'rfc7539(chacha20,poly1305)';
  readonly keyLength: 16 | 32;
  /** Full 12-byte AEAD nonce length (RFC 5116 N_MIN for all four). */
  readonly nonceLength: 12;
  /** Kernel `salt` size: the implicit part of the nonce (4 for GCM/CCM, 0 for ChaCha20). */
  readonly saltLength: 0 | 4;
  /** Kernel `iv` size (8, or 12 for ChaCha20). */
  readonly kernelIvLength: 8 | 12;
  /** TLS 1.2 explicit nonce carried on the wire after the header (8 for GCM/CCM, 0 for ChaCha20, RFC 7905). */
  readonly explicitNonceLength: 0 | 8;
  readonly tagLength: 16;
}

function tls13(
  name: SuiteName,
  code: number,
  aead: AeadAlgorithm,
  hash: 'sha256' | 'sha384',
): CipherSuite {
  const chacha = aead === 'chacha20-poly1305';
  return {
    name,
    code,
    version: TLS_1_3,
    aead,
    hash,
    kernelCipher: kernelCipherOf(aead),
    kernelAlg: kernelAlgOf(aead),
    keyLength: aead === 'aes-128-gcm' || aead === 'aes-128-ccm' ? 16 : 32,
    nonceLength: 12,
    saltLength: chacha ? 0 : 4,
    kernelIvLength: chacha ? 12 : 8,
    // RFC 8446 §5.3: no explicit nonce in TLS 1.3.
    explicitNonceLength: 0,
    tagLength: 16,
  };
}

function tls12(
  name: SuiteName,
  code: number,
  aead: AeadAlgorithm,
  hash: 'sha256' | 'sha384',
): CipherSuite {
  const base = tls13(name, code, aead, hash);
  // RFC 5288 §3 / RFC 6655 §3: 4-byte salt + 8-byte explicit nonce; RFC 7905 §2: none for ChaCha20.
  return { ...base, version: TLS_1_2, explicitNonceLength: aead === 'chacha20-poly1305' ? 0 : 8 };
}

function kernelCipherOf(aead: AeadAlgorithm): number {
  switch (aead) {
    case 'aes-128-gcm':
      return KernelCipher.aes_gcm_128;
    case 'aes-256-gcm':
      return KernelCipher.aes_gcm_256;
    case 'aes-128-ccm':
      return KernelCipher.aes_ccm_128;
    case 'chacha20-poly1305':
      return KernelCipher.chacha20_poly1305;
  }
}

function kernelAlgOf(aead: AeadAlgorithm): CipherSuite['kernelAlg'] {
  if (aead === 'aes-128-ccm') return 'ccm(aes)';
  if (aead === 'chacha20-poly1305') return 'rfc7539(chacha20,poly1305)';
  return 'gcm(aes)';
}

export const SUITES: readonly CipherSuite[] = [
  tls13('TLS_AES_128_GCM_SHA256', 0x1301, 'aes-128-gcm', 'sha256'),
  tls13('TLS_AES_256_GCM_SHA384', 0x1302, 'aes-256-gcm', 'sha384'),
  tls13('TLS_CHACHA20_POLY1305_SHA256', 0x1303, 'chacha20-poly1305', 'sha256'),
  tls13('TLS_AES_128_CCM_SHA256', 0x1304, 'aes-128-ccm', 'sha256'),
  tls12('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 0xc02f, 'aes-128-gcm', 'sha256'),
  tls12('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 0xc030, 'aes-256-gcm', 'sha384'),
  tls12('TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 0xc0ac, 'aes-128-ccm', 'sha256'),
  tls12('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca8, 'chacha20-poly1305', 'sha256'),
];

/**
 * The same four AEADs under the other TLS 1.2 key exchanges (RFC 5289, RFC 5288, RFC 7905,
 * RFC 6655). The data plane sees only the AEAD, so their records are those of the suite in
 * `SUITES` with the same AEAD (and the kernel's crypto_info cannot tell them apart); the decoder
 * and a control plane look a session up by the code its ServerHello carries.
 */
export const TLS12_KEY_EXCHANGE_VARIANTS: readonly CipherSuite[] = [
  tls12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 0xc02b, 'aes-128-gcm', 'sha256'),
  tls12('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 0xc02c, 'aes-256-gcm', 'sha384'),
  tls12('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca9, 'chacha20-poly1305', 'sha256'),
  tls12('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 0x009e, 'aes-128-gcm', 'sha256'),
  tls12('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 0x009f, 'aes-256-gcm', 'sha384'),
  tls12('TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 0xccaa, 'chacha20-poly1305', 'sha256'),
  tls12('TLS_RSA_WITH_AES_128_GCM_SHA256', 0x009c, 'aes-128-gcm', 'sha256'),
  tls12('TLS_RSA_WITH_AES_256_GCM_SHA384', 0x009d, 'aes-256-gcm', 'sha384'),
  tls12('TLS_RSA_WITH_AES_128_CCM', 0xc09c, 'aes-128-ccm', 'sha256'),
  tls12('TLS_DHE_RSA_WITH_AES_128_CCM', 0xc09e, 'aes-128-ccm', 'sha256'),
];

export function suiteByName(name: SuiteName): CipherSuite {
  return KNOWN_SUITES.find((s) => s.name === name)!;
}

/**
 * The suite of a given version and AEAD; TLS 1.2 suites differ only in key exchange, which the
 * data plane ignores: the first listed (ECDHE_RSA) stands for them all.
 */
export function suiteFor(version: TlsVersion, aead: AeadAlgorithm): CipherSuite {
  return SUITES.find((s) => s.version === version && s.aead === aead)!;
}

/** Every suite this project knows by name or IANA code: `SUITES` and their TLS 1.2 variants. */
export const KNOWN_SUITES: readonly CipherSuite[] = [...SUITES, ...TLS12_KEY_EXCHANGE_VARIANTS];

export function findSuite(nameOrCode: string | number): CipherSuite | undefined {
  return KNOWN_SUITES.find((s) => s.name === nameOrCode || s.code === nameOrCode);
}

/** Bytes the record adds to its plaintext (`prot->overhead_size`, docs/kernel-tls.md §8). */
export function recordOverhead(suite: CipherSuite): number {
  return 5 + suite.explicitNonceLength + suite.tagLength + (suite.version === TLS_1_3 ? 1 : 0);
}

/** A suite as a caller may name it: the object, its IANA name, or its IANA code. */
export type SuiteRef = CipherSuite | SuiteName | number;

/**
 * The suite a caller named, or a typed error (EINVAL) that lists the suites this project knows.
 * An object is taken by its name, so a copy that went through JSON resolves to the definition.
 */
export function resolveSuite(ref: SuiteRef): CipherSuite {
  const key: unknown = typeof ref === 'object' && ref !== null ? ref.name : ref;
  const found = typeof key === 'string' || typeof key === 'number' ? findSuite(key) : undefined;
  if (found) return found;
  throw RecordLayerError.of(
    'invalid_argument',
    `unknown cipher suite ${JSON.stringify(key) ?? String(key)}; known: ${KNOWN_SUITES.map((s) => s.name).join(', ')}`,
  );
}
