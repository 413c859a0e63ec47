import { LINUX_KTLS, parseTrace, traceHash } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import {
  checkDeterminism,
  exploreDfs,
  findScenario,
  findSimDesign,
  formatRepro,
  parseRepro,
  ReplayChooser,
  ReproError,
  replay,
  runSeed,
  runWith,
  SCENARIOS,
  SIM_DESIGNS,
  type SimDesign,
  shrink,
  traceOf,
} from '../src/index.js';

const correct = SIM_DESIGNS.filter((d) => d.kind === 'correct');
const mutants = SIM_DESIGNS.filter((d) => d.kind === 'mutant');

describe('correct designs hold', () => {
  for (const design of correct) {
    it(`${design.name} holds on every scenario (40 random + 10 PCT schedules each)`, () => {
      for (const scenario of SCENARIOS) {
        for (let seed = 1; seed <= 40; seed++) {
          const o = runSeed(scenario, design, 'random', seed);
          expect(o.violation, `${scenario.name} seed ${seed}: ${o.repro}`).toBeNull();
        }
        for (let seed = 1; seed <= 10; seed++) {
          const o = runSeed(scenario, design, 'pct', seed);
          expect(o.violation, `${scenario.name} pct seed ${seed}: ${o.repro}`).toBeNull();
        }
      }
    });
  }

  it('exhaustive DFS with sleep sets finds nothing on the small scenarios', () => {
    for (const design of correct) {
      for (const scenario of SCENARIOS.filter((s) => s.small)) {
        const r = exploreDfs(scenario, design, { maxRuns: 10_000 });
        expect(r.exhaustive, `${design.name} × ${scenario.name}`).toBe(true);
        expect(r.failures).toHaveLength(0);
        expect(r.runs).toBeGreaterThan(10);
      }
    }
    // A few thousand schedules per scenario since DFS cuts segments: time for a loaded machine.
  }, 180_000);
});

describe('partial-order reduction', () => {
  it('sleep sets prune schedules but reach the same violations as plain DFS', () => {
    for (const [designName, scenarioName] of [
      ['mutant-no-freeze-on-key-update', 'key-update-one-way'],
      ['mutant-upper-layer-not-freezing', 'kcm-framed-control-inside'],
      ['linux-ktls', 'zero-length-records'],
    ] as const) {
      const design = findSimDesign(designName)!;
      const scenario = findScenario(scenarioName)!;
      const reduced = exploreDfs(scenario, design, { maxRuns: 20_000 });
      const plain = exploreDfs(scenario, design, { maxRuns: 20_000, reduction: false });
      expect(reduced.exhaustive && plain.exhaustive).toBe(true);
      expect(reduced.runs).toBeLessThan(plain.runs);
      const kinds = (r: typeof plain) =>
        new Set(r.failures.map((f) => f.violation!.message.replace(/#\d+|seq \d+/g, '#')));
      expect([...kinds(reduced)].sort()).toEqual([...kinds(plain)].sort());
    }
  }, 180_000);
});

describe('every mutant is caught, by the invariant it breaks', () => {
  for (const design of mutants) {
    it(design.name, () => {
      const caught = new Set<number>();
      for (const scenario of SCENARIOS) {
        for (let seed = 1; seed <= 60; seed++) {
          const o = runSeed(scenario, design, 'random', seed);
          if (o.violation) {
            caught.add(o.violation.invariant);
            break;
          }
        }
      }
      expect(caught.size, `${design.name} escaped every scenario`).toBeGreaterThan(0);
      expect(
        [...caught].some((i) => design.caughtBy!.includes(i)),
        `caught by ${[...caught]} not ${design.caughtBy}`,
      ).toBe(true);
    });
  }
});

function firstFailure(design: SimDesign, scenarioName: string) {
  const scenario = findScenario(scenarioName)!;
  for (let seed = 1; seed <= 200; seed++) {
    const o = runSeed(scenario, design, 'random', seed);
    if (o.violation) return { scenario, o };
  }
  throw new Error(`no failure for ${design.name} on ${scenarioName}`);
}

describe('replay, determinism and shrinking', () => {
  it('a repro string replays the same violation and the same trace, byte for byte', () => {
    const { o } = firstFailure(
      findSimDesign('mutant-completion-order-delivery')!,
      'async-depth-8-control-behind-data',
    );
    const again = replay(o.repro, { trace: true });
    expect(again.violation).toEqual(o.violation);
    expect(again.steps).toBe(o.steps);
    const t1 = traceOf(again);
    const t2 = traceOf(replay(o.repro, { trace: true }));
    expect(t1).toBe(t2);
    expect(checkDeterminism(o.repro)).toBe(traceHash(t1));
    const parsed = parseTrace(t1);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.header.repro).toBe(o.repro);
      expect(parsed.events.at(-1)?.kind).toBe('violation');
    }
  });

  it('the same seed gives the same trace in every scenario', () => {
    const design = findSimDesign('linux-ktls')!;
    for (const scenario of SCENARIOS) {
      const a = runSeed(scenario, design, 'random', 7, { trace: true });
      const b = runSeed(scenario, design, 'random', 7, { trace: true });
      expect(traceHash(traceOf(a))).toBe(traceHash(traceOf(b)));
      expect(a.events.length).toBeGreaterThan(5);
    }
  });

  it('shrinks a failing schedule to a locally minimal one', () => {
    const design = findSimDesign('mutant-control-before-drain')!;
    const { scenario, o } = firstFailure(design, 'async-depth-8-control-behind-data');
    const { shrunk } = shrink(scenario, design, o);
    expect(shrunk.violation?.invariant).toBe(o.violation!.invariant);
    expect(shrunk.choices.length).toBeLessThanOrEqual(o.choices.length);
    // Locally minimal: no single choice can be removed or lowered while the run still fails the
    // same way with a simpler schedule (fewer choices, or as many with a smaller sum).
    const sum = (c: readonly number[]) => c.reduce((a, b) => a + b, 0);
    const simpler = (candidate: number[]) => {
      const r = runWith(scenario, design, 'random', o.seed, new ReplayChooser(candidate));
      if (r.violation?.invariant !== o.violation!.invariant) return false;
      const n = r.choices.length;
      return (
        n < shrunk.choices.length ||
        (n === shrunk.choices.length && sum(r.choices) < sum(shrunk.choices))
      );
    };
    for (let i = 0; i < shrunk.choices.length; i++) {
      expect(simpler([...shrunk.choices.slice(0, i), ...shrunk.choices.slice(i + 1)])).toBe(false);
      if (shrunk.choices[i]! > 0) {
        const lowered = shrunk.choices.slice();
        lowered[i] = shrunk.choices[i]! - 1;
        expect(simpler(lowered)).toBe(false);
      }
    }
  });

  it('rejects bad repro strings with a typed error that says what is wrong', () => {
    expect(() => parseRepro('garbage')).toThrow(ReproError);
    expect(() => parseRepro('ktls9:a:b:random:1:')).toThrow(/version ktls9 is not supported/);
    expect(() => parseRepro('ktls1:a:b:random:1')).toThrow(/6 fields/);
    expect(() => parseRepro('ktls1:a:b:sideways:1:')).toThrow(/unknown strategy/);
    expect(() => parseRepro('ktls1:a:b:random:x:')).toThrow(/seed/);
    expect(() => parseRepro('ktls1:a:b:random:1:gA')).toThrow(/truncated/);
    expect(() => replay('ktls1:bulk-both-wayz:linux-ktls:random:1:')).toThrow(
      /did you mean bulk-both-ways/,
    );
    const r = {
      scenario: 'bulk-both-ways',
      design: 'linux-ktls',
      strategy: 'random' as const,
      seed: 5,
      choices: [0, 1, 127, 128, 300000],
    };
    expect(parseRepro(formatRepro(r))).toEqual(r);
  });
});

describe('liveness', () => {
  it('reports a stuck run with who waits for whom', () => {
    // A data plane that freezes at KeyUpdate but refuses the next key: nothing can resume it.
    const design: SimDesign = {
      ...findSimDesign('linux-ktls')!,
      name: 'test-freeze-without-rekey',
      design: { ...LINUX_KTLS, rx: { ...LINUX_KTLS.rx, rekey: false } },
    };
    const o = runSeed(findScenario('key-update-one-way')!, design, 'random', 1);
    expect(o.violation?.invariant).toBe(8);
    expect(o.violation?.message).toMatch(/server RX frozen after a KeyUpdate/);
    expect(o.violation?.message).toMatch(/bytes from client wait/);
  });
});
