/**
 * Budgeted and seeded exploration as a library call (no CLI): in this thread from the main
 * entry, over worker threads with a real clock from `@ktls-lab/sim/node`.
 */
import { describe, expect, it } from 'vitest';
import { explore, select, verdict } from '../src/index.js';
// The worker threads load the built worker (dist/node/worker.js): this test runs on dist, and
// turbo builds sim before its tests (turbo.json).
import { explore as exploreOnNode } from '../dist/node.js';

describe('explore() in sim', () => {
  it('seeded, in this thread: the correct designs hold and the mutant is caught, deterministically', async () => {
    const selection = select(
      ['key-update-one-way'],
      ['linux-ktls', 'mutant-no-freeze-on-key-update'],
    );
    const a = await explore({ selection, strategy: 'random', seeds: 20 });
    const b = await explore({ selection, strategy: 'random', seeds: 20 });
    expect(a.stoppedBy).toMatch(/seeds|all-failed/);
    const v = verdict(a.results);
    expect(v.ok).toBe(true);
    expect(a.results.cells.find((c) => c.design === 'linux-ktls')?.failures).toBe(0);
    expect(a.results.cells.find((c) => c.design.startsWith('mutant'))?.failures).toBeGreaterThan(0);
    expect(b.results).toEqual(a.results);
  });

  it('a budget needs a clock: the main entry reads none of its own', async () => {
    await expect(
      explore({ selection: select([], []), strategy: 'random', budgetMs: 100 }),
    ).rejects.toThrow(/needs a clock/);
  });

  it('@ktls-lab/sim/node: a budget and two worker threads', async () => {
    const o = await exploreOnNode({
      selection: select(['ticket-between-data', 'bad-mac'], ['linux-ktls']),
      strategy: 'random',
      budgetMs: 1500,
      workers: 2,
    });
    expect(['budget', 'seeds']).toContain(o.stoppedBy);
    expect(o.runs).toBeGreaterThan(10);
    expect(verdict(o.results).ok).toBe(true);
  }, 30_000);
});
