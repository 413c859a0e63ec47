// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHook } from './renderHook';
import { useRunFolder } from './useRunFolder';
import type { TraceSlot } from './useTraceSlots';
import { runRow as run } from '../model/runIndex.fixtures';

const INDEX = JSON.stringify({
  format: 'ktls-lab-index',
  version: 1,
  runs: [
    run({}),
    run({ design: 'mutant-a', kind: 'mutant', verdict: 'violated', trace: 'traces/a.ndjson' }),
    run({ design: 'mutant-b', kind: 'mutant', verdict: 'violated', trace: 'traces/b.ndjson' }),
  ],
});

function folder() {
  const slot = { load: vi.fn<TraceSlot['load']>(async () => null), fail: vi.fn() };
  const focusNext = vi.fn();
  const h = renderHook(() => useRunFolder(slot, focusNext), undefined);
  return { h, slot, focusNext };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('useRunFolder', () => {
  it('opens a folder from a URL on its first failing run, its trace resolved against the URL', () => {
    const { h, slot, focusNext } = folder();
    const url = 'http://runs.test/out/index.json';
    act(() => h.result.current.openIndex(INDEX, url, url, null, null, null));
    expect(h.result.current.run).toMatchObject({ url, sel: 1 });
    expect(h.result.current.runError).toBeNull();
    expect(focusNext).toHaveBeenCalledWith({ step: null, violation: true });
    expect(slot.load).toHaveBeenCalledWith(
      { kind: 'url', url: 'http://runs.test/out/traces/a.ndjson' },
      'mutant-a × bulk-both-ways',
      'http://runs.test/out/traces/a.ndjson',
    );
  });

  it('encodes each segment of a trace path, so any legal file name reaches the server', () => {
    const { h, slot } = folder();
    const url = 'http://runs.test/out/index.json';
    const index = JSON.stringify({
      format: 'ktls-lab-index',
      version: 1,
      runs: [run({ kind: 'mutant', verdict: 'violated', trace: 'tr #1/a?b 100%.ndjson' })],
    });
    act(() => h.result.current.openIndex(index, url, url, null, null, null));
    const expected = 'http://runs.test/out/tr%20%231/a%3Fb%20100%25.ndjson';
    expect(slot.load).toHaveBeenCalledWith(
      { kind: 'url', url: expected },
      expect.any(String),
      expected,
    );
  });

  it('opens the asked-for run at the asked-for event', () => {
    const { h, slot, focusNext } = folder();
    const url = 'http://runs.test/out/index.json';
    act(() => h.result.current.openIndex(INDEX, url, url, null, 2, 7));
    expect(h.result.current.run?.sel).toBe(2);
    expect(focusNext).toHaveBeenCalledWith({ step: 7, violation: true });
    expect(slot.load.mock.calls[0]?.[1]).toBe('mutant-b × bulk-both-ways');
  });

  it('selects a run without a trace without loading anything', () => {
    const { h, slot } = folder();
    const url = 'http://runs.test/out/index.json';
    act(() => h.result.current.openIndex(INDEX, url, url, null, null, null));
    act(() => h.result.current.openEntry(h.result.current.run!, 0, null));
    expect(h.result.current.run?.sel).toBe(0);
    expect(slot.load).toHaveBeenCalledTimes(1);
  });

  it('takes the traces of a folder opened from files from the files opened with it', () => {
    const { h, slot } = folder();
    const a = new File(['x'], 'a.ndjson');
    act(() =>
      h.result.current.openIndex(INDEX, 'index.json', null, new Map([['a.ndjson', a]]), null, null),
    );
    expect(slot.load).toHaveBeenCalledWith(
      { kind: 'file', file: a },
      'mutant-a × bulk-both-ways (a.ndjson)',
      null,
    );
    act(() => h.result.current.openEntry(h.result.current.run!, 2, null));
    expect(slot.fail).toHaveBeenCalledWith('mutant-b × bulk-both-ways', {
      code: 'read-failed',
      line: 0,
      message:
        'the run folder lists traces/b.ndjson, but no file named b.ndjson was opened with index.json',
    });
  });

  it('says what is wrong with a bad index, and the error can be dismissed', () => {
    const { h, slot } = folder();
    act(() => h.result.current.openIndex('{', 'index.json', null, new Map(), null, null));
    expect(h.result.current.run).toBeNull();
    expect(h.result.current.runError).toMatch(/^index\.json: index\.json is not valid JSON/);
    expect(slot.load).not.toHaveBeenCalled();
    act(() => h.result.current.dismissError());
    expect(h.result.current.runError).toBeNull();
  });

  it('says when the index cannot be fetched', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('nope', { status: 404, statusText: 'Not Found' })),
    );
    const { h } = folder();
    await act(() => h.result.current.openUrl('http://runs.test/gone/index.json', null, null));
    expect(h.result.current.runError).toBe(
      'could not fetch the run folder index http://runs.test/gone/index.json: HTTP 404 Not Found',
    );
  });

  it('opens a fetched index', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(INDEX)),
    );
    const { h, slot } = folder();
    await act(() => h.result.current.openUrl('http://runs.test/out/index.json', null, null));
    expect(h.result.current.run).toMatchObject({ name: 'http://runs.test/out/index.json', sel: 1 });
    expect(slot.load).toHaveBeenCalledTimes(1);
  });
});
