import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alloc, MAX_U64, toHex, writeU64be, xorU64be } from './bytes.js';

/** The reference: DataView's own 64-bit big-endian store (wraps modulo 2^64 like BigInt.asUintN). */
function viaDataView(n: bigint): string {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n));
  return toHex(out);
}

/** Either side of 2^53, where the Number fast path hands over to BigInt arithmetic. */
const EDGES = [
  0n,
  1n,
  0xffff_ffffn,
  0x1_0000_0000n,
  (1n << 53n) - 1n,
  1n << 53n,
  (1n << 53n) + 1n,
  MAX_U64 - 1n,
  MAX_U64,
  -1n,
];

describe('64-bit big-endian writes', () => {
  it('writeU64be matches DataView for any value, including the 2^53 edge and the wrap', () => {
    const check = (n: bigint) => {
      const out = new Uint8Array(10);
      writeU64be(out, 1, n);
      expect(toHex(out)).toBe(`00${viaDataView(n)}00`);
    };
    for (const n of EDGES) check(n);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: MAX_U64 }), check), { numRuns: 500 });
  });

  it('xorU64be XORs the same bytes into what is there (the TLS 1.3 nonce, RFC 8446 §5.3)', () => {
    const check = (n: bigint, base: Uint8Array) => {
      const out = Uint8Array.from(base);
      xorU64be(out, 4, n);
      const want = Uint8Array.from(base);
      const be = viaDataView(n);
      for (let i = 0; i < 8; i++) want[4 + i]! ^= Number.parseInt(be.slice(2 * i, 2 * i + 2), 16);
      expect(toHex(out)).toBe(toHex(want));
    };
    const iv = fc.uint8Array({ minLength: 12, maxLength: 12 });
    for (const n of EDGES) check(n, new Uint8Array(12).fill(0x5a));
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: MAX_U64 }), iv, check), { numRuns: 500 });
  });
});

describe('alloc: every region belongs to its caller', () => {
  it('never hands out overlapping regions, and never writes one after handing it out', () => {
    const held: { view: Uint8Array; fill: number }[] = [];
    // Enough small allocations to cross several slabs, with sizes that do not divide 64 KiB.
    for (let i = 0; i < 5000; i++) {
      const n = 1 + ((i * 37) % 200);
      const view = alloc(n);
      expect(view.every((b) => b === 0)).toBe(true);
      const fill = (i % 255) + 1;
      view.fill(fill);
      held.push({ view, fill });
    }
    for (const { view, fill } of held) expect(view.every((b) => b === fill)).toBe(true);
    // Views of one slab do not overlap.
    const bySlab = new Map<ArrayBufferLike, [number, number][]>();
    for (const { view } of held) {
      const list = bySlab.get(view.buffer) ?? [];
      list.push([view.byteOffset, view.byteOffset + view.length]);
      bySlab.set(view.buffer, list);
    }
    expect(bySlab.size).toBeGreaterThan(1);
    for (const ranges of bySlab.values()) {
      ranges.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++)
        expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    }
  });

  it('gives a large array a buffer of its own', () => {
    const big = alloc(5000);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(5000);
  });
});
