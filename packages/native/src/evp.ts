import {
  AEAD_TAG_LENGTH as TAG_LENGTH,
  type AeadAlgorithm,
  type AeadEngine,
  type AeadEngineProvider,
  type AeadKey,
  checkAeadKey,
  checkAeadNonce,
  keyFingerprint,
  type OpenRequest,
  RecordLayerError,
  type SealRequest,
} from '@ktls-lab/core';
import { loadNative, type NativeEvpAead } from './binding.js';
import { NativeUnavailableError, native, toTypedError } from './errors.js';
import { nativeKeyKind } from './nativeKey.js';

/** The engine's `name`: what trace headers and `ktls-lab probe` show. */
export const EVP_ENGINE_NAME = 'openssl-evp';

/**
 * A batch descriptor: `BATCH_STRIDE` uint32 per record in a `Uint32Array`, offsets and lengths
 * into one arena (native/evp_aead.cc reads the same layout). A seal reads `input` and writes
 * `input length + 16` bytes at `output`; an open reads `input` (ciphertext || tag) and writes
 * `input length - 16` bytes at `output`, then sets `status` (1 opened, 0 did not). `output` may
 * equal `input` (in place); overlapping ranges that are not equal are handled by a copy.
 */
export const BATCH_STRIDE = 8;
export const BatchField = {
  nonce: 0,
  aadOffset: 1,
  aadLength: 2,
  input: 3,
  inputLength: 4,
  output: 5,
  status: 6,
} as const;

/** A key held in two EVP cipher contexts: the JS object holds the handle and the fingerprint. */
const keys = nativeKeyKind<NativeEvpAead>('EvpAeadEngine');
const handle = keys.handleOf;

/** The addon's argument errors (a closed key, a range past the arena) as core's typed error. */
function typed(error: unknown): unknown {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e !== null && typeof e === 'object' && e.code === 'ERR_INVALID_ARG') {
    return RecordLayerError.of('invalid_argument', String(e.message));
  }
  return toTypedError(error);
}

export type EvpAvailability =
  | { readonly ok: true; readonly openssl: string; readonly algorithms: readonly string[] }
  | { readonly ok: false; readonly reason: string };

let availability: EvpAvailability | undefined;

/** Whether the addon loaded with its EVP engine (asked once per process); the reason when not. */
export function evpAvailability(): EvpAvailability {
  if (availability !== undefined) return availability;
  const loaded = loadNative();
  if (!loaded.ok) availability = { ok: false, reason: loaded.message };
  else if (typeof loaded.binding.evpInfo !== 'function') {
    availability = { ok: false, reason: 'the loaded addon predates the EVP engine: rebuild it' };
  } else {
    const info = loaded.binding.evpInfo();
    availability = { ok: true, openssl: info.version, algorithms: info.algorithms };
  }
  return availability;
}

/**
 * core's `AeadEngine` on OpenSSL's EVP, in the addon (native/evp_aead.cc), with the OpenSSL the
 * node binary carries. Per key, one cipher context per direction is set up once (the key schedule)
 * and kept; a record sets only the nonce. `seal`/`open` make one output buffer per record (the
 * interface hands records out); `sealBatch`/`openBatch` seal and open many records of one key in
 * place in a caller's arena with one call into the addon and allocate nothing.
 *
 * Keys: no copy is kept outside the two contexts. `closeKey` frees them at once; a key dropped
 * without it is freed when the GC collects its handle (the addon's finalizer). OpenSSL clears a
 * context's key schedule when it frees it.
 */
export class EvpAeadEngine implements AeadEngine {
  readonly name = EVP_ENGINE_NAME;

  constructor() {
    const a = evpAvailability();
    // Refused here rather than at the first key: a default-engine provider falls back at once.
    if (!a.ok) throw new NativeUnavailableError('load-failed', a.reason);
  }

  importKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    checkAeadKey(algorithm, key);
    let h: NativeEvpAead;
    try {
      h = native((b) => new b.EvpAead(algorithm, key));
    } catch (error) {
      throw typed(error);
    }
    return keys.make(algorithm, keyFingerprint(key), h);
  }

  seal(request: SealRequest): Uint8Array {
    const h = handle(request.key);
    checkAeadNonce(request.nonce);
    const { plaintext, trailer, prefix } = request;
    const pl = prefix === undefined ? 0 : prefix.length;
    const tl = trailer === undefined ? 0 : trailer.length;
    // From Node's pool below 4 KiB; every byte is written (prefix, then ciphertext and tag).
    const out = Buffer.allocUnsafe(pl + plaintext.length + tl + TAG_LENGTH);
    if (prefix !== undefined && pl > 0) out.set(prefix, 0);
    try {
      h.seal(request.nonce, request.aad, plaintext, tl > 0 ? trailer! : null, out, pl);
    } catch (error) {
      throw typed(error);
    }
    return out;
  }

  open(request: OpenRequest): Uint8Array | null {
    const h = handle(request.key);
    checkAeadNonce(request.nonce);
    const { ciphertext } = request;
    // Shorter than a tag cannot be a record this key sealed: a forgery, not a caller error.
    if (ciphertext.length < TAG_LENGTH) return null;
    const out = Buffer.allocUnsafe(ciphertext.length - TAG_LENGTH);
    let opened: boolean;
    try {
      opened = h.open(request.nonce, request.aad, ciphertext, out, 0);
    } catch (error) {
      throw typed(error);
    }
    return opened ? out : null;
  }

  /**
   * Seals `count` records laid out in `arena` by `descriptors` (`BATCH_STRIDE` per record, see
   * `BatchField`), in one call. Every range is checked before any record is touched: a batch
   * with one range past the arena throws and changes nothing.
   */
  sealBatch(key: AeadKey, arena: Uint8Array, descriptors: Uint32Array, count: number): void {
    const h = handle(key);
    try {
      h.sealBatch(arena, descriptors, count);
    } catch (error) {
      throw typed(error);
    }
  }

  /**
   * Opens `count` records in one call; returns how many opened. Each record's `status` says
   * whether it did; the output range of one that did not is wiped (nothing unverified is left).
   */
  openBatch(key: AeadKey, arena: Uint8Array, descriptors: Uint32Array, count: number): number {
    const h = handle(key);
    try {
      return h.openBatch(arena, descriptors, count);
    } catch (error) {
      throw typed(error);
    }
  }

  /** Frees a key's contexts now (OpenSSL clears the key schedule); later use throws. */
  closeKey(key: AeadKey): void {
    keys.peek(key)?.close();
  }
}

/**
 * The provider `@ktls-lab/native` registers with core's `setDefaultAeadEngineProvider` when its
 * addon loads (src/index.ts): record layers created without an engine then use OpenSSL's EVP.
 */
export const evpAeadEngineProvider: AeadEngineProvider = {
  name: EVP_ENGINE_NAME,
  create: () => new EvpAeadEngine(),
};
