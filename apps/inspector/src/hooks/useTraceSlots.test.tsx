// @vitest-environment jsdom
import { serializeTrace } from '@ktls-lab/core';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { TEST_HEADER } from '../model/testHeader';
import { renderHook } from './renderHook';
import { ev } from './testDoc';
import { useTraceSlots } from './useTraceSlots';

const text = (n: number) =>
  serializeTrace(
    TEST_HEADER,
    Array.from({ length: n }, (_, t) => ev({ t })),
  );

describe('useTraceSlots', () => {
  it('shows a trace once it is parsed, and says when either slot is loading', async () => {
    const h = renderHook(useTraceSlots, 1 << 20);
    expect(h.result.current).toMatchObject({ docA: null, docB: null, loading: false });
    let done: Promise<unknown> = Promise.resolve();
    act(() => {
      done = h.result.current.compare.load({ kind: 'text', text: text(3), name: 'b' }, 'b', null);
    });
    expect(h.result.current.compare.slot).toMatchObject({ status: 'loading', name: 'b' });
    expect(h.result.current.loading).toBe(true);
    await act(() => done);
    expect(h.result.current.loading).toBe(false);
    expect(h.result.current.docA).toBeNull();
    expect(h.result.current.docB).toMatchObject({ name: 'b', url: null });
    expect(h.result.current.docB?.events.length).toBe(3);
  });

  it('drops a load that a later one overtook', async () => {
    const h = renderHook(useTraceSlots, 1 << 20);
    let first: Promise<unknown> = Promise.resolve();
    let second: Promise<unknown> = Promise.resolve();
    act(() => {
      first = h.result.current.primary.load({ kind: 'text', text: text(5), name: 'a' }, 'a', null);
      second = h.result.current.primary.load({ kind: 'text', text: text(2), name: 'b' }, 'b', null);
    });
    await act(async () => {
      expect(await first).toBeNull();
      await second;
    });
    expect(h.result.current.docA).toMatchObject({ name: 'b' });
    expect(h.result.current.docA?.events.length).toBe(2);
  });

  it('keeps a failure, and a clear empties the slot and drops its load', async () => {
    const h = renderHook(useTraceSlots, 1 << 20);
    let done: Promise<unknown> = Promise.resolve();
    act(() => {
      done = h.result.current.primary.load(
        { kind: 'text', text: 'nonsense', name: 'x' },
        'x',
        null,
      );
    });
    await act(() => done);
    expect(h.result.current.primary.slot).toMatchObject({ status: 'error', name: 'x' });
    act(() => {
      done = h.result.current.primary.load({ kind: 'text', text: text(1), name: 'y' }, 'y', null);
      h.result.current.primary.clear();
    });
    await act(() => done);
    expect(h.result.current.primary.slot).toEqual({ status: 'empty' });
  });
});
