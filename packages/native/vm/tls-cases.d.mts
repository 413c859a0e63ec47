// Types of vm/tls-cases.mjs for the host test (test/tlsCases.test.ts).
export interface PortedCount {
  readonly version: string;
  readonly cases: number;
  readonly ported: number;
  readonly pass: number;
  readonly fail: number;
  readonly na: number;
  readonly missing: readonly string[];
}
export function casesOf(source: string): string[];
export function portedCounts(report: unknown, lists?: Record<string, string[]>): PortedCount[];
export function formatCount(c: PortedCount): string;
