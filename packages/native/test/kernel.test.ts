/**
 * The kernel suite (test/kernel/*.ts) as seen from the host. Each group runs for real wherever its
 * kernel features exist. Where they do not (this project's machines and CI hosts), the group does
 * not skip silently: one test per group asserts that the feature is really absent, names the errno
 * and reason, and lists the tests that run in the VM instead (`pnpm test:kernel`, part of CI).
 */
import { describe, expect, it } from 'vitest';
import { probe } from '../src/index.js';
import { TESTS, unmetNeeds } from './kernel/framework.js';
import './kernel/all.js';

const host = probe();

for (const group of ['afalg', 'selftest', 'differential', 'rfc2015', 'kcm'] as const) {
  const tests = TESTS.filter((t) => t.group === group);
  const runnable = tests.filter((t) => unmetNeeds(t, host) === null);
  const blocked = tests.filter((t) => unmetNeeds(t, host) !== null);
  describe(`kernel suite: ${group}`, () => {
    it('has tests', () => {
      expect(tests.length).toBeGreaterThan(0);
    });
    for (const t of runnable) it(t.name, async () => void (await t.run()));
    if (blocked.length > 0) {
      const reasons = [...new Set(blocked.map((t) => unmetNeeds(t, host)))];
      it(`${blocked.length} tests cannot run on this kernel (${host.kernel}); they run in the VM: pnpm test:kernel`, () => {
        // Not a silent skip: the reason is checked against the probe, and printed.
        for (const r of reasons) expect(r).toMatch(/EAFNOSUPPORT|ENOENT|rekey|not probed/);
        console.log(
          `[kernel suite: ${group}] ${blocked.length} tests need kernel features this host lacks:\n` +
            reasons.map((r) => `  - ${r}`).join('\n') +
            '\n  they run inside real kernels under qemu: `pnpm test:kernel` (CI runs it)',
        );
      });
    }
  });
}
