// @vitest-environment jsdom
import { LANES } from '@ktls-lab/core';
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { indexSomeText } from '../model/filter';
import type { TraceDoc } from '../model/traceDoc';
import { renderHook } from './renderHook';
import { ev, testDoc } from './testDoc';
import { useEventFilter } from './useEventFilter';

interface Props {
  docA: TraceDoc | null;
  docB: TraceDoc | null;
  loading: boolean;
}
const filter = (p: Props) => renderHook((q: Props) => useEventFilter(q.docA, q.docB, q.loading), p);

/** The idle callbacks asked for and not yet run or cancelled (jsdom has no requestIdleCallback). */
let idle: Map<number, IdleRequestCallback>;
beforeEach(() => {
  idle = new Map();
  let next = 1;
  vi.stubGlobal('requestIdleCallback', (cb: IdleRequestCallback) => {
    idle.set(next, cb);
    return next++;
  });
  vi.stubGlobal('cancelIdleCallback', (id: number) => idle.delete(id));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** Runs the pending idle callbacks, each with an idle period that is already over. */
function runIdle() {
  const pending = [...idle];
  idle.clear();
  const deadline: IdleDeadline = { didTimeout: false, timeRemaining: () => 0 };
  for (const [, cb] of pending) cb(deadline);
}

const many = (n: number, note: string) =>
  testDoc(Array.from({ length: n }, (_, t) => ev({ t, note: t === 7 ? note : 'other' })));

describe('useEventFilter', () => {
  it('shows everything until a filter is set, then masks both traces alike', () => {
    const docA = testDoc([ev({ t: 0, note: 'alpha' }), ev({ t: 1, lane: 'wire', note: 'beta' })]);
    const docB = testDoc([ev({ t: 0, note: 'beta' })]);
    const h = filter({ docA, docB, loading: true });
    expect(h.result.current.maskA).toBeNull();
    expect(h.result.current.maskB).toBeNull();
    act(() => h.result.current.setQuery('  BETA '));
    expect([...h.result.current.maskA!]).toEqual([0, 1]);
    expect([...h.result.current.maskB!]).toEqual([1]);
    act(() => h.result.current.setLanes(new Set(LANES.filter((l) => l !== 'wire'))));
    expect([...h.result.current.maskA!]).toEqual([0, 0]);
    h.unmount();
  });

  it('builds the search texts in idle time, not while a trace loads, in slices', () => {
    const doc = many(600, 'needle');
    const h = filter({ docA: doc, docB: null, loading: true });
    expect(idle.size).toBe(0);
    h.rerender({ docA: doc, docB: null, loading: false });
    expect(idle.size).toBe(1);
    // An idle period with no time left indexes one slice of 256 events and asks for another
    // period: 600 events take three.
    runIdle();
    expect(idle.size).toBe(1);
    runIdle();
    expect(idle.size).toBe(1);
    runIdle();
    expect(idle.size).toBe(0);
    // Complete: a call allowed no time at all has nothing left to do.
    expect(indexSomeText(doc.events, () => false)).toBe(true);
    h.unmount();
  });

  it('stops indexing when another trace starts loading', () => {
    const doc = many(600, 'needle');
    const h = filter({ docA: doc, docB: null, loading: false });
    expect(idle.size).toBe(1);
    h.rerender({ docA: doc, docB: null, loading: true });
    expect(idle.size).toBe(0);
    h.unmount();
  });
});
