/**
 * The kernel suite: tests that need a real AF_ALG / kernel TLS. Each registers what it needs; the
 * in-VM runner (main.ts) runs them all in one Node process per kernel, and on a host without the
 * features the vitest wrapper (test/kernel.test.ts) reports which ones cannot run here and why.
 * Assertions use node:assert so the same bodies run under both.
 */
import type { ProbeResult } from '../../src/index.js';

/** What a test needs from the kernel. `tx:<version>:<cipherType>`: TLS_TX accepts that pair. */
export type Need =
  | 'afalg'
  | 'ktls'
  | 'rekey'
  | 'no-rekey'
  | 'max-payload'
  | `tx:${number}:${number}`;

export interface KernelTest {
  /** Unique name, e.g. `tls.control_msg[13_aes_gcm]`. */
  readonly name: string;
  /** Table row: the selftest (or check) name without the variant. */
  readonly row: string;
  /** Table column group: the variant, or '' for tests without variants. */
  readonly variant: string;
  readonly group: 'afalg' | 'selftest' | 'differential' | 'rfc2015' | 'kcm' | 'node-ktls';
  readonly needs: readonly Need[];
  /** The test; a string it returns is a note for the report (a measurement, the kernel's answer). */
  readonly run: () => unknown;
}

/** Thrown by a test that does not apply to this kernel; the reason goes in the table. */
export class NotApplicable extends Error {
  override readonly name = 'NotApplicable';
}

export const TESTS: KernelTest[] = [];

export function kernelTest(
  group: KernelTest['group'],
  row: string,
  variant: string,
  needs: readonly Need[],
  run: () => unknown,
): void {
  const name = variant === '' ? row : `${row}[${variant}]`;
  if (TESTS.some((t) => t.name === name)) throw new Error(`duplicate kernel test ${name}`);
  TESTS.push({ name, row, variant, group, needs, run });
}

/** Why `need` is not met on this kernel, or null when it is. */
export function unmet(need: Need, p: ProbeResult): string | null {
  switch (need) {
    case 'afalg':
      return p.afAlg.available ? null : p.afAlg.explanation;
    case 'ktls':
      return p.tlsUlp.available ? null : p.tlsUlp.explanation;
    case 'rekey':
      if (!p.tlsUlp.available) return p.tlsUlp.explanation;
      return p.rekey.available ? null : `no TLS 1.3 rekey on this kernel (${p.rekey.explanation})`;
    case 'no-rekey':
      if (!p.tlsUlp.available) return p.tlsUlp.explanation;
      return p.rekey.available
        ? 'this kernel has TLS 1.3 rekey; the pre-6.14 EBUSY behaviour cannot be observed'
        : null;
    case 'max-payload':
      if (!p.tlsUlp.available) return p.tlsUlp.explanation;
      return p.maxPayloadLen.available ? null : p.maxPayloadLen.explanation;
    default: {
      if (!p.tlsUlp.available) return p.tlsUlp.explanation;
      const [, v, c] = need.split(':');
      const version = Number(v) === 0x0303 ? 'TLS 1.2' : 'TLS 1.3';
      const entry = p.tlsTx.find((x) => x.version === version && x.cipherType === Number(c));
      if (entry === undefined) return `cipher ${c} was not probed`;
      return entry.available ? null : `${version} ${entry.cipher}: ${entry.explanation}`;
    }
  }
}

export function unmetNeeds(t: KernelTest, p: ProbeResult): string | null {
  for (const n of t.needs) {
    const why = unmet(n, p);
    if (why !== null) return why;
  }
  return null;
}
