// Crypto state for one direction, 1:1 with the kernel's tls12_crypto_info_*
// (docs/kernel-tls.md §2).
import type { Bytes } from './bytes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { MAX_U64, readU64be, toHex, u64be } from './bytes.js';
import { RecordLayerError } from './errors.js';
import { deriveTrafficKeys } from './keySchedule.js';
import { TLS_1_2, TLS_1_3, type TlsVersion } from './protocol.js';
import {
  type AeadAlgorithm,
  type CipherSuite,
  KernelCipher,
  KNOWN_SUITES,
  resolveSuite,
  type SuiteRef,
  suiteFor,
} from './suites.js';

/**
 * The state of one direction exactly as the kernel's `struct tls12_crypto_info_<cipher>` holds it
 * (include/uapi/linux/tls.h; docs/kernel-tls.md §2): what `setsockopt(SOL_TLS, TLS_TX/TLS_RX)`
 * takes and `getsockopt` gives back ("get the state out, use it, reset it").
 */
export interface CryptoState {
  readonly version: TlsVersion;
  readonly suite: CipherSuite;
  readonly key: Uint8Array;
  /** 4-byte implicit nonce (GCM/CCM), empty for ChaCha20. TLS 1.3: the first 4 bytes of the static IV. */
  readonly salt: Uint8Array;
  /**
   * Kernel `iv`: TLS 1.2 GCM/CCM: the next explicit nonce (8 bytes, advances per record on TX);
   * TLS 1.3: the last 8 bytes of the static IV; ChaCha20: all 12 bytes of the static IV.
   */
  readonly iv: Uint8Array;
  /** Sequence number of the NEXT record (`rec_seq`, big-endian on the wire of the struct). */
  readonly recSeq: bigint;
}

/** `struct tls_crypto_info` is two __u16: version, cipher_type. */
const INFO_SIZE = 4;
/** `TLS_CIPHER_*_REC_SEQ_SIZE` is 8 for every cipher. */
const REC_SEQ_SIZE = 8;

const ALGORITHM_BY_KERNEL_CIPHER: ReadonlyMap<number, AeadAlgorithm> = new Map([
  [KernelCipher.aes_gcm_128, 'aes-128-gcm'],
  [KernelCipher.aes_gcm_256, 'aes-256-gcm'],
  [KernelCipher.aes_ccm_128, 'aes-128-ccm'],
  [KernelCipher.chacha20_poly1305, 'chacha20-poly1305'],
]);

/**
 * `sizeof(struct tls12_crypto_info_<cipher>)`: info, iv, key, salt, rec_seq, all byte arrays after
 * a 4-byte header, so there is no padding: 40 for AES-128 GCM/CCM, 56 for AES-256-GCM and
 * ChaCha20-Poly1305 (docs/kernel-tls.md §2). The kernel insists on exactly this optlen (`-EINVAL`
 * else).
 */
function structSize(suite: CipherSuite): number {
  return INFO_SIZE + suite.kernelIvLength + suite.keyLength + suite.saltLength + REC_SEQ_SIZE;
}

function invalid(message: string): RecordLayerError {
  return RecordLayerError.of('invalid_argument', message);
}

/** Checks lengths and version; returns a RecordError message or null. */
export function validateCryptoState(state: CryptoState): string | null {
  if (state.version !== TLS_1_2 && state.version !== TLS_1_3) {
    return `unsupported TLS version 0x${Number(state.version).toString(16).padStart(4, '0')}`;
  }
  // Match by name, not identity: a state that went through JSON (a trace, a freeze) holds a copy.
  const name = state.suite?.name;
  const suite = KNOWN_SUITES.find((s) => s.name === name);
  if (suite === undefined) return `unknown cipher suite ${String(name)}`;
  if (suite.kernelCipher !== state.suite.kernelCipher || suite.aead !== state.suite.aead) {
    return `suite ${suite.name} does not match its definition`;
  }
  if (suite.version !== state.version) {
    return `suite ${suite.name} is not a suite of version 0x${state.version.toString(16)}`;
  }
  if (state.key.length !== suite.keyLength) {
    return `${suite.name}: key must be ${suite.keyLength} bytes, got ${state.key.length}`;
  }
  if (state.salt.length !== suite.saltLength) {
    return `${suite.name}: salt must be ${suite.saltLength} bytes, got ${state.salt.length}`;
  }
  if (state.iv.length !== suite.kernelIvLength) {
    return `${suite.name}: iv must be ${suite.kernelIvLength} bytes, got ${state.iv.length}`;
  }
  if (typeof state.recSeq !== 'bigint' || state.recSeq < 0n || state.recSeq > MAX_U64) {
    return `rec_seq ${String(state.recSeq)} is not a 64-bit unsigned integer`;
  }
  return null;
}

function assertValid(state: CryptoState): void {
  const problem = validateCryptoState(state);
  if (problem !== null) throw invalid(problem);
}

/** Exact bytes of `struct tls12_crypto_info_*` (version/cipher_type in host = little-endian order). */
export function cryptoStateToKernel(state: CryptoState): Bytes {
  assertValid(state);
  // The canonical suite, so the layout never depends on a caller's (possibly copied) object.
  const suite = suiteFor(state.version, state.suite.aead);
  const out = new Uint8Array(structSize(suite));
  const view = new DataView(out.buffer);
  // `struct tls_crypto_info` holds plain __u16s in host byte order; every kTLS host that matters
  // (x86-64, arm64) is little-endian, so the struct is pinned to LE here rather than to the
  // machine running this code (a browser on a big-endian host must still produce kernel bytes).
  view.setUint16(0, state.version, true);
  view.setUint16(2, suite.kernelCipher, true);
  let off = INFO_SIZE;
  out.set(state.iv, off);
  off += suite.kernelIvLength;
  out.set(state.key, off);
  off += suite.keyLength;
  out.set(state.salt, off);
  off += suite.saltLength;
  // rec_seq is a byte array the kernel increments as a big-endian number (tls_bigint_increment).
  out.set(u64be(state.recSeq), off);
  return out;
}

/** Parses the struct bytes back; typed `RecordLayerError('invalid_argument')` on a bad length/cipher/version. */
export function cryptoStateFromKernel(bytes: Uint8Array): CryptoState {
  if (bytes.length < INFO_SIZE) {
    throw invalid(`crypto_info too short: ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(0, true);
  const cipherType = view.getUint16(2, true);
  // Same checks, in the same order, as the kernel's validate_crypto_info / do_tls_setsockopt_conf.
  if (version !== TLS_1_2 && version !== TLS_1_3) {
    throw invalid(`unsupported TLS version 0x${version.toString(16).padStart(4, '0')}`);
  }
  const aead = ALGORITHM_BY_KERNEL_CIPHER.get(cipherType);
  if (aead === undefined) {
    // 55..58 (SM4, ARIA) are valid kernel ciphers, but no suite here runs them.
    throw invalid(`unsupported cipher_type ${cipherType}`);
  }
  const suite = suiteFor(version, aead);
  const size = structSize(suite);
  if (bytes.length !== size) {
    throw invalid(
      `crypto_info for cipher ${cipherType} must be ${size} bytes, got ${bytes.length}`,
    );
  }
  let off = INFO_SIZE;
  // Copies: the state owns its bytes, so later writes to the caller's buffer (a native layer
  // wiping key material) cannot change it. Not `slice()`: on a Node Buffer that is a view.
  const copy = (a: number, b: number) => Uint8Array.prototype.slice.call(bytes, a, b);
  const iv = copy(off, off + suite.kernelIvLength);
  off += suite.kernelIvLength;
  const key = copy(off, off + suite.keyLength);
  off += suite.keyLength;
  const salt = copy(off, off + suite.saltLength);
  off += suite.saltLength;
  const recSeq = readU64be(bytes, off);
  return { version, suite, key, salt, iv, recSeq };
}

/** TLS 1.3: the state for a traffic secret (RFC 8446 §7.3): key and static IV split into salt/iv, recSeq 0. */
export function cryptoStateFromSecret(ref: SuiteRef, secret: Uint8Array): CryptoState {
  const suite = resolveSuite(ref);
  if (suite.version !== TLS_1_3) {
    throw invalid(`${suite.name}: traffic secrets exist only in TLS 1.3 (RFC 8446 §7.3)`);
  }
  const { key, iv } = deriveTrafficKeys(suite, secret);
  // A new traffic secret restarts the sequence number at 0 (RFC 8446 §5.3).
  return splitIv(suite, key, iv, 0n);
}

/** Splits the 12-byte IV the way userspace hands it to the kernel: salt = first 4 bytes, iv = rest. */
function splitIv(
  suite: CipherSuite,
  key: Uint8Array,
  iv12: Uint8Array,
  recSeq: bigint,
): CryptoState {
  const state: CryptoState = {
    version: suite.version,
    suite,
    key: key.slice(),
    salt: iv12.slice(0, suite.saltLength),
    iv: iv12.slice(suite.saltLength),
    recSeq,
  };
  assertValid(state);
  return state;
}

/**
 * TLS 1.2 / any: from key and the full 12-byte IV (salt || explicit start, or static IV).
 *
 * For TLS 1.2 GCM/CCM, `iv12` may also be the 4-byte client/server_write_IV of the key block
 * (RFC 5288 §3, RFC 6655 §3). The explicit nonce is then the sender's choice; it starts at
 * `u64be(recSeq)` here, the common choice that keeps it equal to seq_num as long as both advance
 * together (the kernel increments both per record, docs/kernel-tls.md §8).
 */
export function cryptoStateFromKeyIv(
  ref: SuiteRef,
  key: Uint8Array,
  iv12: Uint8Array,
  recSeq = 0n,
): CryptoState {
  const suite = resolveSuite(ref);
  if (recSeq < 0n || recSeq > MAX_U64) {
    throw invalid(`rec_seq ${recSeq} is not a 64-bit unsigned integer`);
  }
  if (iv12.length === suite.nonceLength) return splitIv(suite, key, iv12, recSeq);
  if (
    iv12.length === suite.saltLength &&
    suite.version === TLS_1_2 &&
    suite.explicitNonceLength === 8
  ) {
    const full = new Uint8Array(suite.nonceLength);
    full.set(iv12, 0);
    full.set(u64be(recSeq), suite.saltLength);
    return splitIv(suite, key, full, recSeq);
  }
  throw invalid(
    `${suite.name}: IV must be ${suite.nonceLength} bytes` +
      (suite.version === TLS_1_2 && suite.explicitNonceLength === 8
        ? ` (or the ${suite.saltLength}-byte fixed IV)`
        : '') +
      `, got ${iv12.length}`,
  );
}

/** Fingerprint of a key: first 8 bytes of SHA-256, hex. */
export function keyFingerprint(key: Uint8Array): string {
  return toHex(sha256(key).subarray(0, 8));
}
