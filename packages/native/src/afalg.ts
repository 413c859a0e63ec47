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
import { NativeSyscallError, native, toTypedError } from './errors.js';
import { nativeKeyKind } from './nativeKey.js';

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

const NOTHING = new Uint8Array(0);

/**
 * algif_aead hands its result back through read() as AAD || plaintext (docs/kernel-tls.md §11),
 * so a decrypt of a bare tag under an empty AAD has no byte to hand back: net/socket.c's
 * sock_read_iter answers a zero-length read with 0 without calling recvmsg, so the kernel never
 * checks the tag, and the request left queued on the op socket makes the next one fail with
 * EINVAL. For that one shape the tag is checked here: the AEAD of an empty plaintext under an
 * empty AAD is the tag alone, so it is sealed and compared.
 * (TLS never gets here, its AAD is 13 or 5 bytes; the AEAD conformance suite does.)
 */
function isBareTag(request: OpenRequest): boolean {
  return request.aad.length === 0 && request.ciphertext.length === TAG_LENGTH;
}

/** The expected tag against the record's, in time that does not depend on where they differ. */
function tagOpens(expected: Uint8Array, record: Uint8Array): Uint8Array | null {
  let diff = 0;
  for (let i = 0; i < TAG_LENGTH; i++) diff |= expected[i]! ^ record[i]!;
  return diff === 0 ? new Uint8Array(0) : null;
}

/** Linux's EBADMSG: an AEAD tag that did not verify (include/uapi/asm-generic/errno.h). */
const EBADMSG_NUMBER = 74;

/** What a batch gave: per request its output (null: the tag did not verify), and completion order. */
export interface BatchResult {
  readonly outputs: readonly (Uint8Array | null)[];
  /** Request indexes in the order the kernel completed them. */
  readonly order: readonly number[];
}

/** A key held by the kernel: the JS object holds only the socket handle and the fingerprint. */
const keys = nativeKeyKind<NativeAeadKey>('AfAlgAeadEngine');

function handle(key: AeadKey): NativeAeadKey {
  const h = keys.handleOf(key);
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
  readonly #opSockets: number;

  /**
   * `opSockets`: op sockets accepted per key (default 1); `openBatch`/`sealBatch` put that many
   * requests in flight at once.
   */
  constructor(options: { readonly opSockets?: number } = {}) {
    this.#opSockets = options.opSockets ?? 1;
  }

  importKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    checkAeadKey(algorithm, key);
    const ivLength = algorithm === 'aes-128-ccm' ? 16 : 12;
    const h = native(
      (b) => new b.AeadKey(AF_ALG_NAMES[algorithm], key, TAG_LENGTH, ivLength, this.#opSockets),
    );
    this.#keys.add(h);
    return keys.make(algorithm, keyFingerprint(key), h);
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
      if (isBareTag(request)) return tagOpens(h.seal(iv, NOTHING, NOTHING, 0), request.ciphertext);
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
      if (isBareTag(request)) {
        return tagOpens(await h.sealAsync(iv, NOTHING, NOTHING, 0), request.ciphertext);
      }
      return await h.openAsync(iv, request.aad, request.ciphertext);
    } catch (error) {
      throw toTypedError(error);
    }
  }

  /**
   * Opens several records at once, one in flight per op socket of its key (requests under one key
   * share a batch; a change of key starts the next one). `outputs[i]` is request i's plaintext, or
   * null when its tag did not verify; `order` lists request indexes in the order the kernel
   * completed them.
   */
  openBatch(requests: readonly OpenRequest[]): BatchResult {
    return this.#batch(false, requests, (r) => r.ciphertext);
  }

  /** Seals several records at once (see `openBatch`); `outputs[i]` is ciphertext || tag. */
  sealBatch(requests: readonly SealRequest[]): BatchResult {
    return this.#batch(true, requests, (r) => sealPlaintext(r));
  }

  #batch<R extends OpenRequest | SealRequest>(
    encrypt: boolean,
    requests: readonly R[],
    input: (r: R) => Uint8Array,
  ): BatchResult {
    const outputs: (Uint8Array | null)[] = new Array(requests.length).fill(null);
    const order: number[] = [];
    for (let start = 0; start < requests.length; ) {
      const key = requests[start]!.key;
      let end = start + 1;
      while (end < requests.length && requests[end]!.key === key) end++;
      const group = requests.slice(start, end);
      const h = handle(key);
      let r: ReturnType<NativeAeadKey['batch']>;
      try {
        r = h.batch(
          encrypt,
          group.map((q) => kernelIv(key.algorithm, q.nonce)),
          group.map((q) => q.aad),
          group.map(input),
        );
      } catch (error) {
        throw toTypedError(error);
      }
      for (let i = 0; i < group.length; i++) {
        const errno = r.errnos[i]!;
        // EBADMSG from an open is a forgery (null); anything else is an error of the call.
        if (errno !== 0 && (encrypt || errno !== EBADMSG_NUMBER)) {
          const call = encrypt ? 'AF_ALG encrypt' : 'AF_ALG decrypt';
          throw new NativeSyscallError(
            call,
            native((b) => b.errnoName(errno)),
            errno,
          );
        }
        outputs[start + i] = r.outputs[i] ?? null;
      }
      for (const i of r.order) order.push(start + i);
      start = end;
    }
    return { outputs, order };
  }

  /** Closes one key's sockets. */
  closeKey(key: AeadKey): void {
    const h = keys.peek(key);
    if (h === undefined) return;
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
