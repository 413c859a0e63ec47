import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_U64, toHex, writeU64be, xorU64be } from './bytes.js';

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
