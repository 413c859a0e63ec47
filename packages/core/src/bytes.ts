/** Small byte helpers shared by the record layer. Nothing here allocates more than it returns. */

/**
 * A byte array with its own (non-shared) buffer: what every function here that makes a new array
 * returns, so `let s = new Uint8Array(32); s = nextTrafficSecret(...)` type-checks under
 * TypeScript 5.7+ (which tells `Uint8Array<ArrayBuffer>` from `Uint8Array<ArrayBufferLike>`).
 * Parameters take any `Uint8Array`.
 */
export type Bytes = Uint8Array<ArrayBuffer>;

export const EMPTY: Bytes = new Uint8Array(0);

const SLAB_SIZE = 64 * 1024;
const SLAB_MAX = 4096;
/**
 * The one piece of module state in the record layer: the slab small arrays are cut from.
 *
 * Ownership: every region handed out by `alloc` belongs to its caller alone, for as long as the
 * caller keeps it. The module never hands a region out twice, never writes into one after handing
 * it out, and never reuses a slab: when one is full a fresh one replaces it and the old one lives
 * on only through the views callers still hold (the garbage collector frees it with the last).
 * So views stay valid and private under any interleaving, including async crypto completing in
 * any order, several layers in one thread, or a view kept in a trace or a queue for as long as it
 * is wanted. The cost of that guarantee is memory: a small view kept for a long time keeps its
 * 64 KiB slab alive; a caller that keeps many small buffers for a long time should copy them
 * (`Uint8Array.from`). Nothing here is shared between workers: each thread has its own module.
 */
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

/**
 * A zeroed byte array for the per-record hot path, owned by the caller (see above). Small ones are
 * views into the current 64 KiB slab (never reused, like Node's Buffer pool): V8 gives a typed
 * array of more than 64 bytes its own off-heap store, and hands one of 64 bytes or less to native
 * code (node:crypto) only after moving it off the heap, both costing more than the crypto of a
 * small record. A slab view costs neither.
 */
export function alloc(n: number): Bytes {
  if (n > SLAB_MAX) return new Uint8Array(n);
  if (slabOffset + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const out = new Uint8Array(slab, slabOffset, n);
  // 8-byte aligned regions: word-wise loops (the model engine) may view them as Int32Array.
  slabOffset = (slabOffset + n + 7) & ~7;
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = alloc(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Parses hex, ignoring white space (so RFC-style spaced dumps can be pasted as they are). */
export function fromHex(hex: string): Bytes {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new TypeError(`not a hex string: ${clean.slice(0, 32)}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function utf8(s: string): Bytes {
  // encode() always returns a fresh, unshared buffer; its declared type just does not say so.
  return new TextEncoder().encode(s) as Bytes;
}

/** Big-endian 64-bit sequence number, as `rec_seq` and the TLS 1.2 AAD carry it. */
export function u64be(n: bigint): Bytes {
  const out = new Uint8Array(8);
  writeU64be(out, 0, n);
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The high and low 32 bits of a 64-bit value. Sequence numbers stay below 2^53 in practice, and
 * there a BigInt converts to a Number exactly: no BigInt is allocated per record; above it (a
 * `rec_seq` set near the wrap, selftest `recseq_wrap`) the BigInt path gives the same bits.
 */
function high32(n: bigint): number {
  return n >= 0n && n <= MAX_SAFE
    ? Math.floor(Number(n) / 0x1_0000_0000)
    : Number(BigInt.asUintN(64, n) >> 32n);
}

function low32(n: bigint): number {
  return n >= 0n && n <= MAX_SAFE ? Number(n) >>> 0 : Number(BigInt.asUintN(32, n));
}

/** Writes a 64-bit big-endian value in place (two 32-bit halves: no DataView per record). */
export function writeU64be(out: Uint8Array, off: number, n: bigint): void {
  const hi = high32(n);
  const lo = low32(n);
  out[off] = hi >>> 24;
  out[off + 1] = (hi >>> 16) & 0xff;
  out[off + 2] = (hi >>> 8) & 0xff;
  out[off + 3] = hi & 0xff;
  out[off + 4] = lo >>> 24;
  out[off + 5] = (lo >>> 16) & 0xff;
  out[off + 6] = (lo >>> 8) & 0xff;
  out[off + 7] = lo & 0xff;
}

/** XORs a 64-bit big-endian value into `out` at `off` (the TLS 1.3 per-record nonce). */
export function xorU64be(out: Uint8Array, off: number, n: bigint): void {
  const hi = high32(n);
  const lo = low32(n);
  out[off]! ^= hi >>> 24;
  out[off + 1]! ^= (hi >>> 16) & 0xff;
  out[off + 2]! ^= (hi >>> 8) & 0xff;
  out[off + 3]! ^= hi & 0xff;
  out[off + 4]! ^= lo >>> 24;
  out[off + 5]! ^= (lo >>> 16) & 0xff;
  out[off + 6]! ^= (lo >>> 8) & 0xff;
  out[off + 7]! ^= lo & 0xff;
}

export function readU64be(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset + off, 8).getBigUint64(0);
}

export const MAX_U64 = (1n << 64n) - 1n;
