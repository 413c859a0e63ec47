import {
  type AeadKey,
  ContentType,
  type ContentTypeByte,
  type CryptoState,
  HEADER_SIZE,
  MAX_PLAINTEXT,
  RecordLayerError,
  TLS_1_3,
} from '@ktls-lab/core';
import { BATCH_STRIDE, BatchField, type EvpAeadEngine } from './evp.js';

/**
 * TLS records sealed and opened many at a time on the EVP engine, in one arena, with one call into
 * the addon per batch and no allocation per record: the userspace path at the speed of the
 * machine (the decoder of a large capture, a direction the kernel cannot take). Nonces and AADs
 * are built as core's `recordNonce`/`recordAad` build them (docs/kernel-tls.md §8: RFC 8446 §5.2–
 * 5.3, RFC 5288 §3, RFC 7905 §2), into scratch space at the end of the arena; the sequence number
 * is kept as two 32-bit halves so that no BigInt is made per record.
 */

/** How much one batch holds. */
export interface RecordBatchCapacity {
  readonly records: number;
  /** Wire bytes: the sealed records (sealer), or the records to open (opener). */
  readonly bytes: number;
}

const NONCE = 12;
const TAG = 16;
/** Per record scratch: its nonce and a TLS 1.2 AAD (seq_num(8) || type || version(2) || length(2)). */
const SCRATCH = NONCE + 13;

/** What sealer and opener share: the key, the arena, the descriptors and the sequence number. */
abstract class RecordBatch {
  /** The records: wire bytes at [0, capacity.bytes), scratch space after. */
  readonly arena: Uint8Array;
  protected readonly engine: EvpAeadEngine;
  protected readonly key: AeadKey;
  protected readonly descriptors: Uint32Array;
  protected readonly tls13: boolean;
  protected readonly explicitLength: number;
  protected readonly capacity: RecordBatchCapacity;
  readonly #salt: Uint8Array;
  readonly #iv: Uint8Array;
  readonly #scratch: number;
  #seqHi: number;
  #seqLo: number;

  constructor(engine: EvpAeadEngine, state: CryptoState, capacity: RecordBatchCapacity) {
    if (!(capacity.records > 0 && capacity.bytes > 0)) {
      throw RecordLayerError.of('invalid_argument', 'a batch holds at least one record and byte');
    }
    this.engine = engine;
    this.key = engine.importKey(state.suite.aead, state.key);
    this.capacity = capacity;
    this.tls13 = state.suite.version === TLS_1_3;
    this.explicitLength = state.suite.explicitNonceLength;
    this.arena = new Uint8Array(capacity.bytes + capacity.records * SCRATCH);
    this.descriptors = new Uint32Array(capacity.records * BATCH_STRIDE);
    this.#salt = Uint8Array.from(state.salt);
    this.#iv = Uint8Array.from(state.iv);
    this.#scratch = capacity.bytes;
    this.#seqHi = 0;
    this.#seqLo = 0;
    this.recSeq = state.recSeq;
  }

  /** Sequence number of the next record. */
  get recSeq(): bigint {
    return (BigInt(this.#seqHi) << 32n) | BigInt(this.#seqLo);
  }

  /** Moves to another sequence number (a decoder that seeks in a capture, a replay). */
  set recSeq(seq: bigint) {
    if (seq < 0n || seq > 0xffffffffffffffffn) {
      throw RecordLayerError.of(
        'invalid_argument',
        `rec_seq ${seq} is not a 64-bit unsigned integer`,
      );
    }
    this.#seqHi = Number(seq >> 32n);
    this.#seqLo = Number(seq & 0xffffffffn);
  }

  /** TLS 1.2 GCM/CCM on TX: the kernel's `iv`, the next explicit nonce. */
  protected get explicitNonce(): Uint8Array {
    return this.#iv;
  }

  /**
   * Record `i`'s nonce and AAD into its scratch slot and its descriptor. `explicitAt`: where its
   * 8-byte explicit nonce is (TLS 1.2 GCM/CCM), or -1; `headerAt`: its header (the TLS 1.3 AAD);
   * `plainLength`: the length a TLS 1.2 AAD carries.
   */
  protected describe(
    i: number,
    type: ContentTypeByte,
    explicitAt: number,
    headerAt: number,
    input: number,
    inputLength: number,
    plainLength: number,
  ): void {
    const a = this.arena;
    const nonce = this.#scratch + i * SCRATCH;
    a.set(this.#salt, nonce);
    if (explicitAt >= 0) {
      a.copyWithin(nonce + this.#salt.length, explicitAt, explicitAt + this.explicitLength);
    } else {
      // TLS 1.3 and ChaCha20: the static IV with its last 8 bytes XORed with the sequence number.
      a.set(this.#iv, nonce + this.#salt.length);
      xor32(a, nonce + 4, this.#seqHi);
      xor32(a, nonce + 8, this.#seqLo);
    }
    const d = this.descriptors;
    const o = i * BATCH_STRIDE;
    d[o + BatchField.nonce] = nonce;
    if (this.tls13) {
      d[o + BatchField.aadOffset] = headerAt;
      d[o + BatchField.aadLength] = HEADER_SIZE;
    } else {
      const aad = nonce + NONCE;
      put32(a, aad, this.#seqHi);
      put32(a, aad + 4, this.#seqLo);
      a[aad + 8] = type;
      a[aad + 9] = 3;
      a[aad + 10] = 3;
      a[aad + 11] = plainLength >>> 8;
      a[aad + 12] = plainLength & 0xff;
      d[o + BatchField.aadOffset] = aad;
      d[o + BatchField.aadLength] = 13;
    }
    d[o + BatchField.input] = input;
    d[o + BatchField.inputLength] = inputLength;
    d[o + BatchField.output] = input;
    d[o + BatchField.status] = 0;
    this.#advance();
  }

  #advance(): void {
    if (this.#seqLo === 0xffffffff) {
      if (this.#seqHi === 0xffffffff) {
        throw RecordLayerError.of('sequence_wrap', 'sequence number would wrap');
      }
      this.#seqHi++;
      this.#seqLo = 0;
    } else {
      this.#seqLo++;
    }
  }

  /** Frees the key's cipher contexts now (they are freed on collection otherwise). */
  close(): void {
    this.engine.closeKey(this.key);
  }
}

function put32(a: Uint8Array, at: number, v: number): void {
  a[at] = v >>> 24;
  a[at + 1] = (v >>> 16) & 0xff;
  a[at + 2] = (v >>> 8) & 0xff;
  a[at + 3] = v & 0xff;
}

function xor32(a: Uint8Array, at: number, v: number): void {
  a[at] = a[at]! ^ (v >>> 24);
  a[at + 1] = a[at + 1]! ^ ((v >>> 16) & 0xff);
  a[at + 2] = a[at + 2]! ^ ((v >>> 8) & 0xff);
  a[at + 3] = a[at + 3]! ^ (v & 0xff);
}

/** Adds one to a big-endian counter in place, wrapping as the kernel's TX `iv` does. */
function increment(counter: Uint8Array): void {
  for (let i = counter.length - 1; i >= 0; i--) {
    counter[i] = (counter[i]! + 1) & 0xff;
    if (counter[i] !== 0) return;
  }
}

/**
 * Seals records of one TX `CryptoState` back to back into `arena`, as they go on the wire:
 * `add` lays out header, explicit nonce, content (and the TLS 1.3 inner type) and builds nonce and
 * AAD; `seal` seals them all in place with one call and hands back the wire length.
 */
export class EvpRecordSealer extends RecordBatch {
  #count = 0;
  #end = 0;

  /**
   * Appends one record (a copy of `content`); false when the batch has no room for it: `seal`
   * first. Content over 2^14 bytes is a `record_overflow` error (RFC 8446 §5.1).
   */
  add(contentType: ContentTypeByte, content: Uint8Array): boolean {
    if (content.length > MAX_PLAINTEXT) {
      throw RecordLayerError.of('record_overflow', `content of ${content.length} bytes > 2^14`);
    }
    const sealed = content.length + (this.tls13 ? 1 : 0);
    const length = this.explicitLength + sealed + TAG;
    const at = this.#end;
    if (this.#count === this.capacity.records || at + HEADER_SIZE + length > this.capacity.bytes) {
      return false;
    }
    const a = this.arena;
    a[at] = this.tls13 ? ContentType.applicationData : contentType;
    a[at + 1] = 3;
    a[at + 2] = 3;
    a[at + 3] = length >>> 8;
    a[at + 4] = length & 0xff;
    let body = at + HEADER_SIZE;
    let explicitAt = -1;
    if (this.explicitLength > 0) {
      a.set(this.explicitNonce, body);
      increment(this.explicitNonce);
      explicitAt = body;
      body += this.explicitLength;
    }
    a.set(content, body);
    if (this.tls13) a[body + content.length] = contentType;
    this.describe(this.#count, contentType, explicitAt, at, body, sealed, sealed);
    this.#count++;
    this.#end = at + HEADER_SIZE + length;
    return true;
  }

  /** Records added since the last `seal`. */
  get pending(): number {
    return this.#count;
  }

  /** Seals every added record in place (one call); returns the wire length, `arena[0, n)`. */
  seal(): number {
    this.engine.sealBatch(this.key, this.arena, this.descriptors, this.#count);
    const n = this.#end;
    this.#count = 0;
    this.#end = 0;
    return n;
  }
}

/**
 * Opens whole records of one RX `CryptoState` in place: the caller puts wire bytes into
 * `arena[0, capacity.bytes)` and calls `open(length)`; each record's plaintext then lies in the
 * arena where its ciphertext was (`contentOffset(i)`, `contentLength(i)`, `contentType(i)`). A
 * record that does not verify is `opened(i) === false` and its range is wiped; the record after
 * it is still tried under the next sequence number (the caller decides what a failure means; the
 * kernel would stop, docs/kernel-tls.md §5).
 */
export class EvpRecordOpener extends RecordBatch {
  #count = 0;
  #consumed = 0;
  readonly #results: Uint32Array;

  constructor(engine: EvpAeadEngine, state: CryptoState, capacity: RecordBatchCapacity) {
    super(engine, state, capacity);
    this.#results = new Uint32Array(capacity.records * 3);
  }

  /**
   * Opens the whole records at the start of `arena[0, length)` (up to `capacity.records`);
   * returns how many it read. `consumed` says where the first record it did not read starts.
   */
  open(length: number): number {
    const a = this.arena;
    const end = Math.min(length, this.capacity.bytes);
    let at = 0;
    let n = 0;
    while (n < this.capacity.records && at + HEADER_SIZE <= end) {
      const len = (a[at + 3]! << 8) | a[at + 4]!;
      if (at + HEADER_SIZE + len > end) break;
      const type = a[at]!;
      const body = at + HEADER_SIZE;
      // A body shorter than its explicit nonce opens nothing (input length 0: status 0).
      const short = len < this.explicitLength;
      const ct = short ? body : body + this.explicitLength;
      const ctLength = short ? 0 : len - this.explicitLength;
      const explicitAt = this.explicitLength > 0 && !short ? body : -1;
      this.describe(n, type, explicitAt, at, ct, ctLength, Math.max(0, ctLength - TAG));
      this.#results[n * 3 + 2] = type;
      n++;
      at = body + len;
    }
    this.engine.openBatch(this.key, a, this.descriptors, n);
    for (let i = 0; i < n; i++) this.#inner(i);
    this.#count = n;
    this.#consumed = at;
    return n;
  }

  /** TLS 1.3: the inner type and the content length without padding (RFC 8446 §5.4). */
  #inner(i: number): void {
    const d = this.descriptors;
    const o = i * BATCH_STRIDE;
    const start = d[o + BatchField.output]!;
    let len = d[o + BatchField.status] === 1 ? d[o + BatchField.inputLength]! - TAG : 0;
    if (this.tls13 && len > 0) {
      let last = start + len - 1;
      while (last >= start && this.arena[last] === 0) last--;
      if (last < start) {
        // All zeros: no inner content type; the record does not open (unexpected_message).
        d[o + BatchField.status] = 0;
        len = 0;
      } else {
        this.#results[i * 3 + 2] = this.arena[last]!;
        len = last - start;
      }
    }
    this.#results[i * 3] = start;
    this.#results[i * 3 + 1] = len;
  }

  /** Bytes of `arena` the last `open` read: the whole records. */
  get consumed(): number {
    return this.#consumed;
  }

  /** Records the last `open` read. */
  get count(): number {
    return this.#count;
  }

  opened(i: number): boolean {
    return this.descriptors[i * BATCH_STRIDE + BatchField.status] === 1;
  }

  contentType(i: number): ContentTypeByte {
    return this.#results[i * 3 + 2]!;
  }

  contentOffset(i: number): number {
    return this.#results[i * 3]!;
  }

  contentLength(i: number): number {
    return this.#results[i * 3 + 1]!;
  }
}
