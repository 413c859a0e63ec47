import { LANES, type TraceEvent } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { memoryTable } from './eventTable';
import { filterMask, stepFrom } from './filter';

const events = memoryTable({ endpoints: ['client', 'server'] } as never, [
  { t: 0, ep: 'client', lane: 'wire', kind: 'segment' },
  { t: 1, ep: 'server', lane: 'dp-rx', kind: 'record-in', type: 23, seq: '4' },
  { t: 2, ep: 'server', lane: 'cp', kind: 'deliver-control', type: 22 },
  { t: 3, ep: 'server', lane: 'dp-rx', kind: 'freeze', reason: 'key-update' },
] satisfies TraceEvent[]);

describe('filterMask and stepFrom', () => {
  it('shows everything without filters', () => {
    expect(filterMask(events, new Set(LANES), null, '')).toBeNull();
    expect(stepFrom(null, 4, null, 1)).toBe(0);
    expect(stepFrom(null, 4, 3, 1)).toBe(3);
    expect(stepFrom(null, 4, null, -1)).toBe(3);
  });
  it('filters by lane, content type and text, and steps over hidden events', () => {
    const byLane = filterMask(events, new Set(['dp-rx'] as const), null, '');
    expect([...byLane!]).toEqual([0, 1, 0, 1]);
    expect(stepFrom(byLane, 4, 1, 1)).toBe(3);
    expect([...filterMask(events, new Set(LANES), new Set(['22', 'none']), '')!]).toEqual([
      1, 0, 1, 1,
    ]);
    expect([...filterMask(events, new Set(LANES), null, 'KEY-UPDATE')!]).toEqual([0, 0, 0, 1]);
    expect([...filterMask(events, new Set(LANES), null, '#4')!]).toEqual([0, 1, 0, 0]);
  });
});
