import { concat } from './bytes.js';
import { RecordLayerError } from './errors.js';
import type { AeadAlgorithm } from './suites.js';

/**
 * A key imported into an engine. Engines keep their own key schedule (an AES key expansion, an
 * AF_ALG op socket) behind it; the record layer only ever sees the handle and its fingerprint.
 */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  /** SHA-256 of the key bytes, first 8 bytes in hex: what traces and logs show instead of a key. */
  readonly fingerprint: string;
}

export interface SealRequest {
  readonly key: AeadKey;
  /** The full 12-byte per-record nonce (RFC 5116 §3.2). */
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  readonly plaintext: Uint8Array;
  /**
   * Bytes sealed right after `plaintext`, as if appended to it: the TLS 1.3 inner content type
   * (RFC 8446 §5.2 `TLSInnerPlaintext`), passed apart so a 16 KiB record is not copied to add one
   * byte. Every engine must seal `plaintext || trailer`; `sealPlaintext` joins them for engines
   * that want one buffer.
   */
  readonly trailer?: Uint8Array | undefined;
  /**
   * Bytes to place in front of the output in the same buffer (the record header and explicit
   * nonce), so the record leaves the engine whole instead of being copied once more.
   */
  readonly prefix?: Uint8Array;
}

export interface OpenRequest {
  readonly key: AeadKey;
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  /** Ciphertext followed by the 16-byte tag. */
  readonly ciphertext: Uint8Array;
}

/**
 * The crypto the record layer runs outside its pure `step`: node:crypto, the simulator's model
 * engine, AF_ALG, or anything else that passes the same known-answer tests.
 */
export interface AeadEngine {
  readonly name: string;
  /** Throws a `RecordLayerError('invalid_argument')` for a key of the wrong length. */
  importKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey;
  /** Returns (prefix ||) ciphertext || tag. */
  seal(request: SealRequest): Uint8Array;
  /** Returns the plaintext, or `null` when authentication fails (never throws for a forgery). */
  open(request: OpenRequest): Uint8Array | null;
}

/** What a seal request seals, in one buffer: `plaintext || trailer` (a copy only with a trailer). */
export function sealPlaintext(request: SealRequest): Uint8Array {
  const { plaintext, trailer } = request;
  return trailer === undefined || trailer.length === 0 ? plaintext : concat([plaintext, trailer]);
}

/** Every AEAD the record layer runs takes a 12-byte nonce and makes a 16-byte tag (RFC 5116 §3.2). */
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;

export const AEAD_KEY_LENGTH: { readonly [A in AeadAlgorithm]: number } = {
  'aes-128-gcm': 16,
  'aes-128-ccm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};

/** What every engine's `importKey` checks first: a known algorithm and a key of its length. */
export function checkAeadKey(algorithm: AeadAlgorithm, key: Uint8Array): void {
  const want = AEAD_KEY_LENGTH[algorithm];
  if (want === undefined) {
    throw RecordLayerError.of('invalid_argument', `unknown AEAD algorithm ${String(algorithm)}`);
  }
  if (key.length !== want) {
    throw RecordLayerError.of(
      'invalid_argument',
      `${algorithm} key must be ${want} bytes, got ${key.length}`,
    );
  }
}

/** What every engine's `seal`/`open` checks of the nonce. */
export function checkAeadNonce(nonce: Uint8Array): void {
  if (nonce.length !== AEAD_NONCE_LENGTH) {
    throw RecordLayerError.of(
      'invalid_argument',
      `nonce must be ${AEAD_NONCE_LENGTH} bytes, got ${nonce.length}`,
    );
  }
}
