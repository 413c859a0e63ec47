import { describe, expect, it } from 'vitest';
import { parseKernelReport } from '../src/kernelReport.js';

const good = {
  when: '2026-12-06T10:00:00.000Z',
  wallMs: 1000,
  kernels: [
    {
      channel: 'stable',
      version: '6.12',
      ok: true,
      exit: 0,
      wallMs: 900,
      vmMs: 800,
      suite: {
        kernel: '6.12',
        tests: [
          {
            name: 'a[12_aes_gcm]',
            row: 'a',
            variant: '12_aes_gcm',
            group: 'g',
            status: 'pass',
            ms: 3,
          },
        ],
        wallMs: 700,
      },
    },
    { channel: 'old', version: '5.10', ok: false, exit: null, wallMs: 1, vmMs: 1, suite: null },
  ],
};

describe('kernel.json (vm/table.mjs input)', () => {
  it('accepts what vm/run.mjs writes', () => {
    expect(parseKernelReport('kernel.json', JSON.stringify(good)).kernels).toHaveLength(2);
  });

  it.each([
    ['cut off', JSON.stringify(good).slice(0, 80), /^kernel\.json: not JSON/],
    [
      'a bad status',
      JSON.stringify(good).replace('"pass"', '"passed"'),
      /^kernel\.json: at kernels\.0\.suite\.tests\.0\.status: expected "pass", "fail" or "na"$/,
    ],
    [
      'no kernels',
      JSON.stringify({ ...good, kernels: 3 }),
      /^kernel\.json: at kernels: expected an array of kernels$/,
    ],
    [
      'a bad date',
      JSON.stringify({ ...good, when: 'yesterday' }),
      /^kernel\.json: at when: expected an ISO date$/,
    ],
  ])('refuses %s with the place, in one line', (_, text, message) => {
    expect(() => parseKernelReport('kernel.json', text)).toThrow(message);
  });
});
