import { LANES } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { memoryTable } from './eventTable';
import { filterMask, indexSomeText, stepFrom } from './filter';
import { looseEvents, TEST_HEADER } from './testHeader';

const events = memoryTable(
  TEST_HEADER,
  looseEvents([
    { t: 0, ep: 'client', lane: 'wire', kind: 'segment' },
    { t: 1, ep: 'server', lane: 'dp-rx', kind: 'record-in', type: 23, seq: '4' },
    { t: 2, ep: 'server', lane: 'cp', kind: 'deliver-control', type: 22 },
    { t: 3, ep: 'server', lane: 'dp-rx', kind: 'freeze', reason: 'key-update' },
  ]),
);

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

describe('the search index', () => {
  it('gives the same masks built a little at a time as built at once', () => {
    const many = memoryTable(
      TEST_HEADER,
      looseEvents(
        Array.from({ length: 1000 }, (_, t) => ({
          t,
          ep: t % 3 === 0 ? 'client' : 'server',
          lane: 'cp' as const,
          kind: t % 7 === 0 ? ('freeze' as const) : ('note' as const),
          note: `n${t}`,
        })),
      ),
    );
    const whole = filterMask(many, new Set(LANES), null, 'freeze');
    const sliced = memoryTable(TEST_HEADER, [
      ...Array.from({ length: 1000 }, (_, i) => many.at(i)),
    ]);
    // One batch of 256 per call when told to stop: 512 of 1,000 after two.
    expect(indexSomeText(sliced, () => false)).toBe(false);
    expect(indexSomeText(sliced, () => false)).toBe(false);
    // A search with the index half built finishes it, and agrees.
    expect([...filterMask(sliced, new Set(LANES), null, 'freeze')!]).toEqual([...whole!]);
    expect(indexSomeText(sliced)).toBe(true);
    expect(whole!.reduce((a, b) => a + b, 0)).toBe(143);
  });
});
