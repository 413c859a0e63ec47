import { afterEach, describe, expect, it } from 'vitest';
import { benchMeasure, benchOpenRequested } from './benchMark';

const flag = globalThis as { __inspectorBench?: boolean };

afterEach(() => {
  delete flag.__inspectorBench;
  performance.clearMarks();
  performance.clearMeasures();
});

describe('bench entries', () => {
  it('are recorded only on a page opened for the benchmark', () => {
    benchOpenRequested(12.5);
    benchMeasure('parse', performance.now());
    expect(performance.getEntriesByName('inspector-open')).toHaveLength(0);
    expect(performance.getEntriesByName('inspector-parse')).toHaveLength(0);
  });

  it('mark an open at the input event time stamp, not when the page got to it', () => {
    flag.__inspectorBench = true;
    benchOpenRequested(12.5);
    const [open] = performance.getEntriesByName('inspector-open');
    expect(open?.startTime).toBe(12.5);
    const start = performance.now();
    benchMeasure('parse', start);
    const [parse] = performance.getEntriesByName('inspector-parse');
    expect(parse?.startTime).toBe(start);
    expect(parse?.duration).toBeGreaterThanOrEqual(0);
  });
});
