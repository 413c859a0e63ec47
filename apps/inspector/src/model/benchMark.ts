/**
 * Phase timings for the benchmark (bench/bench.mjs): recorded as performance measures only when
 * the page was opened with `window.__inspectorBench` set, so normal sessions keep no entries.
 */
export function benchMeasure(name: string, start: number): void {
  if ((globalThis as { __inspectorBench?: boolean }).__inspectorBench) {
    performance.measure(`inspector-${name}`, { start, end: performance.now() });
  }
}
