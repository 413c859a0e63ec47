// @vitest-environment jsdom
import { LANES, type Lane } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import type { TraceDoc } from '../model/traceDoc';
import { renderHook } from './renderHook';
import { ev, testDoc } from './testDoc';
import { layoutPair, useTraceLayouts } from './useTraceLayouts';

const ALL_LANES: ReadonlySet<Lane> = new Set(LANES);

// A: three events at step 1 (a wide column), one at step 2. B: one event at each of steps 1, 2.
const docA = testDoc([ev({ t: 1 }), ev({ t: 1 }), ev({ t: 1 }), ev({ t: 2 })], 'a.ndjson');
const docB = testDoc([ev({ t: 1 }), ev({ t: 2 })], 'b.ndjson');

describe('layoutPair', () => {
  it("keeps a lone trace's own layout (the load worker's), not a new one", () => {
    const pair = layoutPair(docA, null);
    expect(pair.a).toBe(docA.layout);
    expect(pair.b).toBeNull();
  });

  it('puts the same step at the same x in both traces', () => {
    const { a, b } = layoutPair(docA, docB);
    // Step 2 is the last event of A and of B: B's is pushed right past A's wide step 1.
    expect(b!.eventX[1]).toBe(a.eventX[3]);
    expect(b!.eventX[1]).toBeGreaterThan(docB.layout.eventX[1]!);
    expect(b!.width).toBe(a.width);
  });
});

describe('useTraceLayouts', () => {
  interface Props {
    docA: TraceDoc | null;
    docB: TraceDoc | null;
    lanes: ReadonlySet<Lane>;
  }
  const render = (props: Props) =>
    renderHook(({ docA, docB, lanes }: Props) => useTraceLayouts(docA, docB, lanes), props);

  it('has nothing to lay out without a main trace', () => {
    const h = render({ docA: null, docB, lanes: ALL_LANES });
    expect(h.result.current).toEqual({ layouts: null, rowsA: null, rowsB: null });
  });

  it('shows only the rows of the lanes the filter keeps, in both traces', () => {
    const h = render({ docA, docB, lanes: ALL_LANES });
    const rows = docA.layout.rows.length;
    expect(h.result.current.rowsA?.visible).toHaveLength(rows);
    h.rerender({ docA, docB, lanes: new Set<Lane>(['dp-rx']) });
    const { layouts, rowsA, rowsB } = h.result.current;
    const dpRx = layouts!.a.rows.filter((r) => r.lane === 'dp-rx').map((r) => r.index);
    expect(rowsA?.visible).toEqual(dpRx);
    expect(rowsB?.visible).toEqual(dpRx);
    // A hidden row has no place on screen.
    const hidden = layouts!.a.rows.find((r) => r.lane === 'wire')!.index;
    expect(rowsA?.y[hidden]).toBeLessThan(0);
  });

  it('lays the pair out again only when a trace changes, not when the lanes do', () => {
    const h = render({ docA, docB, lanes: ALL_LANES });
    const first = h.result.current.layouts;
    h.rerender({ docA, docB, lanes: new Set<Lane>(['wire']) });
    expect(h.result.current.layouts).toBe(first);
    h.rerender({ docA, docB: null, lanes: new Set<Lane>(['wire']) });
    expect(h.result.current.layouts).not.toBe(first);
    expect(h.result.current.layouts?.b).toBeNull();
  });
});
