import { alloc } from './bytes.js';
import { HEADER_SIZE, LEGACY_RECORD_VERSION } from './protocol.js';

/** A TLS record as framed on the wire, before any decryption (RFC 8446 §5.1 TLSCiphertext). */
export interface WireRecord {
  /** Outer content type (always 23 for TLS 1.3 protected records). */
  readonly type: number;
  readonly version: number;
  /** The 5-byte header, a view into the input where possible. */
  readonly header: Uint8Array;
  /** The `length` bytes after the header: explicit nonce (TLS 1.2), ciphertext and tag. */
  readonly body: Uint8Array;
}

export function encodeHeader(
  type: number,
  length: number,
  version = LEGACY_RECORD_VERSION,
): Uint8Array {
  const h = alloc(HEADER_SIZE);
  h[0] = type;
  h[1] = version >> 8;
  h[2] = version & 0xff;
  h[3] = length >> 8;
  h[4] = length & 0xff;
  return h;
}

/** Frames one record: header plus body, in one buffer. */
export function encodeRecord(
  type: number,
  body: Uint8Array,
  version = LEGACY_RECORD_VERSION,
): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + body.length);
  out.set(encodeHeader(type, body.length, version), 0);
  out.set(body, HEADER_SIZE);
  return out;
}

/** The whole record as bytes (header || body). */
export function recordBytes(r: WireRecord): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + r.body.length);
  out.set(r.header, 0);
  out.set(r.body, HEADER_SIZE);
  return out;
}
