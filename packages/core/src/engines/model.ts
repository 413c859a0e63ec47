import type { AeadEngine, AeadKey, OpenRequest, SealRequest } from '../aead.js';
import { toHex } from '../bytes.js';
import { keyFingerprint } from '../cryptoState.js';
import { RecordLayerError } from '../errors.js';
import type { AeadAlgorithm } from '../suites.js';

/**
 * A fast, deterministic stand-in for an AEAD, for the simulator. It is NOT cryptography: the
 * keystream and tag are cheap 32-bit mixing functions. What it keeps from a real AEAD is the
 * behaviour the record layer can observe:
 * - `open` returns null for a wrong key, nonce, AAD, ciphertext or tag (RFC 5116 §2.2); any single
 *   changed 32-bit word is always caught (each tag lane is a bijective chain), anything else with
 *   probability about 1 - 2^-64 or better;
 * - the output is ciphertext || 16-byte tag, same length as a real AEAD's;
 * - sealing twice under one (key, nonce) is what an observer of real traffic would notice
 *   (identical keystream, RFC 5116 §5.1 forbids it), so the engine records it instead of throwing.
 */

const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;
/** Scratch for the expected tag in `open` (the engine is synchronous, one call at a time). */
const tagBuf = new Uint8Array(TAG_LENGTH);

/** One (key, nonce) pair sealed more than once. */
export interface NonceReuse {
  /** `keyFingerprint` of the key. */
  readonly fingerprint: string;
  /** The 12-byte nonce, hex. */
  readonly nonce: string;
  /** How many times that pair has been sealed so far (2 at the first reuse). */
  readonly count: number;
}

export interface ModelAeadEngineOptions {
  /** Called at every seal that reuses a (key, nonce) pair, with the running count. */
  readonly onNonceReuse?: (reuse: NonceReuse) => void;
}

const KEY_LENGTH: { readonly [A in AeadAlgorithm]: number } = {
  'aes-128-gcm': 16,
  'aes-128-ccm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};

/** Per-key material the engine keeps out of the handle (the handle is logged, this never is). */
interface KeyMaterial {
  /** `algorithm:fingerprint`: reuse is per key bytes and algorithm, not per imported handle. */
  readonly id: string;
  /** Four 32-bit lanes seeding the keystream, four seeding the tag; all derived from the key. */
  readonly streamSeed: Uint32Array;
  readonly tagSeed: Uint32Array;
}

const material = new WeakMap<AeadKey, KeyMaterial>();

/** The handle `importKey` returns: only the algorithm and the fingerprint are visible. */
class ModelKey implements AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly fingerprint: string;
  constructor(algorithm: AeadAlgorithm, fingerprint: string) {
    this.algorithm = algorithm;
    this.fingerprint = fingerprint;
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over bytes, from a given starting hash. */
function fnv1a(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}

/** Murmur3's finaliser: full avalanche of one 32-bit word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Eight independent lanes from the key: FNV-1a with a distinct start per lane, then fmix32. */
function deriveLanes(algorithm: AeadAlgorithm, key: Uint8Array): Uint32Array {
  const lanes = new Uint32Array(8);
  const alg = new TextEncoder().encode(algorithm);
  for (let i = 0; i < 8; i++) {
    const start = fmix32((FNV_OFFSET ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0);
    lanes[i] = fmix32(fnv1a(fnv1a(start, alg), key) ^ key.length);
  }
  return lanes;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reads the 32-bit little-endian word at `i` (bytes past the end read as 0). */
function wordAt(b: Uint8Array, i: number): number {
  return (b[i]! | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24)) >>> 0;
}

/**
 * Keystream: xorshift128 seeded from the key lanes mixed with the nonce, XORed into `buf` in
 * place. Little-endian 32-bit words, so the bytes are the same on every host.
 */
function xorKeystream(seed: Uint32Array, nonce: Uint8Array, buf: Uint8Array): void {
  const n0 = wordAt(nonce, 0);
  const n1 = wordAt(nonce, 4);
  const n2 = wordAt(nonce, 8);
  let x = fmix32(seed[0]! ^ n0);
  let y = fmix32(seed[1]! ^ n1 ^ x);
  let z = fmix32(seed[2]! ^ n2 ^ y);
  let w = fmix32(seed[3]! ^ Math.imul(n0 ^ n1 ^ n2, 0x27d4eb2f) ^ z);
  if ((x | y | z | w) === 0) w = 1; // xorshift128 must not start at all-zero
  const len = buf.length;
  const words = len >>> 2;
  let i = 0;
  if (LITTLE_ENDIAN && (buf.byteOffset & 3) === 0 && words > 0) {
    const u32 = new Uint32Array(buf.buffer, buf.byteOffset, words);
    for (; i < words; i++) {
      const t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
      u32[i]! ^= w;
    }
    i = words << 2;
  }
  // Unaligned or big-endian hosts, and the tail: byte by byte, same little-endian word order.
  while (i < len) {
    const t = x ^ (x << 11);
    x = y;
    y = z;
    z = w;
    w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
    for (let b = 0; b < 4 && i < len; b++, i++) buf[i]! ^= w >>> (8 * b);
  }
}

/**
 * Tag: four 32-bit lanes over `len(aad) || len(ct) || nonce || aad || ct` (lengths first, so the
 * encoding is injective). Even words feed lanes a/b, odd words c/d; each step is `h = f(h ^ w)`
 * with `f` a bijection, so two inputs that differ in one word never meet again in that lane.
 */
function computeTag(
  seed: Uint32Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ct: Uint8Array,
  out: Uint8Array,
  outOffset: number,
): void {
  const st = scratch;
  st[0] = seed[4]!;
  st[1] = seed[5]!;
  st[2] = seed[6]!;
  st[3] = seed[7]!;
  st[4] = 0; // word parity
  absorbWord(st, aad.length);
  absorbWord(st, ct.length);
  absorb(st, nonce);
  absorb(st, aad);
  absorb(st, ct);
  let a = st[0]!;
  let b = st[1]!;
  let c = st[2]!;
  let d = st[3]!;
  // Cross the lanes so every tag word depends on every input word.
  a = fmix32(a ^ Math.imul(c, 0x9e3779b1));
  b = fmix32(b ^ Math.imul(d, 0x85ebca77));
  c = fmix32(c ^ a);
  d = fmix32(d ^ b);
  writeLe(out, outOffset, a);
  writeLe(out, outOffset + 4, b);
  writeLe(out, outOffset + 8, c);
  writeLe(out, outOffset + 12, d);
}

/** Lane state shared by one `computeTag` call (the engine is synchronous, so one is enough). */
const scratch = new Uint32Array(5);

function absorbWord(st: Uint32Array, w: number): void {
  if (st[4] === 0) {
    st[0] = step1(st[0]! ^ w);
    st[1] = step2(st[1]! ^ w);
  } else {
    st[2] = step3(st[2]! ^ w);
    st[3] = step4(st[3]! ^ w);
  }
  st[4] = st[4]! ^ 1;
}

function step1(h: number): number {
  h = Math.imul(h, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}
function step2(h: number): number {
  h = Math.imul(h, 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}
function step3(h: number): number {
  h = Math.imul(h, 0xc2b2ae3d);
  return (h ^ (h >>> 16)) >>> 0;
}
function step4(h: number): number {
  h = Math.imul(h, 0x27d4eb2f);
  return (h ^ (h >>> 14)) >>> 0;
}

/** Absorbs `bytes` as little-endian words, zero-padding the last one (lengths were absorbed first). */
function absorb(st: Uint32Array, bytes: Uint8Array): void {
  let a = st[0]!;
  let b = st[1]!;
  let c = st[2]!;
  let d = st[3]!;
  let odd = st[4]!;
  const len = bytes.length;
  const words = len >>> 2;
  let i = 0;
  if (LITTLE_ENDIAN && (bytes.byteOffset & 3) === 0 && words > 0) {
    const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    let k = 0;
    // Re-align to an even word so the unrolled pair below feeds (a, b) then (c, d).
    if (odd === 1) {
      const w = u32[0]!;
      c = step3(c ^ w);
      d = step4(d ^ w);
      odd = 0;
      k = 1;
    }
    for (; k + 1 < words; k += 2) {
      const w0 = u32[k]!;
      const w1 = u32[k + 1]!;
      a = Math.imul(a ^ w0, 0x9e3779b1);
      a ^= a >>> 15;
      b = Math.imul(b ^ w0, 0x85ebca77);
      b ^= b >>> 13;
      c = Math.imul(c ^ w1, 0xc2b2ae3d);
      c ^= c >>> 16;
      d = Math.imul(d ^ w1, 0x27d4eb2f);
      d ^= d >>> 14;
    }
    if (k < words) {
      const w = u32[k]!;
      a = step1(a ^ w);
      b = step2(b ^ w);
      odd = 1;
    }
    i = words << 2;
  }
  for (; i < len; i += 4) {
    const w = wordAt(bytes, i);
    if (odd === 0) {
      a = step1(a ^ w);
      b = step2(b ^ w);
    } else {
      c = step3(c ^ w);
      d = step4(d ^ w);
    }
    odd ^= 1;
  }
  st[0] = a;
  st[1] = b;
  st[2] = c;
  st[3] = d;
  st[4] = odd;
}

function writeLe(out: Uint8Array, off: number, v: number): void {
  out[off] = v;
  out[off + 1] = v >>> 8;
  out[off + 2] = v >>> 16;
  out[off + 3] = v >>> 24;
}

/**
 * The nonces one key has sealed. A nonce is split into a 9-byte prefix (a Map key) and a 3-byte
 * suffix kept as a small integer, which V8 stores inline in the Set: per-record nonces differ in
 * their last bytes (RFC 8446 §5.3 XORs the sequence number into the low end), so millions of
 * records cost a few bytes each instead of a string each.
 */
const PREFIX = 9;

class NonceLog {
  readonly #byPrefix = new Map<string, Set<number>>();
  readonly #lastPrefix = new Uint8Array(PREFIX);
  #lastSet: Set<number> | undefined;

  /** Adds the nonce; returns false if it was already there. */
  add(n: Uint8Array): boolean {
    let set = this.#lastSet;
    if (set === undefined || !samePrefix(this.#lastPrefix, n)) {
      const key = String.fromCharCode(n[0]!, n[1]!, n[2]!, n[3]!, n[4]!, n[5]!, n[6]!, n[7]!, n[8]!);
      set = this.#byPrefix.get(key);
      if (set === undefined) {
        set = new Set();
        this.#byPrefix.set(key, set);
      }
      this.#lastPrefix.set(n.subarray(0, PREFIX));
      this.#lastSet = set;
    }
    const suffix = (n[9]! << 16) | (n[10]! << 8) | n[11]!;
    if (set.has(suffix)) return false;
    set.add(suffix);
    return true;
  }
}


function samePrefix(a: Uint8Array, n: Uint8Array): boolean {
  for (let i = 0; i < PREFIX; i++) if (a[i] !== n[i]) return false;
  return true;
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_LENGTH) {
    throw RecordLayerError.of('invalid_argument', `nonce must be ${NONCE_LENGTH} bytes, got ${nonce.length}`);
  }
}

export class ModelAeadEngine implements AeadEngine {
  readonly name = 'model';
  readonly #onNonceReuse: ((reuse: NonceReuse) => void) | undefined;
  /** Per key id: every nonce sealed so far. */
  readonly #sealed = new Map<string, NonceLog>();
  /** Per key id and nonce key: the reuse record, once a pair has been sealed twice. */
  readonly #reuses = new Map<string, { fingerprint: string; nonce: string; count: number }>();

  constructor(options: ModelAeadEngineOptions = {}) {
    this.#onNonceReuse = options.onNonceReuse;
  }

  importKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    const want = KEY_LENGTH[algorithm];
    if (want === undefined) {
      throw RecordLayerError.of('invalid_argument', `unknown AEAD algorithm ${String(algorithm)}`);
    }
    if (key.length !== want) {
      throw RecordLayerError.of('invalid_argument', `${algorithm} key must be ${want} bytes, got ${key.length}`);
    }
    const fingerprint = keyFingerprint(key);
    const handle = new ModelKey(algorithm, fingerprint);
    const lanes = deriveLanes(algorithm, key);
    material.set(handle, {
      id: `${algorithm}:${fingerprint}`,
      streamSeed: lanes.subarray(0, 4),
      tagSeed: lanes,
    });
    return handle;
  }

  seal(request: SealRequest): Uint8Array {
    const m = this.#material(request.key);
    const { nonce, aad, plaintext } = request;
    checkNonce(nonce);
    this.#recordNonce(m, request.key.fingerprint, nonce);
    const len = plaintext.length;
    const out = new Uint8Array(len + TAG_LENGTH);
    out.set(plaintext, 0);
    const ct = out.subarray(0, len);
    xorKeystream(m.streamSeed, nonce, ct);
    computeTag(m.tagSeed, nonce, aad, ct, out, len);
    return out;
  }

  open(request: OpenRequest): Uint8Array | null {
    const m = this.#material(request.key);
    const { nonce, aad, ciphertext } = request;
    checkNonce(nonce);
    if (ciphertext.length < TAG_LENGTH) return null;
    const len = ciphertext.length - TAG_LENGTH;
    // Copy first: the tag is computed over an aligned buffer, which then becomes the plaintext.
    const out = ciphertext.slice(0, len);
    const tag = tagBuf;
    computeTag(m.tagSeed, nonce, aad, out, tag, 0);
    let diff = 0;
    for (let i = 0; i < TAG_LENGTH; i++) diff |= tag[i]! ^ ciphertext[len + i]!;
    if (diff !== 0) return null;
    xorKeystream(m.streamSeed, nonce, out);
    return out;
  }

  /** Every (key, nonce) pair sealed more than once, in the order first reused, with its count. */
  nonceReuses(): readonly NonceReuse[] {
    return [...this.#reuses.values()].map((r) => ({ ...r }));
  }

  #material(key: AeadKey): KeyMaterial {
    const m = material.get(key);
    if (m === undefined) {
      throw RecordLayerError.of('invalid_argument', 'key was not imported by a ModelAeadEngine');
    }
    return m;
  }

  #recordNonce(m: KeyMaterial, fingerprint: string, nonce: Uint8Array): void {
    let log = this.#sealed.get(m.id);
    if (log === undefined) {
      log = new NonceLog();
      this.#sealed.set(m.id, log);
    }
    if (log.add(nonce)) return;
    const hex = toHex(nonce);
    const id = `${m.id}/${hex}`;
    let reuse = this.#reuses.get(id);
    if (reuse === undefined) {
      reuse = { fingerprint, nonce: hex, count: 1 };
      this.#reuses.set(id, reuse);
    }
    reuse.count += 1;
    this.#onNonceReuse?.({ ...reuse });
  }
}
