import { type CipherSuite, type CryptoState, TLS_1_3 } from '@ktls-lab/core';
import { fingerprintOf, nextSecretFor, stateFor } from './world/keyCache.js';

/**
 * The monitor's independent oracle: what the RFCs say each record of one direction must be
 * protected with, recomputed from the traffic secret the handshake left and the KeyUpdates the
 * sender wrote, never from what the sender used. Its nonce and additional data are built here,
 * not by core's `recordNonce`/`recordAad`, so a bug there cannot agree with itself.
 * - Key and IV: RFC 8446 §7.3 from the traffic secret; after each KeyUpdate the next secret
 *   (§7.2) and sequence numbers restart at 0 (§5.3). TLS 1.2 has one key for the connection.
 * - Nonce: TLS 1.3 and ChaCha20-Poly1305 in TLS 1.2 (RFC 8446 §5.3, RFC 7905 §2): the 12-byte
 *   IV XOR the 64-bit sequence number, left-padded. TLS 1.2 AES-GCM (RFC 5288 §3): the 4-byte salt
 *   || an 8-byte explicit part carried in the record, which the kernel counts up with the
 *   sequence number from the IV it was given (docs/kernel-tls.md §8).
 * - Additional data: TLS 1.3 the record header, `23 || 03 03 || length` (RFC 8446 §5.2); TLS 1.2
 *   `seq_num || type || 03 03 || plaintext length` (RFC 5246 §6.2.3.3).
 */

/** What the key schedule says one record is protected with. */
export interface Expected {
  /** 0 under the handshake's traffic secret, +1 per KeyUpdate before the record. */
  readonly generation: number;
  readonly seq: bigint;
  readonly fingerprint: string;
  readonly nonce: Uint8Array;
  readonly suite: CipherSuite;
}

export class DirectionSchedule {
  private secret: Uint8Array;
  private state: CryptoState;
  private generation = 0;
  private seq = 0n;

  constructor(
    private readonly suite: CipherSuite,
    secret: Uint8Array,
  ) {
    this.secret = secret;
    this.state = stateFor(suite, secret);
  }

  /** The next record's protection; a KeyUpdate moves the records after it to the next secret. */
  next(keyUpdate: boolean): Expected {
    const e: Expected = {
      generation: this.generation,
      seq: this.seq,
      fingerprint: fingerprintOf(this.state),
      nonce: nonceFor(this.state, this.seq),
      suite: this.suite,
    };
    if (keyUpdate && this.suite.version === TLS_1_3) {
      this.secret = nextSecretFor(this.suite, this.secret);
      this.state = stateFor(this.suite, this.secret);
      this.generation++;
      this.seq = 0n;
    } else {
      this.seq++;
    }
    return e;
  }
}

function nonceFor(state: CryptoState, seq: bigint): Uint8Array {
  const n = new Uint8Array(12);
  n.set(state.salt, 0);
  n.set(state.iv, state.salt.length);
  const xor = state.version === TLS_1_3 || state.suite.explicitNonceLength === 0;
  let carry = 0;
  for (let i = 11, s = seq; i >= 4; i--, s >>= 8n) {
    const b = Number(s & 0xffn);
    if (xor) n[i]! ^= b;
    else {
      const sum = n[i]! + b + carry;
      n[i] = sum & 0xff;
      carry = sum >> 8;
    }
  }
  return n;
}

/** Whether `aad` is the additional data RFC 8446 §5.2 / RFC 5246 §6.2.3.3 give the record. */
export function aadMatches(
  e: Expected,
  aad: Uint8Array,
  contentType: number,
  plaintextLength: number,
  recordLength: number,
): boolean {
  if (e.suite.version === TLS_1_3) {
    const len = recordLength - 5;
    return (
      aad.length === 5 &&
      aad[0] === 23 &&
      aad[1] === 3 &&
      aad[2] === 3 &&
      aad[3] === len >> 8 &&
      aad[4] === (len & 0xff)
    );
  }
  if (aad.length !== 13) return false;
  for (let i = 7, s = e.seq; i >= 0; i--, s >>= 8n) if (aad[i] !== Number(s & 0xffn)) return false;
  return (
    aad[8] === contentType &&
    aad[9] === 3 &&
    aad[10] === 3 &&
    aad[11] === plaintextLength >> 8 &&
    aad[12] === (plaintextLength & 0xff)
  );
}

/**
 * Whether the record's header is what its protection says: TLS 1.3 its AAD (opaque type 23),
 * TLS 1.2 the content type, and GCM's explicit nonce on the wire the nonce's last 8 bytes.
 */
export function headerMatches(e: Expected, record: Uint8Array, contentType: number): boolean {
  const len = record.length - 5;
  const type = e.suite.version === TLS_1_3 ? 23 : contentType;
  if (record[0] !== type || record[1] !== 3 || record[2] !== 3) return false;
  if (record[3] !== len >> 8 || record[4] !== (len & 0xff)) return false;
  if (e.suite.version === TLS_1_3 || e.suite.explicitNonceLength === 0) return true;
  for (let i = 0; i < 8; i++) if (record[5 + i] !== e.nonce[4 + i]) return false;
  return true;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
