/**
 * Deterministic test input: xorshift32 (Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003,
 * the 13/17/5 triple). A failing case names the same bytes on every run and every machine; no
 * Math.random anywhere in the conformance suite.
 */
export class TestPrng {
  #x: number;

  constructor(seed: number) {
    this.#x = seed >>> 0 || 1;
  }

  /** The next 32-bit state, as an unsigned number. */
  next(): number {
    let x = this.#x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#x = x >>> 0;
    return this.#x;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }

  /** `n` bytes: the low byte of each successive state. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** `n` deterministic bytes from `seed` (a fresh TestPrng). */
export function testBytes(n: number, seed: number): Uint8Array {
  return new TestPrng(seed).bytes(n);
}

/** `b` copied into a larger buffer at `offset`: the same bytes as a view that is not aligned. */
export function at(b: Uint8Array, offset: number): Uint8Array {
  const host = new Uint8Array(b.length + offset + 3);
  host.set(b, offset);
  return host.subarray(offset, offset + b.length);
}

/**
 * The same bytes as each kind of view an engine may be handed: its own buffer, a view at an odd
 * offset into a larger one, and (for empty input) a view over a zero-byte ArrayBuffer, which
 * node:crypto hands to OpenSSL as a NULL pointer.
 */
export function views(b: Uint8Array): Uint8Array[] {
  const out = [Uint8Array.from(b), at(b, 3)];
  if (b.length === 0) out.push(new Uint8Array(new ArrayBuffer(0)));
  return out;
}

/** A copy of `b` with bit `bit` (0 = the low bit of byte 0) flipped. */
export function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** A seed from a label (FNV-1a, 32 bits), so each case draws its own fixed stream. */
export function seedOf(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
