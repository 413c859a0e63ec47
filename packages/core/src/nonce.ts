import { alloc, writeU64be, xorU64be } from './bytes.js';
import { TLS_1_3 } from './protocol.js';
import type { CipherSuite } from './suites.js';

/**
 * Per-record nonce, built as the kernel builds it (docs/kernel-tls.md §8):
 * - TLS 1.3 (all ciphers) and ChaCha20 in TLS 1.2: `(salt || iv)` with its last 8 bytes XORed with
 *   the 64-bit sequence number (RFC 8446 §5.3, RFC 7905 §2, `tls_xor_iv_with_seq`).
 * - TLS 1.2 GCM/CCM: `salt || explicit`, where `explicit` is the 8-byte explicit nonce carried on the
 *   wire (RFC 5288 §3); on TX it is the kernel's current `iv`, on RX it is read from the record.
 */
export function recordNonce(
  suite: CipherSuite,
  salt: Uint8Array,
  ivOrExplicit: Uint8Array,
  seq: bigint,
): Uint8Array {
  const nonce = alloc(12);
  nonce.set(salt, 0);
  nonce.set(ivOrExplicit, salt.length);
  if (suite.version === TLS_1_3 || suite.explicitNonceLength === 0) xorU64be(nonce, 4, seq);
  return nonce;
}

/**
 * Additional data (kernel `tls_make_aad`):
 * - TLS 1.2: `seq_num(8) || type(1) || 03 03 || length(2)` with the plaintext length (RFC 5246 §6.2.3.3).
 * - TLS 1.3: the record header `17 03 03 || length(2)`, length of the ciphertext incl. tag (RFC 8446 §5.2).
 */
export function recordAad(
  suite: CipherSuite,
  seq: bigint,
  type: number,
  plaintextLength: number,
): Uint8Array {
  if (suite.version === TLS_1_3) {
    const len = plaintextLength + 1 + suite.tagLength;
    const header = alloc(5);
    header[0] = 23;
    header[1] = 3;
    header[2] = 3;
    header[3] = len >> 8;
    header[4] = len & 0xff;
    return header;
  }
  const aad = alloc(13);
  writeU64be(aad, 0, seq);
  aad[8] = type;
  aad[9] = 3;
  aad[10] = 3;
  aad[11] = plaintextLength >> 8;
  aad[12] = plaintextLength & 0xff;
  return aad;
}

/** Adds 1 to a big-endian counter of any length; returns `null` on wrap (the kernel aborts). */
export function incrementBe(counter: Uint8Array): Uint8Array | null {
  const out = Uint8Array.from(counter);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = (out[i]! + 1) & 0xff;
    if (out[i] !== 0) return out;
  }
  return null;
}
