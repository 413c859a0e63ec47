import type { Bytes } from './bytes.js';
import { expand } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from './bytes.js';
import { RecordLayerError } from './errors.js';
import { TLS_1_2 } from './protocol.js';
import type { CipherSuite } from './suites.js';

/**
 * The key derivations the data plane needs once a handshake has produced its secrets: TLS 1.3
 * traffic keys and KeyUpdate (RFC 8446 §7.1–§7.3), and the TLS 1.2 PRF and key block
 * (RFC 5246 §5, §6.3). Pure functions over @noble/hashes, so they run in a browser too.
 */

export type KeyScheduleHash = 'sha256' | 'sha384';

function hashFn(hash: KeyScheduleHash) {
  return hash === 'sha256' ? sha256 : sha384;
}

/** Hash.length of RFC 8446 §7.1 (32 for SHA-256, 48 for SHA-384). */
export function hashLength(hash: KeyScheduleHash): 32 | 48 {
  return hash === 'sha256' ? 32 : 48;
}

const LABEL_PREFIX = 'tls13 ';

/**
 * RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel,
 * Length), where HkdfLabel is `uint16 length || opaque label<7..255> || opaque context<0..255>` and
 * the label on the wire is "tls13 " + Label.
 */
export function hkdfExpandLabel(
  hash: KeyScheduleHash,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Bytes {
  const fullLabel = utf8(LABEL_PREFIX + label);
  // §7.1: label<7..255> (the prefix alone is 6 bytes, so an empty Label is out of range),
  // context<0..255>, and HKDF-Expand itself caps L at 255 * Hash.length (RFC 5869 §2.3).
  if (fullLabel.length < 7 || fullLabel.length > 255) {
    throw RecordLayerError.of(
      'invalid_argument',
      `HKDF label length ${fullLabel.length} not in 7..255`,
    );
  }
  if (context.length > 255) {
    throw RecordLayerError.of('invalid_argument', `HKDF context length ${context.length} > 255`);
  }
  if (
    !Number.isInteger(length) ||
    length < 0 ||
    length > 0xffff ||
    length > 255 * hashLength(hash)
  ) {
    throw RecordLayerError.of('invalid_argument', `HKDF output length ${length} out of range`);
  }
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return expand(hashFn(hash), secret, info, length);
}

function checkSecret(suite: CipherSuite, secret: Uint8Array): void {
  // A traffic secret is Derive-Secret output: exactly Hash.length bytes (RFC 8446 §7.1).
  const want = hashLength(suite.hash);
  if (secret.length !== want) {
    throw RecordLayerError.of(
      'invalid_argument',
      `${suite.name}: traffic secret must be ${want} bytes, got ${secret.length}`,
    );
  }
}

/**
 * RFC 8446 §7.3: `key = HKDF-Expand-Label(Secret, "key", "", key_length)`,
 * `iv = HKDF-Expand-Label(Secret, "iv", "", iv_length)`; iv_length is 12 for every AEAD TLS 1.3
 * defines (RFC 8446 §5.3, "max(8 bytes, N_MIN)").
 */
export function deriveTrafficKeys(
  suite: CipherSuite,
  secret: Uint8Array,
): { key: Bytes; iv: Bytes } {
  checkSecret(suite, secret);
  const empty = new Uint8Array(0);
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', empty, suite.keyLength),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', empty, suite.nonceLength),
  };
}

/**
 * RFC 8446 §7.2: `application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N,
 * "traffic upd", "", Hash.length)`. What both sides compute after a KeyUpdate; the kernel never
 * does this itself (userspace installs the result with a second TLS_TX/TLS_RX,
 * docs/kernel-tls.md §7).
 */
export function nextTrafficSecret(suite: CipherSuite, secret: Uint8Array): Bytes {
  checkSecret(suite, secret);
  return hkdfExpandLabel(
    suite.hash,
    secret,
    'traffic upd',
    new Uint8Array(0),
    hashLength(suite.hash),
  );
}

/**
 * RFC 5246 §5: `PRF(secret, label, seed) = P_<hash>(secret, label + seed)` with
 * `P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...`,
 * `A(0) = seed`, `A(i) = HMAC(secret, A(i-1))`. The label is ASCII, without a length or NUL.
 */
export function tls12Prf(
  hash: KeyScheduleHash,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Bytes {
  if (!Number.isInteger(length) || length < 0) {
    throw RecordLayerError.of('invalid_argument', `PRF output length ${length} out of range`);
  }
  const h = hashFn(hash);
  const labelSeed = concat([utf8(label), seed]);
  // The keyed HMAC state is cloned per block instead of re-keying: same output, less hashing.
  const keyed = hmac.create(h, secret);
  const mac = (data: Uint8Array): Uint8Array => keyed.clone().update(data).digest();
  const out = new Uint8Array(length);
  let a = labelSeed;
  let off = 0;
  while (off < length) {
    a = mac(a);
    const block = mac(concat([a, labelSeed]));
    out.set(block.subarray(0, Math.min(block.length, length - off)), off);
    off += block.length;
  }
  keyed.destroy();
  return out;
}

/** What RFC 5246 §6.3 partitions the key block into for an AEAD suite (no MAC keys). */
export interface Tls12KeyBlock {
  readonly clientKey: Bytes;
  readonly serverKey: Bytes;
  /** client_write_IV: 4 bytes for GCM/CCM (RFC 5288 §3, RFC 6655 §3), 12 for ChaCha20 (RFC 7905 §2). */
  readonly clientIv: Bytes;
  readonly serverIv: Bytes;
}

/**
 * RFC 5246 §6.3: `key_block = PRF(master_secret, "key expansion", server_random + client_random)`,
 * partitioned as client_write_MAC_key, server_write_MAC_key, client_write_key, server_write_key,
 * client_write_IV, server_write_IV. AEAD suites have zero-length MAC keys (RFC 5246 §6.2.3.3), and
 * their fixed IV is the implicit nonce part: 4 bytes for GCM/CCM, the whole 12 for ChaCha20.
 */
export function tls12KeyBlock(
  suite: CipherSuite,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Tls12KeyBlock {
  if (suite.version !== TLS_1_2) {
    // TLS 1.3 has no key block; its keys come from traffic secrets (deriveTrafficKeys).
    throw RecordLayerError.of('invalid_argument', `${suite.name} is not a TLS 1.2 suite`);
  }
  // RFC 5246 §8.1: master_secret is 48 bytes; §7.4.1.2: Random is 32 bytes.
  if (masterSecret.length !== 48) {
    throw RecordLayerError.of(
      'invalid_argument',
      `master secret must be 48 bytes, got ${masterSecret.length}`,
    );
  }
  if (clientRandom.length !== 32 || serverRandom.length !== 32) {
    throw RecordLayerError.of(
      'invalid_argument',
      'client_random and server_random must be 32 bytes',
    );
  }
  const keyLen = suite.keyLength;
  const ivLen = suite.saltLength === 0 ? suite.nonceLength : suite.saltLength;
  const block = tls12Prf(
    suite.hash,
    masterSecret,
    'key expansion',
    concat([serverRandom, clientRandom]),
    2 * keyLen + 2 * ivLen,
  );
  let off = 0;
  const take = (n: number): Bytes => {
    const part = block.slice(off, off + n);
    off += n;
    return part;
  };
  const clientKey = take(keyLen);
  const serverKey = take(keyLen);
  const clientIv = take(ivLen);
  const serverIv = take(ivLen);
  return { clientKey, serverKey, clientIv, serverIv };
}
