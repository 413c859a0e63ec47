// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { SimJob, SimResult } from '../workers/simProtocol';
import { renderHook } from './renderHook';
import { useSimWorker } from './useSimWorker';

// The worker itself is not started: jsdom has none, and the hook is about what the page shows.
const replies: ((r: SimResult) => void)[] = [];
vi.mock('../workers/simClient', () => ({
  simulate: vi.fn(
    (_job: SimJob) =>
      new Promise<SimResult>((resolve) => {
        replies.push(resolve);
      }),
  ),
}));

const JOB: SimJob = {
  kind: 'seed',
  scenario: 'key-update-one-way',
  design: 'linux-ktls',
  strategy: 'random',
  seed: 1,
};

const VIOLATED: SimResult = {
  ok: true,
  text: '{"format":"ktls-lab-trace"}\n',
  verdict: 'violated',
  steps: 12,
  repro: 'ktls1:key-update-one-way:linux-ktls:random:1:',
  violation: 'frozen-means-frozen',
  name: 'linux-ktls × key-update-one-way seed 1',
};

/** Starts JOB through the hook, answers it with `reply`, and returns the hook once it settled. */
async function runAnswered(onTrace: Parameters<typeof useSimWorker>[0], reply: SimResult) {
  const h = renderHook(() => useSimWorker(onTrace), undefined);
  let done: Promise<void> = Promise.resolve();
  act(() => {
    done = h.result.current.run(JOB);
  });
  await act(async () => {
    replies.shift()!(reply);
    await done;
  });
  return h;
}

describe('useSimWorker', () => {
  it('is busy while the worker runs, then says what happened and hands the trace on', async () => {
    const onTrace = vi.fn();
    const h = renderHook(() => useSimWorker(onTrace), undefined);
    expect(h.result.current).toMatchObject({ busy: false, status: null });
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = h.result.current.run(JOB, true);
    });
    expect(h.result.current).toMatchObject({ busy: true, status: 'running in the worker…' });
    await act(async () => {
      replies.shift()!(VIOLATED);
      await done;
    });
    expect(h.result.current).toMatchObject({
      busy: false,
      status:
        'linux-ktls × key-update-one-way seed 1: violated (frozen-means-frozen) in 12 steps. repro ktls1:key-update-one-way:linux-ktls:random:1:',
    });
    expect(onTrace).toHaveBeenCalledWith(VIOLATED, true);
  });

  it('says why a run failed and hands nothing on', async () => {
    const onTrace = vi.fn();
    const h = await runAnswered(onTrace, { ok: false, message: 'unknown scenario "x"' });
    expect(h.result.current).toMatchObject({
      busy: false,
      status: 'simulator: unknown scenario "x"',
    });
    expect(onTrace).not.toHaveBeenCalled();
  });

  it('leaves the violation out of the summary of a run that held', async () => {
    const onTrace = vi.fn();
    const h = await runAnswered(onTrace, { ...VIOLATED, verdict: 'held', violation: null });
    expect(h.result.current.status).toBe(
      'linux-ktls × key-update-one-way seed 1: held in 12 steps. repro ktls1:key-update-one-way:linux-ktls:random:1:',
    );
    expect(onTrace).toHaveBeenCalledWith(expect.objectContaining({ verdict: 'held' }), false);
  });
});
