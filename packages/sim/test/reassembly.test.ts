/**
 * Exploration that reaches reassembly: DFS cuts a TCP segment inside a record header (once per
 * run), PCT cuts segments anywhere; small TLS 1.2 and async scenarios are in DFS's reach, and
 * both strategies catch mutants there.
 */
import { describe, expect, it } from 'vitest';
import {
  type Chooser,
  exploreDfs,
  findScenario,
  findSimDesign,
  runSeed,
  runWith,
  SCENARIOS,
} from '../src/index.js';

/** The first enabled actor always; every segment cut short when the strategy allows it. */
const cutting: Chooser = { pick: () => 0, value: (bound) => bound - 1 };

describe('partial records', () => {
  it('a record split over segments reaches the peer in pieces and is delivered whole', () => {
    const scenario = findScenario('ticket-between-data')!;
    const run = runWith(scenario, findSimDesign('linux-ktls')!, 'dfs', 0, cutting, {
      trace: true,
    });
    expect(run.violation).toBeNull();
    const segments = run.events.filter((e) => e.ep === 'server' && e.kind === 'segment');
    // The first segment is 3 bytes: inside the 5-byte header of the first record.
    expect(segments[0]).toMatchObject({ size: 3 });
    const first = run.events.find((e) => e.ep === 'server' && e.kind === 'record-out');
    expect(first && 'wire' in first ? first.wire : 0).toBeGreaterThan(3);
    // That record still reaches the client whole: 1000 bytes, then the other 1000.
    const delivered = run.events
      .filter((e) => e.ep === 'client' && e.kind === 'deliver-data')
      .map((e) => ('size' in e ? e.size : 0));
    expect(delivered).toEqual([1000, 1000]);
  });

  it('DFS explores the cut: more schedules than without it, and still exhaustive', () => {
    const scenario = findScenario('ticket-between-data')!;
    const r = exploreDfs(scenario, findSimDesign('linux-ktls')!, { maxRuns: 20_000 });
    expect(r.exhaustive).toBe(true);
    expect(r.failures).toHaveLength(0);
    // Every net step may or may not be the cut one: the tree is far bigger than the ~30
    // interleavings of whole segments.
    expect(r.runs).toBeGreaterThan(300);
  });
});

describe('small TLS 1.2 and async scenarios for DFS', () => {
  const small = SCENARIOS.filter((s) => s.small);
  it('the catalog has small TLS 1.2 and small async scenarios', () => {
    expect(small.some((s) => s.suite.startsWith('TLS_ECDHE'))).toBe(true);
    expect(small.some((s) => s.asyncDepth > 1)).toBe(true);
  });

  for (const [mutant, invariant] of [
    ['mutant-completion-order-delivery', 2],
    ['mutant-control-before-drain', 4],
  ] as const) {
    it(`DFS catches ${mutant} on async-small-control-behind-data`, () => {
      const r = exploreDfs(
        findScenario('async-small-control-behind-data')!,
        findSimDesign(mutant)!,
        {
          maxRuns: 20_000,
          stopAtFirstFailure: true,
        },
      );
      expect(r.firstFailure?.violation?.invariant).toBe(invariant);
    });
  }
});

describe('PCT', () => {
  it('catches mutant-control-before-drain on the async scenario within 50 seeds', () => {
    const scenario = findScenario('async-small-control-behind-data')!;
    const design = findSimDesign('mutant-control-before-drain')!;
    const caught = Array.from({ length: 50 }, (_, i) => runSeed(scenario, design, 'pct', i + 1))
      .filter((o) => o.violation)
      .map((o) => o.violation!.invariant);
    expect(caught.length).toBeGreaterThan(0);
    expect(new Set(caught)).toEqual(new Set([4]));
  });

  it('cuts segments anywhere, inside headers too', () => {
    const scenario = findScenario('bulk-both-ways')!;
    const sizes = new Set<number>();
    for (let seed = 1; seed <= 5; seed++) {
      const o = runSeed(scenario, findSimDesign('linux-ktls')!, 'pct', seed, { trace: true });
      expect(o.violation).toBeNull();
      for (const e of o.events) if (e.kind === 'segment' && 'size' in e) sizes.add(e.size);
    }
    expect([...sizes].some((n) => n < 5)).toBe(true);
  });
});
