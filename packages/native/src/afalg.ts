import {
  AEAD_TAG_LENGTH as TAG_LENGTH,
  type AeadAlgorithm,
  type AeadEngine,
  type AeadKey,
  checkAeadKey,
  checkAeadNonce,
  keyFingerprint,
  type OpenRequest,
  RecordLayerError,
  type SealRequest,
  sealPlaintext,
} from '@ktls-lab/core';
import type { NativeAeadKey } from './binding.js';
import { native, toTypedError } from './errors.js';

/** The kernel crypto API name AF_ALG binds for each AEAD (`tls_cipher_desc[].cipher_name`). */
export const AF_ALG_NAMES: { readonly [A in AeadAlgorithm]: string } = {
  'aes-128-gcm': 'gcm(aes)',
  'aes-256-gcm': 'gcm(aes)',
  'aes-128-ccm': 'ccm(aes)',
  'chacha20-poly1305': 'rfc7539(chacha20,poly1305)',
};

/**
 * The IV the kernel's AEAD takes for a 12-byte TLS nonce. gcm(aes) and rfc7539 take the nonce as
 * is. ccm(aes) takes the 16-byte counter block: flags byte L' = L - 1 = 2 (a 3-byte length field,
 * 15 - 12), the nonce, and a zero counter; crypto/ccm.c checks 1 <= iv[0] <= 7 — the same layout
 * kernel TLS builds (`TLS_AES_CCM_IV_B0_BYTE`, docs/kernel-tls.md §8).
 */
function kernelIv(algorithm: AeadAlgorithm, nonce: Uint8Array): Uint8Array {
  checkAeadNonce(nonce);
  if (algorithm !== 'aes-128-ccm') return nonce;
  const iv = new Uint8Array(16);
  iv[0] = 2;
  iv.set(nonce, 1);
  return iv;
}

let handleOf: (key: AfAlgKey) => NativeAeadKey;

/** A key held by the kernel: the JS object holds only the socket handle and the fingerprint. */
class AfAlgKey implements AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly fingerprint: string;
  readonly #handle: NativeAeadKey;
  constructor(algorithm: AeadAlgorithm, fingerprint: string, handle: NativeAeadKey) {
    this.algorithm = algorithm;
    this.fingerprint = fingerprint;
    this.#handle = handle;
    Object.freeze(this);
  }
  static {
    handleOf = (key) => key.#handle;
  }
}

function handle(key: AeadKey): NativeAeadKey {
  if (!(key instanceof AfAlgKey)) {
    throw RecordLayerError.of('invalid_argument', 'key was not imported by an AfAlgAeadEngine');
  }
  const h = handleOf(key);
  if (h.closed) throw RecordLayerError.of('invalid_argument', 'key was closed');
  return h;
}

/**
 * core's `AeadEngine` on the kernel's AF_ALG AEAD sockets (crypto/algif_aead.c): `gcm(aes)`
 * (128/256), `ccm(aes)`, `rfc7539(chacha20,poly1305)`. One transform socket and one op socket per
 * imported key, reused for every record. `seal`/`open` are synchronous syscalls on the calling
 * thread; `sealAsync`/`openAsync` run the same syscalls on the libuv thread pool.
 *
 * On a kernel without AF_ALG `importKey` throws `NativeSyscallError` (`EAFNOSUPPORT` from
 * socket(), `ENOENT` from bind() when algif_aead or the algorithm is missing); a caller's policy
 * can then punt to the userspace engine. `close()` closes every key's sockets: the kernel frees the
 * key schedule with kfree_sensitive, and no copy of a key was ever kept in this process by the
 * engine (the import hands the caller's bytes to setsockopt(ALG_SET_KEY) directly).
 */
export class AfAlgAeadEngine implements AeadEngine {
  readonly name = 'af_alg';
  readonly #keys = new Set<NativeAeadKey>();

  importKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    checkAeadKey(algorithm, key);
    const ivLength = algorithm === 'aes-128-ccm' ? 16 : 12;
    const h = native((b) => new b.AeadKey(AF_ALG_NAMES[algorithm], key, TAG_LENGTH, ivLength));
    this.#keys.add(h);
    return new AfAlgKey(algorithm, keyFingerprint(key), h);
  }

  seal(request: SealRequest): Uint8Array {
    const h = handle(request.key);
    const iv = kernelIv(request.key.algorithm, request.nonce);
    const prefix = request.prefix;
    try {
      const out = h.seal(iv, request.aad, sealPlaintext(request), prefix?.length ?? 0);
      if (prefix !== undefined && prefix.length > 0) out.set(prefix, 0);
      return out;
    } catch (error) {
      throw toTypedError(error);
    }
  }

  open(request: OpenRequest): Uint8Array | null {
    const h = handle(request.key);
    const iv = kernelIv(request.key.algorithm, request.nonce);
    try {
      return h.open(iv, request.aad, request.ciphertext);
    } catch (error) {
      throw toTypedError(error);
    }
  }

  /** `seal` on the libuv thread pool; requests on one key run one at a time, in order. */
  async sealAsync(request: SealRequest): Promise<Uint8Array> {
    const h = handle(request.key);
    const iv = kernelIv(request.key.algorithm, request.nonce);
    const prefix = request.prefix;
    try {
      const out = await h.sealAsync(iv, request.aad, sealPlaintext(request), prefix?.length ?? 0);
      if (prefix !== undefined && prefix.length > 0) out.set(prefix, 0);
      return out;
    } catch (error) {
      throw toTypedError(error);
    }
  }

  /** `open` on the libuv thread pool; `null` when the tag does not verify. */
  async openAsync(request: OpenRequest): Promise<Uint8Array | null> {
    const h = handle(request.key);
    const iv = kernelIv(request.key.algorithm, request.nonce);
    try {
      return await h.openAsync(iv, request.aad, request.ciphertext);
    } catch (error) {
      throw toTypedError(error);
    }
  }

  /** Closes one key's sockets. */
  closeKey(key: AeadKey): void {
    if (!(key instanceof AfAlgKey)) return;
    const h = handleOf(key);
    h.close();
    this.#keys.delete(h);
  }

  /** Closes the sockets of every key this engine imported. */
  close(): void {
    for (const h of this.#keys) h.close();
    this.#keys.clear();
  }

  /** Keys still open (for leak checks). */
  get openKeys(): number {
    return this.#keys.size;
  }
}
