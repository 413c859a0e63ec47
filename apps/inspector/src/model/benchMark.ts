/**
 * Phase timings for the benchmark (bench/bench.mjs): recorded as performance entries only when
 * the page was opened with `window.__inspectorBench` set, so normal sessions keep no entries.
 */
const benchOn = (): boolean =>
  (globalThis as { __inspectorBench?: boolean }).__inspectorBench === true;

export function benchMeasure(name: string, start: number): void {
  if (benchOn()) performance.measure(`inspector-${name}`, { start, end: performance.now() });
}

/**
 * When a person asked for a trace: the time stamp of the input event (a file picked or dropped),
 * which is when the browser received the input, before any task of the page ran for it. "Open to
 * painted" is measured from here, as a person experiences it.
 */
export function benchOpenRequested(eventTimeStamp: number): void {
  if (benchOn()) performance.mark('inspector-open', { startTime: eventTimeStamp });
}
