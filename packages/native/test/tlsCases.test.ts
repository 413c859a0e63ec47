/**
 * The port's coverage of tls.c, checked on the host: vm/tls-cases.mjs reads a tls.c's cases as
 * the kselftest harness runs them, and every case of each kernel's list (vm/tls-cases.json, from
 * Debian's linux-source packages) has a kernel test of the same name (docs/kernel-tls.md §10).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { casesOf, compareWithC, portedCounts, tapVerdicts } from '../vm/tls-cases.mjs';
import { TESTS } from './kernel/framework.js';
import './kernel/all.js';

const lists = JSON.parse(
  readFileSync(new URL('../vm/tls-cases.json', import.meta.url), 'utf8'),
) as Record<string, string[]>;

describe('tls.c case lists', () => {
  it('reads TEST_F × variants and TEST(), leaving out SM4 and ARIA', () => {
    const source = [
      'FIXTURE(tls) {};',
      'FIXTURE_VARIANT_ADD(tls, 12_aes_gcm) {};',
      'FIXTURE_VARIANT_ADD(tls, 13_sm4_gcm) {};',
      'FIXTURE_VARIANT_ADD(tls, 12_aria_gcm) {};',
      'FIXTURE_VARIANT_ADD(tls, 13_nopad) {};',
      'TEST_F(tls, recv_max)',
      'TEST_F(tls_basic, base_base)',
      'TEST(keysizes) {',
    ].join('\n');
    expect(casesOf(source)).toEqual([
      'tls.recv_max[12_aes_gcm]',
      'tls.recv_max[13_nopad]',
      'tls_basic.base_base',
      'keysizes',
    ]);
  });

  it('holds the counts the C binaries run: 549 on 6.1, 655 on 7.2', () => {
    expect(lists['6.1']?.length).toBe(549);
    expect(lists['7.2']?.length).toBe(655);
  });

  it('has a kernel test for every case of both kernels', () => {
    const names = new Set(TESTS.map((t) => t.name));
    for (const [kernel, cases] of Object.entries(lists)) {
      expect(
        cases.filter((c) => !names.has(c)),
        kernel,
      ).toEqual([]);
    }
  });

  it('counts a run: ported cases and their verdicts, and what has no row', () => {
    const report = {
      kernels: [
        {
          version: '7.2.13+deb14-amd64',
          suite: {
            tests: [
              { name: 'keysizes', status: 'pass' },
              { name: 'tls.recv_max[12_aes_gcm]', status: 'na' },
            ],
          },
        },
      ],
    };
    const [c] = portedCounts(report, { '7.2': ['keysizes', 'tls.recv_max[12_aes_gcm]', 'x'] });
    expect(c).toMatchObject({ cases: 3, ported: 2, pass: 1, na: 1, fail: 0, missing: ['x'] });
  });

  it("sets the C binary's TAP verdicts beside the port's", () => {
    const tap = [
      'ok 1 global.keysizes',
      'ok 2 tls.12_aes_gcm.recv_max',
      'not ok 3 tls.13_aes_gcm.rekey',
      'ok 4 tls_basic.base_base',
      'ok 5 tls.13_nopad.recv_max # SKIP no TLS support',
    ].join('\n');
    const v = tapVerdicts(tap, new Map([['tls', ['12_aes_gcm', '13_aes_gcm', '13_nopad']]]));
    expect([...v]).toEqual([
      ['keysizes', 'pass'],
      ['tls.recv_max[12_aes_gcm]', 'pass'],
      ['tls.rekey[13_aes_gcm]', 'fail'],
      ['tls_basic.base_base', 'pass'],
      ['tls.recv_max[13_nopad]', 'skip'],
    ]);
    const r = compareWithC([...v.keys(), 'zero_len.test[x]'], v, [
      { name: 'keysizes', status: 'pass' },
      { name: 'tls.recv_max[12_aes_gcm]', status: 'fail' },
      { name: 'tls.rekey[13_aes_gcm]', status: 'na' },
      { name: 'tls_basic.base_base', status: 'pass' },
      { name: 'tls.recv_max[13_nopad]', status: 'pass' },
    ]);
    expect(r).toEqual({
      agree: 3,
      disagree: [
        'tls.recv_max[12_aes_gcm]: C pass, port fail',
        'tls.recv_max[13_nopad]: C skip, port pass',
      ],
      noC: ['zero_len.test[x]'],
    });
  });
});
