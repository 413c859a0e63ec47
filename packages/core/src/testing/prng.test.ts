import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.js';
import { TestPrng, testBytes } from './prng.js';

describe('TestPrng', () => {
  it('is xorshift32: pinned bytes, and seed 0 behaves as seed 1', () => {
    // The bytes the AF_ALG kernel tests have always drawn (their former local xorshift).
    expect(toHex(testBytes(16, 7))).toBe('e7074345ff94ba57af0afde4a8fe4535');
    expect(toHex(testBytes(12, 0))).toBe('2101c54fd1d01ab22574cb37');
    expect(toHex(testBytes(12, 1))).toBe(toHex(testBytes(12, 0)));
    const p = new TestPrng(42);
    for (let i = 0; i < 1000; i++) {
      const n = p.int(3, 9);
      expect(n >= 3 && n <= 9).toBe(true);
    }
  });
});
