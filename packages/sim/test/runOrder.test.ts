/**
 * The simulator keeps caches shared by every run in a thread (world/keyCache.ts: derived crypto
 * states, next traffic secrets, engine key handles; world/app.ts: the app data pattern). A run must
 * still be a pure function of (scenario, design, choices): its trace may not depend on which runs
 * came before it, in which order, or whether the caches were emptied in between.
 */
import { traceHash } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { runSeed, SCENARIOS, SIM_DESIGNS, traceOf } from '../src/index.js';
import { clearKeyCache } from '../src/world/keyCache.js';

interface Job {
  readonly scenario: (typeof SCENARIOS)[number];
  readonly design: (typeof SIM_DESIGNS)[number];
  readonly strategy: 'random' | 'pct';
  readonly seed: number;
}

const jobs: Job[] = SCENARIOS.flatMap((scenario) =>
  SIM_DESIGNS.filter((_, i) => i % 3 === 0).flatMap((design) =>
    (['random', 'pct'] as const).flatMap((strategy) =>
      [1, 2].map((seed) => ({ scenario, design, strategy, seed })),
    ),
  ),
);

const key = (j: Job) => `${j.scenario.name} ${j.design.name} ${j.strategy} ${j.seed}`;

function hashes(order: readonly Job[], between?: () => void): Map<string, string> {
  const out = new Map<string, string>();
  for (const j of order) {
    between?.();
    const run = runSeed(j.scenario, j.design, j.strategy, j.seed, { trace: true });
    out.set(key(j), `${run.verdict} ${run.steps} ${traceHash(traceOf(run))}`);
  }
  return out;
}

describe('a run does not depend on the runs before it in the same thread', () => {
  it('catalog order, reverse order, and each run after emptied caches give the same traces', () => {
    const forward = hashes(jobs);
    const reverse = hashes([...jobs].reverse());
    const cold = hashes(jobs, clearKeyCache);
    expect(forward.size).toBe(jobs.length);
    for (const [k, v] of forward) {
      expect(reverse.get(k), k).toBe(v);
      expect(cold.get(k), k).toBe(v);
    }
    // The jobs cover every suite, so the caches were shared across suites (and hashes differ).
    expect(new Set(jobs.map((j) => j.scenario.suite)).size).toBeGreaterThan(3);
    expect(new Set(forward.values()).size).toBeGreaterThan(jobs.length / 2);
  });

  it('a run between two runs of the same seed leaves the second identical to the first', () => {
    // Interleave each job with a run of a different suite and design, which touches the same caches.
    for (const j of jobs.filter((_, i) => i % 7 === 0)) {
      const first = traceOf(runSeed(j.scenario, j.design, j.strategy, j.seed, { trace: true }));
      const other = jobs[(jobs.indexOf(j) + jobs.length / 2) % jobs.length]!;
      runSeed(other.scenario, other.design, other.strategy, other.seed + 10);
      const again = traceOf(runSeed(j.scenario, j.design, j.strategy, j.seed, { trace: true }));
      expect(again, key(j)).toBe(first);
    }
  });
});
