// @vitest-environment jsdom
import { LANES, type Lane } from '@ktls-lab/core';
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TraceDoc } from '../model/traceDoc';
import { fitAll, LABEL_WIDTH, toPx } from '../model/viewport';
import { renderHook } from './renderHook';
import { ev, testDoc, violationAt } from './testDoc';
import { FOCUS_ZOOM, PLAY_INTERVAL_MS, useNavigation } from './useNavigation';
import { useTraceLayouts } from './useTraceLayouts';

const ALL_LANES: ReadonlySet<Lane> = new Set(LANES);

// One event per step, violations at steps 3 and 5.
const doc = testDoc([
  ev({ t: 0 }),
  ev({ t: 1 }),
  ev({ t: 2 }),
  violationAt(3),
  ev({ t: 4 }),
  violationAt(5),
]);

interface Props {
  docA: TraceDoc | null;
  docB?: TraceDoc | null;
  mask?: Uint8Array | null;
}

function navigate(props: Props) {
  return renderHook(({ docA, docB = null, mask = null }: Props) => {
    const { layouts } = useTraceLayouts(docA, docB, ALL_LANES);
    return { layouts, ...useNavigation(docA, docB, layouts, mask) };
  }, props);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('useNavigation: a new trace', () => {
  it('is fitted to the plot with nothing selected when nobody asked for an event', () => {
    const h = navigate({ docA: doc });
    expect(h.result.current.cursor).toBeNull();
    expect(h.result.current.viewport).toEqual(fitAll(doc.layout.width, 1000));
  });

  it('is focused on the asked-for event, zoomed in far enough for labels', () => {
    const h = navigate({ docA: null });
    act(() => h.result.current.focusNext({ step: 4, violation: true }));
    h.rerender({ docA: doc });
    const { cursor, viewport, layouts } = h.result.current;
    expect(cursor).toBe(4);
    expect(viewport.zoom).toBeGreaterThanOrEqual(FOCUS_ZOOM);
    const px = toPx(viewport, layouts!.a.eventX[4]!);
    expect(px).toBeGreaterThanOrEqual(LABEL_WIDTH);
    expect(px).toBeLessThan(LABEL_WIDTH + 1000);
  });

  it('is focused on its first violation when asked, or when the step is out of range', () => {
    const h = navigate({ docA: null });
    act(() => h.result.current.focusNext({ step: 99, violation: true }));
    h.rerender({ docA: doc });
    expect(h.result.current.cursor).toBe(3);
    // The request is used up: the next trace opens fitted.
    const other = testDoc([ev({ t: 0 }), violationAt(1)]);
    h.rerender({ docA: other });
    expect(h.result.current.cursor).toBeNull();
  });
});

describe('useNavigation: moves', () => {
  it('steps through the events the filter shows and says when there is no next one', () => {
    const mask = Uint8Array.from([1, 0, 1, 0, 1, 0]);
    const h = navigate({ docA: doc, mask });
    let moved = false;
    act(() => {
      moved = h.result.current.step(1);
    });
    expect(moved).toBe(true);
    expect(h.result.current.cursor).toBe(0);
    act(() => void h.result.current.step(1));
    expect(h.result.current.cursor).toBe(2);
    act(() => h.result.current.selectEnd(-1));
    expect(h.result.current.cursor).toBe(4);
    act(() => {
      moved = h.result.current.step(1);
    });
    expect(moved).toBe(false);
    expect(h.result.current.cursor).toBe(4);
    act(() => h.result.current.selectEnd(1));
    expect(h.result.current.cursor).toBe(0);
  });

  it('goes to the next violation after the cursor, then round to the first', () => {
    const h = navigate({ docA: doc });
    act(() => h.result.current.nextViolation());
    expect(h.result.current.cursor).toBe(3);
    act(() => h.result.current.nextViolation());
    expect(h.result.current.cursor).toBe(5);
    act(() => h.result.current.nextViolation());
    expect(h.result.current.cursor).toBe(3);
  });

  it('zooms about the cursor, keeping it where it is on screen, and fits back', () => {
    const h = navigate({ docA: doc });
    act(() => h.result.current.select(2));
    const x = h.result.current.layouts!.a.eventX[2]!;
    const before = toPx(h.result.current.viewport, x);
    // Out, not in: zooming the fitted six-step trace in 1.5 times would pass the largest zoom.
    act(() => h.result.current.zoomBy(1 / 1.5));
    const zoomed = h.result.current.viewport;
    expect(zoomed.zoom).toBeCloseTo(fitAll(doc.layout.width, 1000).zoom / 1.5);
    expect(toPx(zoomed, x)).toBeCloseTo(before);
    act(() => h.result.current.fit());
    expect(h.result.current.viewport).toEqual(fitAll(doc.layout.width, 1000));
  });

  it('plays one step per tick and stops at the end', () => {
    vi.useFakeTimers();
    const h = navigate({ docA: doc });
    act(() => h.result.current.selectEnd(-1));
    act(() => h.result.current.step(-1));
    expect(h.result.current.cursor).toBe(4);
    act(() => h.result.current.togglePlay());
    expect(h.result.current.playing).toBe(true);
    act(() => vi.advanceTimersByTime(PLAY_INTERVAL_MS));
    expect(h.result.current.cursor).toBe(5);
    act(() => vi.advanceTimersByTime(PLAY_INTERVAL_MS));
    expect(h.result.current.playing).toBe(false);
    expect(h.result.current.cursor).toBe(5);
  });
});

describe('useNavigation: compare', () => {
  it('puts the compared cursor on the event at the same step, and a click there back', () => {
    const docB = testDoc([ev({ t: 1 }), ev({ t: 3 }), ev({ t: 5 })], 'b.ndjson');
    const h = navigate({ docA: doc, docB });
    act(() => h.result.current.select(3));
    expect(h.result.current.cursorB).toBe(1);
    act(() => h.result.current.selectFromB(2));
    expect(h.result.current.cursor).toBe(5);
    expect(h.result.current.cursorB).toBe(2);
    // Steps are aligned: the same step is at the same x in both traces.
    const { a, b } = h.result.current.layouts!;
    expect(b!.eventX[2]).toBe(a.eventX[5]);
  });
});
