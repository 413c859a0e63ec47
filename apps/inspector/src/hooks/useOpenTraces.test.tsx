// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderHook } from './renderHook';
import { NO_FOCUS } from './useNavigation';
import { useOpenTraces } from './useOpenTraces';
import type { TraceSlot } from './useTraceSlots';

function slot(): TraceSlot {
  return {
    slot: { status: 'empty' },
    load: vi.fn(async () => null),
    clear: vi.fn(),
    fail: vi.fn(),
  };
}

function opener() {
  const primary = slot();
  const compare = slot();
  const runs = { openIndex: vi.fn(), close: vi.fn(), dismissError: vi.fn() };
  const focusNext = vi.fn();
  const h = renderHook(() => useOpenTraces(primary, compare, runs, focusNext), undefined);
  return { open: h.result.current, primary, compare, runs, focusNext };
}

const file = (name: string, text = '') => new File([text], name);

describe('useOpenTraces: files', () => {
  it('opens one trace in place of the run folder, and closes the comparison', async () => {
    const { open, primary, compare, runs, focusNext } = opener();
    const a = file('a.ndjson');
    await act(() => open.openFiles([a]));
    expect(runs.close).toHaveBeenCalled();
    expect(runs.dismissError).toHaveBeenCalled();
    expect(focusNext).toHaveBeenCalledWith(NO_FOCUS);
    expect(primary.load).toHaveBeenCalledWith({ kind: 'file', file: a }, 'a.ndjson', null);
    expect(compare.clear).toHaveBeenCalled();
    expect(compare.load).not.toHaveBeenCalled();
  });

  it('compares the second of two traces with the first', async () => {
    const { open, primary, compare } = opener();
    const [a, b] = [file('a.ndjson'), file('b.ndjson')];
    await act(() => open.openFiles([a, b]));
    expect(primary.load).toHaveBeenCalledWith({ kind: 'file', file: a }, 'a.ndjson', null);
    expect(compare.load).toHaveBeenCalledWith({ kind: 'file', file: b }, 'b.ndjson', null);
    expect(compare.clear).not.toHaveBeenCalled();
  });

  it('opens an index.json with the traces opened with it as a run folder', async () => {
    const { open, primary, compare, runs } = opener();
    const index = file('index.json', '{"runs":[]}');
    const a = file('a.ndjson');
    await act(() => open.openFiles([a, index]));
    expect(compare.clear).toHaveBeenCalled();
    expect(runs.openIndex).toHaveBeenCalledWith(
      '{"runs":[]}',
      'index.json',
      null,
      new Map([
        ['a.ndjson', a],
        ['index.json', index],
      ]),
      null,
      null,
    );
    expect(primary.load).not.toHaveBeenCalled();
  });

  it('opens a trace to compare in the compare slot only, never as a run folder', async () => {
    const { open, primary, compare, runs } = opener();
    const b = file('b.ndjson');
    await act(() => open.openFiles([file('index.json'), b], true));
    expect(compare.load).toHaveBeenCalledWith({ kind: 'file', file: b }, 'b.ndjson', null);
    expect(primary.load).not.toHaveBeenCalled();
    expect(runs.openIndex).not.toHaveBeenCalled();
    expect(runs.close).not.toHaveBeenCalled();
  });

  it('does nothing for an empty pick', async () => {
    const { open, primary, compare, runs } = opener();
    await act(() => open.openFiles([]));
    expect(primary.load).not.toHaveBeenCalled();
    expect(compare.clear).not.toHaveBeenCalled();
    expect(runs.close).not.toHaveBeenCalled();
  });
});

describe('useOpenTraces: URLs and the simulator', () => {
  it('opens a URL with the focus asked for, and a compared URL', () => {
    const { open, primary, compare, focusNext } = opener();
    open.openTraceUrl('/data/a.ndjson', { step: 3, violation: false });
    expect(focusNext).toHaveBeenCalledWith({ step: 3, violation: false });
    expect(primary.load).toHaveBeenCalledWith(
      { kind: 'url', url: '/data/a.ndjson' },
      '/data/a.ndjson',
      '/data/a.ndjson',
    );
    open.openCompareUrl('/data/b.ndjson');
    expect(compare.load).toHaveBeenCalledWith(
      { kind: 'url', url: '/data/b.ndjson' },
      '/data/b.ndjson',
      '/data/b.ndjson',
    );
  });

  it('opens a simulated trace in place of the run folder, or in the compare slot', () => {
    const { open, primary, compare, runs } = opener();
    const trace = { name: 'sim run', text: '{}\n' };
    open.openSimTrace(trace, true);
    expect(compare.load).toHaveBeenCalledWith({ kind: 'text', ...trace }, 'sim run', null);
    expect(runs.close).not.toHaveBeenCalled();
    open.openSimTrace(trace, false);
    expect(runs.close).toHaveBeenCalled();
    // The run folder's error, if one is shown, stays.
    expect(runs.dismissError).not.toHaveBeenCalled();
    expect(primary.load).toHaveBeenCalledWith({ kind: 'text', ...trace }, 'sim run', null);
  });
});
