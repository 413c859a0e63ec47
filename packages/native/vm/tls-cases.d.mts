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
export function variantsOf(source: string): Map<string, string[]>;
export function casesOf(source: string): string[];
export function portedCounts(report: unknown, lists?: Record<string, string[]>): PortedCount[];
export function formatCount(c: PortedCount): string;
export type CVerdict = 'pass' | 'fail' | 'skip';
export function tapVerdicts(
  tap: string,
  variantsByFixture: Map<string, string[]>,
): Map<string, CVerdict>;
export function compareWithC(
  cases: readonly string[],
  verdicts: Map<string, CVerdict>,
  tests: readonly { name: string; status: string }[],
): { agree: number; disagree: string[]; noC: string[] };
