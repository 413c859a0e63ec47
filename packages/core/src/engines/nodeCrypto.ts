import type {
  CipherCCMOptions,
  CipherChaCha20Poly1305,
  CipherGCM,
  CipherGCMOptions,
  DecipherChaCha20Poly1305,
  DecipherGCM,
  KeyObject,
} from 'node:crypto';
import {
  type AeadEngine,
  type AeadKey,
  AEAD_TAG_LENGTH as TAG_LENGTH,
  checkAeadKey,
  checkAeadNonce,
  type OpenRequest,
  type SealRequest,
  sealPlaintext,
} from '../aead.js';
import { keyFingerprint } from '../cryptoState.js';
import { RecordLayerError } from '../errors.js';
import type { AeadAlgorithm } from '../suites.js';

/**
 * node:crypto, reached through `process.getBuiltinModule` (Node ≥ 20.16) rather than an import:
 * this module then loads anywhere (a browser bundle sees no `node:` import), and the engine is
 * there exactly where node:crypto is. `nodeCryptoAvailable()` says which.
 */
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;

/** Whether node:crypto is there (Node.js, Deno and Bun have it; a browser does not). */
export function nodeCryptoAvailable(): boolean {
  return nodeCrypto !== undefined;
}

type NodeCryptoCalls = Pick<
  typeof import('node:crypto'),
  'createCipheriv' | 'createDecipheriv' | 'createSecretKey'
>;

function missing(): never {
  throw RecordLayerError.of(
    'invalid_argument',
    'NodeCryptoAeadEngine needs node:crypto, which this runtime does not have',
  );
}

const { createCipheriv, createDecipheriv, createSecretKey }: NodeCryptoCalls =
  nodeCrypto ??
  ({
    createCipheriv: missing,
    createDecipheriv: missing,
    createSecretKey: missing,
  } as unknown as NodeCryptoCalls);

/**
 * The real AEADs, through node:crypto (OpenSSL): AES-GCM (NIST SP 800-38D), AES-CCM (SP 800-38C)
 * and ChaCha20-Poly1305 (RFC 8439), all with 12-byte nonces and 16-byte tags as TLS uses them.
 * Node-only; reached through `@ktls-lab/core/node`.
 *
 * node:crypto has no one-shot AEAD call, so every record costs one cipher object; the rest is
 * kept to the minimum: no copies of the input, one output allocation per seal, and the plaintext
 * of an open is the buffer `update()` returned.
 */

/**
 * A zero-length input for CCM that is a view into a non-empty buffer. Node hands OpenSSL a NULL
 * data pointer for a view over a zero-byte ArrayBuffer (`new Uint8Array(0)`, `TextEncoder` of ''),
 * and OpenSSL's CCM reads `EVP_CipherUpdate(ctx, NULL, ..., NULL, len)` as "set the message
 * length", not as the message: the tag is never computed and final() fails with "tag not set".
 * Empty records are legal and the kernel selftest zero_len sends them (docs/kernel-tls.md §10.3).
 */
const EMPTY_INPUT = new Uint8Array(16).subarray(0, 0);

/**
 * Contents from this size on are sealed in two update() calls instead of copied (see `seal`):
 * a second call costs a native round trip and an output Buffer, more than copying a few KiB into
 * the slab (`alloc`), less than a fresh ArrayBuffer and a 16 KiB copy.
 */
const SPLIT_AT = 4096;

/** Shared, never mutated: saves an allocation per call (ChaCha20-Poly1305 takes the same shape). */
const GCM_OPTIONS: CipherGCMOptions = { authTagLength: TAG_LENGTH };

/** Reads a handle's private key; assigned in NodeCryptoKey's static block, never exported. */
let rawOf: (key: NodeCryptoKey) => KeyObject;

/** The key handle: the raw key lives in a private field, invisible to JSON and inspection. */
class NodeCryptoKey implements AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly fingerprint: string;
  readonly #key: KeyObject;
  constructor(algorithm: AeadAlgorithm, key: Uint8Array) {
    this.algorithm = algorithm;
    this.fingerprint = keyFingerprint(key);
    // A private copy that later writes to the caller's array cannot change; as a KeyObject,
    // createCipheriv takes it without converting key bytes on every record.
    this.#key = createSecretKey(key);
    // Frozen: the engine trusts `algorithm` to pick the cipher for the private key.
    Object.freeze(this);
  }
  static {
    rawOf = (key) => key.#key;
  }
}

function rawKey(key: AeadKey): KeyObject {
  if (!(key instanceof NodeCryptoKey)) {
    throw RecordLayerError.of('invalid_argument', 'key was not imported by a NodeCryptoAeadEngine');
  }
  return rawOf(key);
}

export class NodeCryptoAeadEngine implements AeadEngine {
  readonly name = 'node:crypto';

  constructor() {
    // Refused here rather than at the first record: the caller learns at once.
    if (nodeCrypto === undefined) missing();
  }

  importKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    checkAeadKey(algorithm, key);
    return new NodeCryptoKey(algorithm, key);
  }

  seal(request: SealRequest): Uint8Array {
    const { key, nonce, aad } = request;
    const k = rawKey(key);
    checkAeadNonce(nonce);
    const alg = key.algorithm;
    const trailer = request.trailer;
    // A large content is sealed in two update() calls rather than copied to append a trailer
    // byte (TLS 1.3 inner type); below the threshold one copy into the slab costs less than a
    // second call. CCM takes exactly one update() (it needs the length up front).
    const split =
      trailer !== undefined &&
      trailer.length > 0 &&
      alg !== 'aes-128-ccm' &&
      request.plaintext.length >= SPLIT_AT;
    const plaintext = split ? request.plaintext : sealPlaintext(request);
    let body: Buffer;
    let tail: Buffer | null = null;
    let tag: Buffer;
    if (alg === 'aes-128-ccm') {
      // CCM (SP 800-38C) needs the message length before the AAD: it goes into block B0.
      const cipher = createCipheriv(alg, k, nonce, ccmOptions());
      cipher.setAAD(aad, { plaintextLength: plaintext.length });
      body = cipher.update(plaintext.length === 0 ? EMPTY_INPUT : plaintext);
      cipher.final();
      tag = cipher.getAuthTag();
    } else {
      const cipher: CipherGCM | CipherChaCha20Poly1305 =
        alg === 'chacha20-poly1305'
          ? createCipheriv(alg, k, nonce, GCM_OPTIONS)
          : createCipheriv(alg, k, nonce, GCM_OPTIONS);
      const total = plaintext.length + (split ? trailer.length : 0);
      // plaintextLength is ignored by GCM; @types/node wants it for ChaCha20-Poly1305.
      if (aad.length > 0) cipher.setAAD(aad, { plaintextLength: total });
      body = cipher.update(plaintext);
      if (split) tail = cipher.update(trailer);
      cipher.final();
      tag = cipher.getAuthTag();
    }
    // One allocation and the copies into it: update() cannot write into a caller's buffer.
    const prefix = request.prefix ?? EMPTY_INPUT;
    const parts = tail === null ? [prefix, body, tag] : [prefix, body, tail, tag];
    return Buffer.concat(parts, prefix.length + body.length + (tail?.length ?? 0) + TAG_LENGTH);
  }

  open(request: OpenRequest): Uint8Array | null {
    const { key, nonce, aad, ciphertext } = request;
    const k = rawKey(key);
    checkAeadNonce(nonce);
    // Shorter than a tag cannot be a record this key sealed: a forgery, not a caller error.
    if (ciphertext.length < TAG_LENGTH) return null;
    const len = ciphertext.length - TAG_LENGTH;
    const body = ciphertext.subarray(0, len);
    const tag = ciphertext.subarray(len);
    const alg = key.algorithm;
    try {
      if (alg === 'aes-128-ccm') {
        // CCM verifies inside update() and wants the tag first (RFC 3610 §2.6: release nothing
        // unverified); final() then throws if it did not match.
        const decipher = createDecipheriv(alg, k, nonce, ccmOptions());
        decipher.setAuthTag(tag);
        decipher.setAAD(aad, { plaintextLength: len });
        const plain = decipher.update(len === 0 ? EMPTY_INPUT : body);
        decipher.final();
        return plain;
      }
      const decipher: DecipherGCM | DecipherChaCha20Poly1305 =
        alg === 'chacha20-poly1305'
          ? createDecipheriv(alg, k, nonce, GCM_OPTIONS)
          : createDecipheriv(alg, k, nonce, GCM_OPTIONS);
      decipher.setAuthTag(tag);
      if (aad.length > 0) decipher.setAAD(aad, { plaintextLength: len });
      const plain = decipher.update(body);
      // Throws "Unsupported state or unable to authenticate data" on a bad tag.
      decipher.final();
      return plain;
    } catch {
      return null;
    }
  }
}

function ccmOptions(): CipherCCMOptions {
  return { authTagLength: TAG_LENGTH };
}
