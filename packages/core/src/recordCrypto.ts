import type { AeadEngine, AeadKey, OpenRequest } from './aead.js';
import { concat, EMPTY, MAX_U64 } from './bytes.js';
import { encodeHeader, type WireRecord } from './codec.js';
import type { CryptoState } from './cryptoState.js';
import { type RecordError, recordError } from './errors.js';
import { incrementBe, recordAad, recordNonce } from './nonce.js';
import {
  ContentType,
  type ContentTypeByte,
  HEADER_SIZE,
  MAX_PLAINTEXT,
  TLS_1_3,
} from './protocol.js';
import { err, ok, type Result } from './result.js';

/**
 * How one record is sealed and opened under a `CryptoState`: the layout the RX and TX machines
 * use, and the one a control plane uses when it handles a record itself (the rfc-2015 design's
 * "get the state out, use it, reset it", the punt path, decoding a capture).
 */

export interface SealLayout {
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  /** The content: what the AEAD seals, followed by `trailer`. */
  readonly plaintext: Uint8Array;
  /** TLS 1.3: the inner content type byte sealed after the content (see `SealRequest.trailer`). */
  readonly trailer: Uint8Array | undefined;
  /** Record header and, for TLS 1.2 GCM/CCM, the explicit nonce: the bytes before the AEAD output. */
  readonly prefix: Uint8Array;
  readonly header: Uint8Array;
}

/** One shared, never written, one-byte view per content type: the TLS 1.3 seal trailers. */
const TYPE_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const TRAILERS: readonly Uint8Array[] = Array.from({ length: 256 }, (_, i) =>
  TYPE_BYTES.subarray(i, i + 1),
);

/** `iv` is the kernel's current `iv` (TLS 1.2: the explicit nonce of this record). */
export function sealLayout(
  state: Pick<CryptoState, 'suite' | 'salt'>,
  iv: Uint8Array,
  seq: bigint,
  contentType: ContentTypeByte,
  content: Uint8Array,
): SealLayout {
  const suite = state.suite;
  const tls13 = suite.version === TLS_1_3;
  const explicit = suite.explicitNonceLength > 0 ? iv : EMPTY;
  // TLS 1.3 inner plaintext: content || type, no padding (kernel TX never pads, RFC 8446 §5.2).
  const sealed = content.length + (tls13 ? 1 : 0);
  const header = encodeHeader(
    tls13 ? ContentType.applicationData : contentType,
    explicit.length + sealed + suite.tagLength,
  );
  return {
    nonce: recordNonce(suite, state.salt, iv, seq),
    // TLS 1.3: the AAD is the record header itself (RFC 8446 §5.2).
    aad: tls13 ? header : recordAad(suite, seq, contentType, content.length),
    plaintext: content,
    trailer: tls13 ? TRAILERS[contentType & 0xff] : undefined,
    prefix: explicit.length > 0 ? concat([header, explicit]) : header,
    header,
  };
}

/** The AEAD inputs for opening `record` as record number `seq`. */
export function openLayout(
  state: Pick<CryptoState, 'suite' | 'salt' | 'iv'>,
  seq: bigint,
  record: WireRecord,
): Result<Omit<OpenRequest, 'key'>> {
  const suite = state.suite;
  const explicit = suite.explicitNonceLength;
  if (record.body.length < explicit + suite.tagLength) {
    return err(
      recordError(
        'record_too_short',
        `record body of ${record.body.length} bytes is shorter than nonce and tag`,
      ),
    );
  }
  // TLS 1.2 GCM/CCM: the explicit nonce is read from the record (RFC 5288 §3); otherwise the
  // static IV is XORed with the sequence number (RFC 8446 §5.3, RFC 7905 §2).
  const ivPart = explicit > 0 ? record.body.subarray(0, explicit) : state.iv;
  const ciphertext = explicit > 0 ? record.body.subarray(explicit) : record.body;
  const aad =
    suite.version === TLS_1_3
      ? record.header
      : recordAad(suite, seq, record.type, ciphertext.length - suite.tagLength);
  return ok({ nonce: recordNonce(suite, state.salt, ivPart, seq), aad, ciphertext });
}

/**
 * The real content type and content of an opened record: TLS 1.2 takes the outer type; TLS 1.3
 * strips zero padding and reads the last non-zero byte (RFC 8446 §5.4, kernel `tls_padding_length`).
 * `null` when a TLS 1.3 plaintext is all zeros.
 */
export function innerContent(
  version: number,
  outerType: ContentTypeByte,
  plaintext: Uint8Array,
): { readonly type: ContentTypeByte; readonly content: Uint8Array } | null {
  if (version !== TLS_1_3) return { type: outerType, content: plaintext };
  let end = plaintext.length - 1;
  while (end >= 0 && plaintext[end] === 0) end--;
  if (end < 0) return null;
  return {
    type: plaintext[end]!,
    content: new Uint8Array(plaintext.buffer, plaintext.byteOffset, end),
  };
}

/**
 * `record_overflow` for an opened record whose plaintext is longer than any sender may make it,
 * else null. RFC 8446 §5.4: the TLSInnerPlaintext (content, type byte, padding) is at most
 * 2^14 + 1 bytes, and §6.2 names record_overflow for "a record decrypted to a TLSPlaintext record
 * with more than 2^14 bytes"; RFC 5246 §6.2.3: TLSCompressed.length at most 2^14, same alert.
 * The kernel's framing (parser.ts `kernelLimits`) cannot let such a record through, but RFC 8446
 * §5.2's ciphertext limit (2^14 + 256, `rfcLimits`) can: every design checks after opening.
 */
export function plaintextOverflow(
  version: number,
  plaintextLength: number,
  seq: bigint,
): RecordError | null {
  const max = MAX_PLAINTEXT + (version === TLS_1_3 ? 1 : 0);
  if (plaintextLength <= max) return null;
  return recordError(
    'record_overflow',
    `record ${seq} decrypts to ${plaintextLength} bytes of plaintext, more than the ${max} allowed`,
  );
}

/** TLS 1.2 GCM/CCM: the kernel's `iv` for the next record, wrapping silently as the kernel does. */
export function nextExplicitNonce(iv: Uint8Array): Uint8Array {
  return incrementBe(iv) ?? new Uint8Array(iv.length);
}

/** The state after one more record: rec_seq + 1 and, for TLS 1.2 GCM/CCM, the next explicit nonce. */
export function advance(state: CryptoState): CryptoState {
  const iv = state.suite.explicitNonceLength > 0 ? nextExplicitNonce(state.iv) : state.iv;
  return { ...state, iv, recSeq: state.recSeq + 1n };
}

export interface OpenedRecord {
  readonly contentType: ContentTypeByte;
  readonly content: Uint8Array;
  /** The state for the record after this one. */
  readonly next: CryptoState;
}

/** Opens one whole record (header included) in userspace with the given state. */
export function openRecord(
  engine: AeadEngine,
  state: CryptoState,
  record: Uint8Array,
  key: AeadKey = engine.importKey(state.suite.aead, state.key),
): Result<OpenedRecord> {
  if (record.length < HEADER_SIZE)
    return err(recordError('record_too_short', 'fewer than 5 bytes'));
  const length = (record[3]! << 8) | record[4]!;
  if (record.length !== HEADER_SIZE + length) {
    return err(
      recordError(
        'invalid_argument',
        `record length field says ${length}, got ${record.length - HEADER_SIZE} bytes`,
      ),
    );
  }
  const wire: WireRecord = {
    type: record[0]!,
    version: (record[1]! << 8) | record[2]!,
    header: record.subarray(0, HEADER_SIZE),
    body: record.subarray(HEADER_SIZE),
  };
  const layout = openLayout(state, state.recSeq, wire);
  if (!layout.ok) return layout;
  const plaintext = engine.open({ key, ...layout.value });
  if (plaintext === null)
    return err(recordError('bad_record_mac', `record ${state.recSeq} failed authentication`));
  const overflow = plaintextOverflow(state.version, plaintext.length, state.recSeq);
  if (overflow) return err(overflow);
  const inner = innerContent(state.version, wire.type, plaintext);
  if (inner === null)
    return err(recordError('bad_content_type', `record ${state.recSeq} has no inner content type`));
  return ok({ contentType: inner.type, content: inner.content, next: advance(state) });
}

/** A record sealed in userspace, and the state for the record after it. */
export interface SealedRecord {
  readonly record: Uint8Array;
  readonly next: CryptoState;
}

/** Seals one record in userspace with the given state; returns the record and the next state. */
export function sealRecord(
  engine: AeadEngine,
  state: CryptoState,
  contentType: ContentTypeByte,
  content: Uint8Array,
  key: AeadKey = engine.importKey(state.suite.aead, state.key),
): Result<SealedRecord> {
  if (state.recSeq === MAX_U64)
    return err(recordError('sequence_wrap', 'sequence number would wrap'));
  // RFC 8446 §5.1, RFC 5246 §6.2.1: a record carries at most 2^14 bytes of content.
  if (content.length > MAX_PLAINTEXT)
    return err(
      recordError(
        'record_overflow',
        `${content.length} bytes of content do not fit one record (at most ${MAX_PLAINTEXT})`,
      ),
    );
  return ok(sealUnchecked(engine, state, contentType, content, key));
}

/**
 * `sealRecord` without its checks (sequence wrap, content size): the record whatever it holds.
 * For tests that must play a peer breaking RFC 8446 §5.1 (an oversize record); not exported from
 * the package.
 */
export function sealUnchecked(
  engine: AeadEngine,
  state: CryptoState,
  contentType: ContentTypeByte,
  content: Uint8Array,
  key: AeadKey = engine.importKey(state.suite.aead, state.key),
): SealedRecord {
  const layout = sealLayout(state, state.iv, state.recSeq, contentType, content);
  const sealed = engine.seal({
    key,
    nonce: layout.nonce,
    aad: layout.aad,
    plaintext: layout.plaintext,
    trailer: layout.trailer,
  });
  return { record: concat([layout.prefix, sealed]), next: advance(state) };
}
