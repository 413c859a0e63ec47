// Longer than the repo's ~400-line guideline on purpose: the keystream, the tag lanes and the
// word-wise loops over them are one hot loop (the simulator spends its crypto time here), kept in
// one module so V8 inlines across them; split, the pieces would only be read together anyway.
import {
  type AeadEngine,
  type AeadKey,
  AEAD_TAG_LENGTH as TAG_LENGTH,
  checkAeadKey,
  checkAeadNonce,
  type OpenRequest,
  type SealRequest,
} from '../aead.js';
import { alloc, toHex } from '../bytes.js';
import { keyFingerprint } from '../cryptoState.js';
import { RecordLayerError } from '../errors.js';
import type { AeadAlgorithm } from '../suites.js';

/**
 * A fast, deterministic stand-in for an AEAD, for the simulator. It is NOT cryptography: the
 * keystream and tag are cheap 32-bit mixing functions. What it keeps from a real AEAD is the
 * behaviour the record layer can observe:
 * - `open` returns null for a wrong key, nonce, AAD, ciphertext or tag (RFC 5116 §2.2): a change
 *   confined to one 32-bit word (every single bit flip) is always caught, because each tag lane is
 *   a chain of bijections; any other change slips through only if every lane it touches collides,
 *   about 2^-32 at worst;
 * - the output is ciphertext || 16-byte tag, same length as a real AEAD's;
 * - sealing twice under one (key, nonce) is what an observer of real traffic would notice
 *   (identical keystream, RFC 5116 §5.1 forbids it), so the engine records it instead of throwing.
 */

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

/** Per-key material the engine keeps out of the handle (the handle is logged, this never is). */
interface KeyMaterial {
  /** `algorithm:fingerprint`: reuse is per key bytes and algorithm, not per imported handle. */
  readonly id: string;
  /** Eight 32-bit words from the key: 0..3 seed the keystream, 4..7 the tag lanes. */
  readonly seed: Int32Array;
}

const material = new WeakMap<AeadKey, KeyMaterial>();

/** The handle `importKey` returns: only the algorithm and the fingerprint are visible. */
class ModelKey implements AeadKey {
  readonly algorithm: AeadAlgorithm;
  readonly fingerprint: string;
  constructor(algorithm: AeadAlgorithm, fingerprint: string) {
    this.algorithm = algorithm;
    this.fingerprint = fingerprint;
    Object.freeze(this);
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
function deriveLanes(algorithm: AeadAlgorithm, key: Uint8Array): Int32Array {
  const lanes = new Int32Array(8);
  const alg = new TextEncoder().encode(algorithm);
  for (let i = 0; i < 8; i++) {
    const start = fmix32((FNV_OFFSET ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0);
    lanes[i] = fmix32(fnv1a(fnv1a(start, alg), key) ^ key.length);
  }
  return lanes;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reads the 32-bit little-endian word at `i` (bytes past the end read as 0), as an int32. */
function wordAt(b: Uint8Array, i: number): number {
  return b[i]! | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24);
}

// Tag lane steps: h = f(h ^ word), f = multiply by an odd constant, then xorshift-right. Both are
// bijections on 32 bits, so two inputs that differ in one word never meet again in that lane.
const M0 = 0x9e3779b1;
const M1 = 0x85ebca77;
const M2 = 0xc2b2ae3d;
const M3 = 0x27d4eb2f;

/** Tag lanes and keystream state for one seal/open; one is enough, the engine is synchronous. */
const st = new Int32Array(9);
const A = 0;
const B = 1;
const C = 2;
const D = 3;
/** Index of the lane the next prefix word goes to. */
const LANE = 4;
/** xorshift128 state x, y, z, w. */
const X = 5;

function absorbWord(v: number): void {
  const lane = st[LANE]!;
  switch (lane) {
    case 0: {
      const h = Math.imul(st[A]! ^ v, M0);
      st[A] = h ^ (h >>> 15);
      break;
    }
    case 1: {
      const h = Math.imul(st[B]! ^ v, M1);
      st[B] = h ^ (h >>> 13);
      break;
    }
    case 2: {
      const h = Math.imul(st[C]! ^ v, M2);
      st[C] = h ^ (h >>> 16);
      break;
    }
    default: {
      const h = Math.imul(st[D]! ^ v, M3);
      st[D] = h ^ (h >>> 14);
    }
  }
  st[LANE] = (lane + 1) & 3;
}

function absorbBytes(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) absorbWord(wordAt(bytes, i));
}

/**
 * Starts one operation: tag lanes from the key, then `len(aad) || len(ct) || nonce || aad`
 * absorbed (lengths first, so the encoding of what follows is injective), and the keystream
 * generator seeded from the key and the nonce.
 */
function begin(m: KeyMaterial, nonce: Uint8Array, aad: Uint8Array, ctLength: number): void {
  const seed = m.seed;
  st[A] = seed[4]!;
  st[B] = seed[5]!;
  st[C] = seed[6]!;
  st[D] = seed[7]!;
  st[LANE] = 0;
  absorbWord(aad.length);
  absorbWord(ctLength);
  absorbBytes(nonce);
  absorbBytes(aad);
  const n0 = wordAt(nonce, 0);
  const n1 = wordAt(nonce, 4);
  const n2 = wordAt(nonce, 8);
  const x = fmix32(seed[0]! ^ n0);
  const y = fmix32(seed[1]! ^ n1 ^ x);
  const z = fmix32(seed[2]! ^ n2 ^ y);
  const w = fmix32(seed[3]! ^ Math.imul(n0 ^ n1 ^ n2, M3) ^ z);
  st[X] = x;
  st[X + 1] = y;
  st[X + 2] = z;
  // xorshift128 must not start from all-zero.
  st[X + 3] = (x | y | z | w) === 0 ? 1 : w;
}

/**
 * One pass over `buf` (the ciphertext area): XOR with the xorshift128 keystream and absorb the
 * ciphertext words into the tag lanes, word k into lane k mod 4. `encrypt` says which side of the
 * XOR is the ciphertext. Words are little-endian, so every host produces the same bytes.
 */
function crypt(buf: Uint8Array, encrypt: boolean): void {
  let a = st[A]!;
  let b = st[B]!;
  let c = st[C]!;
  let d = st[D]!;
  let x = st[X]!;
  let y = st[X + 1]!;
  let z = st[X + 2]!;
  let w = st[X + 3]!;
  const len = buf.length;
  const words = len >>> 2;
  let k = 0;
  if (LITTLE_ENDIAN && (buf.byteOffset & 3) === 0 && words > 0) {
    // Fast path (every buffer here is our own, 8-byte aligned): four words, four lanes per turn.
    const u = new Int32Array(buf.buffer, buf.byteOffset, words);
    for (; k + 4 <= words; k += 4) {
      let t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
      let v = u[k]!;
      let ct = encrypt ? v ^ w : v;
      u[k] = v ^ w;
      a = Math.imul(a ^ ct, M0);
      a ^= a >>> 15;

      t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
      v = u[k + 1]!;
      ct = encrypt ? v ^ w : v;
      u[k + 1] = v ^ w;
      b = Math.imul(b ^ ct, M1);
      b ^= b >>> 13;

      t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
      v = u[k + 2]!;
      ct = encrypt ? v ^ w : v;
      u[k + 2] = v ^ w;
      c = Math.imul(c ^ ct, M2);
      c ^= c >>> 16;

      t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
      v = u[k + 3]!;
      ct = encrypt ? v ^ w : v;
      u[k + 3] = v ^ w;
      d = Math.imul(d ^ ct, M3);
      d ^= d >>> 14;
    }
  }
  // The rest (and everything on a big-endian host or an unaligned view): byte by byte, same words.
  for (let i = k << 2; i < len; i += 4, k++) {
    const t = x ^ (x << 11);
    x = y;
    y = z;
    z = w;
    w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
    const v = wordAt(buf, i);
    const out = v ^ w;
    const end = Math.min(4, len - i);
    for (let j = 0; j < end; j++) buf[i + j] = out >>> (8 * j);
    // A partial last word is absorbed zero-padded: mask the keystream bytes past the end.
    const ct = (encrypt ? out : v) & (end === 4 ? -1 : (1 << (8 * end)) - 1);
    switch (k & 3) {
      case 0:
        a = Math.imul(a ^ ct, M0);
        a ^= a >>> 15;
        break;
      case 1:
        b = Math.imul(b ^ ct, M1);
        b ^= b >>> 13;
        break;
      case 2:
        c = Math.imul(c ^ ct, M2);
        c ^= c >>> 16;
        break;
      default:
        d = Math.imul(d ^ ct, M3);
        d ^= d >>> 14;
    }
  }
  st[A] = a;
  st[B] = b;
  st[C] = c;
  st[D] = d;
}

/** Crosses the lanes (each tag word then depends on all four) and writes the 16-byte tag. */
function finish(out: Uint8Array, off: number): void {
  let a = st[A]!;
  let b = st[B]!;
  let c = st[C]!;
  let d = st[D]!;
  a = fmix32(a ^ Math.imul(c, M0));
  b = fmix32(b ^ Math.imul(d, M1));
  c = fmix32(c ^ a);
  d = fmix32(d ^ b);
  writeLe(out, off, a);
  writeLe(out, off + 4, b);
  writeLe(out, off + 8, c);
  writeLe(out, off + 12, d);
}

function writeLe(out: Uint8Array, off: number, v: number): void {
  out[off] = v;
  out[off + 1] = v >>> 8;
  out[off + 2] = v >>> 16;
  out[off + 3] = v >>> 24;
}

/**
 * The nonces one key has sealed. A nonce is split into a 10-byte prefix (a Map key) and a 16-bit
 * suffix: per-record nonces differ in their low bytes (RFC 8446 §5.3 and RFC 7905 XOR the
 * sequence number into the low end; the TLS 1.2 explicit nonce counts up), so consecutive records
 * share a prefix. A prefix's suffixes start as a Set and become a 65536-bit bitmap (8 KiB) once
 * they pass SPARSE_MAX, which makes a long run of records cost one bit each.
 */
const PREFIX = 10;
const SPARSE_MAX = 256;

class NonceLog {
  readonly #blocks = new Map<string, Set<number> | Uint32Array>();
  readonly #lastPrefix = new Uint8Array(PREFIX);
  #lastKey = '';
  #last: Set<number> | Uint32Array | undefined;

  /** Adds the nonce; returns false if it was already there. */
  add(n: Uint8Array): boolean {
    let block = this.#last;
    if (block === undefined || !samePrefix(this.#lastPrefix, n)) {
      const key = String.fromCharCode(
        n[0]!,
        n[1]!,
        n[2]!,
        n[3]!,
        n[4]!,
        n[5]!,
        n[6]!,
        n[7]!,
        n[8]!,
        n[9]!,
      );
      block = this.#blocks.get(key);
      if (block === undefined) {
        block = new Set();
        this.#blocks.set(key, block);
      }
      this.#lastPrefix.set(n.subarray(0, PREFIX));
      this.#lastKey = key;
      this.#last = block;
    }
    const suffix = (n[10]! << 8) | n[11]!;
    if (block instanceof Uint32Array) {
      const bit = 1 << (suffix & 31);
      const word = block[suffix >>> 5]!;
      if ((word & bit) !== 0) return false;
      block[suffix >>> 5] = word | bit;
      return true;
    }
    if (block.has(suffix)) return false;
    block.add(suffix);
    if (block.size > SPARSE_MAX) {
      const bitmap = new Uint32Array(2048);
      for (const v of block) bitmap[v >>> 5]! |= 1 << (v & 31);
      this.#blocks.set(this.#lastKey, bitmap);
      this.#last = bitmap;
    }
    return true;
  }
}

function samePrefix(a: Uint8Array, n: Uint8Array): boolean {
  for (let i = 0; i < PREFIX; i++) if (a[i] !== n[i]) return false;
  return true;
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
    checkAeadKey(algorithm, key);
    const fingerprint = keyFingerprint(key);
    const handle = new ModelKey(algorithm, fingerprint);
    material.set(handle, {
      id: `${algorithm}:${fingerprint}`,
      seed: deriveLanes(algorithm, key),
    });
    return handle;
  }

  seal(request: SealRequest): Uint8Array {
    const m = this.#material(request.key);
    const { nonce, aad, plaintext, trailer } = request;
    checkAeadNonce(nonce);
    this.#recordNonce(m, request.key.fingerprint, nonce);
    const len = plaintext.length + (trailer?.length ?? 0);
    const pre = request.prefix?.length ?? 0;
    // Outputs come from the shared slabs of `alloc`: handed out once, never recycled, 8-byte
    // aligned, so the word loop in `crypt` can use an Int32Array view.
    const out = alloc(pre + len + TAG_LENGTH);
    if (request.prefix) out.set(request.prefix, 0);
    const body = pre > 0 ? out.subarray(pre) : out;
    body.set(plaintext, 0);
    if (trailer) body.set(trailer, plaintext.length);
    begin(m, nonce, aad, len);
    crypt(body.subarray(0, len), true);
    finish(body, len);
    return out;
  }

  open(request: OpenRequest): Uint8Array | null {
    const m = this.#material(request.key);
    const { nonce, aad, ciphertext } = request;
    checkAeadNonce(nonce);
    if (ciphertext.length < TAG_LENGTH) return null;
    const len = ciphertext.length - TAG_LENGTH;
    // Decrypt into our own (aligned) buffer; it is released only if the tag matches.
    const out = alloc(len);
    out.set(ciphertext.subarray(0, len));
    begin(m, nonce, aad, len);
    crypt(out, false);
    finish(tagBuf, 0);
    let diff = 0;
    for (let i = 0; i < TAG_LENGTH; i++) diff |= tagBuf[i]! ^ ciphertext[len + i]!;
    return diff === 0 ? out : null;
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
