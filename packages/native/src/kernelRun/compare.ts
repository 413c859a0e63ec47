import { type Design, LINUX_KTLS, LINUX_KTLS_PRE_REKEY } from '@ktls-lab/core';
import type { KernelRunResult } from './types.js';

/**
 * The comparison of two runs of one scenario (kernel vs core, or two core designs): what the
 * apps and control planes observed, side by side.
 */

/** The core design a kernel should match: `linux-ktls` with TLS 1.3 rekey, else the pre-6.14 one. */
export function designForKernel(hasRekey: boolean): Design {
  return hasRekey ? LINUX_KTLS : LINUX_KTLS_PRE_REKEY;
}

/** Differences between what the apps and control planes observed in two runs ([] = none). */
export function compareRuns(a: KernelRunResult, b: KernelRunResult): string[] {
  const diffs: string[] = [];
  for (const side of ['client', 'server'] as const) {
    const x = a[side];
    const y = b[side];
    if (x.dataLength !== y.dataLength || x.data !== y.data) {
      diffs.push(
        `${side} app data: ${x.dataLength} B (${x.data}) vs ${y.dataLength} B (${y.data})`,
      );
    }
    if (JSON.stringify(x.control) !== JSON.stringify(y.control)) {
      diffs.push(
        `${side} control records: ${JSON.stringify(x.control)} vs ${JSON.stringify(y.control)}`,
      );
    }
    if (JSON.stringify(x.events) !== JSON.stringify(y.events)) {
      diffs.push(
        `${side} control plane: ${JSON.stringify(x.events)} vs ${JSON.stringify(y.events)}`,
      );
    }
    if (x.end !== y.end) diffs.push(`${side} end: ${x.end} vs ${y.end}`);
  }
  return diffs;
}
