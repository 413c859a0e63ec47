// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UrlState } from '../model/urlState';
import { renderHook } from './renderHook';
import { type UrlView, useInitialUrlState, useUrlState } from './useUrlState';

const at = (search: string) => window.history.replaceState(null, '', `/${search}`);

const NOTHING: UrlView = { trace: null, run: null, sel: null, compare: null, step: null };

function openers() {
  return { run: vi.fn(), trace: vi.fn(), compare: vi.fn() };
}

function mount(open: ReturnType<typeof openers>, view: UrlView = NOTHING) {
  return renderHook((v: UrlView) => {
    const initial = useInitialUrlState();
    useUrlState(initial, v, open);
    return initial;
  }, view);
}

afterEach(() => at(''));

describe('useUrlState', () => {
  it('opens the trace and the compared trace the address asks for, once', () => {
    at('?trace=%2Fdata%2Fa.ndjson&compare=%2Fdata%2Fb.ndjson&step=4');
    const open = openers();
    const h = mount(open);
    expect(open.trace).toHaveBeenCalledWith('/data/a.ndjson', { step: 4, violation: false });
    expect(open.compare).toHaveBeenCalledWith('/data/b.ndjson');
    expect(open.run).not.toHaveBeenCalled();
    h.rerender({ ...NOTHING, step: 1 });
    expect(open.trace).toHaveBeenCalledTimes(1);
  });

  it('opens a run folder rather than a trace', () => {
    at('?run=%2Fout%2Findex.json&sel=2&step=9&trace=%2Fignored.ndjson');
    const open = openers();
    mount(open);
    expect(open.run).toHaveBeenCalledWith('/out/index.json', 2, 9);
    expect(open.trace).not.toHaveBeenCalled();
  });

  it('follows the view, keeping the size limit it was opened with', () => {
    at('?maxBytes=100');
    const open = openers();
    const h = mount(open);
    expect(h.result.current).toMatchObject<Partial<UrlState>>({ maxBytes: 100, trace: null });
    h.rerender({ ...NOTHING, trace: '/data/a.ndjson', step: 3 });
    expect(window.location.search).toBe('?trace=%2Fdata%2Fa.ndjson&step=3&maxBytes=100');
    h.rerender({ ...NOTHING, run: '/out/index.json', sel: 1, trace: '/out/traces/x.ndjson' });
    expect(window.location.search).toBe('?run=%2Fout%2Findex.json&sel=1&maxBytes=100');
  });

  it('keeps the last address while the view shows a trace that has none', () => {
    at('?trace=%2Fdata%2Fa.ndjson&step=3');
    const h = mount(openers(), { ...NOTHING, trace: '/data/a.ndjson', step: 3 });
    h.rerender({ ...NOTHING, step: 0 });
    expect(window.location.search).toBe('?trace=%2Fdata%2Fa.ndjson&step=3');
  });
});
