import { traceHash } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import {
  checkDeterminism,
  ENCODED_PREFIX,
  explore,
  GENERATED_CELL,
  generateScenario,
  parseRepro,
  replay,
  runSeed,
  SIM_DESIGNS,
  scenarioNamed,
  scenarioSize,
  select,
  shrink,
  traceOf,
  verdict,
} from '../src/index.js';

/**
 * Generated scenarios (`src/scenario/generate.ts`) as the explorer uses them: seed s is scenario
 * `gen-<s>` under schedule seed s.
 */
const correct = SIM_DESIGNS.filter((d) => d.kind === 'correct');
const mutants = SIM_DESIGNS.filter((d) => d.kind === 'mutant');
const HOLD_SEEDS = 300;

/** The first seed whose generated scenario catches the design, or null within `limit`. */
function firstCatch(design: (typeof SIM_DESIGNS)[number], limit: number): number | null {
  for (let s = 1; s <= limit; s++) {
    if (runSeed(generateScenario(s), design, 'random', s).violation) return s;
  }
  return null;
}

describe('correct designs on generated scenarios', () => {
  for (const design of correct) {
    it(`${design.name} holds on ${HOLD_SEEDS} generated scenarios`, () => {
      for (let s = 1; s <= HOLD_SEEDS; s++) {
        const o = runSeed(generateScenario(s), design, 'random', s);
        expect(o.violation, o.repro).toBeNull();
      }
    });
  }
});

describe('what generated scenarios found, kept as regressions', () => {
  it('rfc-2015: a record held for userspace is not read after the app shut RX down with a fatal alert', () => {
    // gen-9 once broke invariant 6 (end-is-final): a heartbeat waited for the control plane, the
    // server's app sent a fatal alert (closing its RX), then the control plane still read and
    // delivered the held record. Shrunk to this scenario and schedule.
    const o = replay('ktls1:scn-AayBAwABAAIHAAAAAQUEAA:rfc-2015:random:9.ahafg7:AgACAAICAAAAAA');
    expect(o.violation).toBeNull();
    expect(o.steps).toBeGreaterThan(5);
  });
});

describe('mutants on generated scenarios', () => {
  it('every mutant is caught within the first 60 generated scenarios', () => {
    const needed = Object.fromEntries(mutants.map((m) => [m.name, firstCatch(m, 60)]));
    expect(Object.entries(needed).filter(([, s]) => s === null)).toEqual([]);
  });
});

describe('repro strings name generated scenarios', () => {
  it('same seed, same scenario, same trace; the repro replays it byte for byte', () => {
    const design = correct[0]!;
    for (const s of [1, 2, 3, 99]) {
      const a = runSeed(generateScenario(s), design, 'random', s, { trace: true });
      const b = runSeed(generateScenario(s), design, 'random', s, { trace: true });
      expect(traceOf(a)).toBe(traceOf(b));
      expect(parseRepro(a.repro).scenario).toBe(`gen-${s}`);
      const r = replay(a.repro, { trace: true });
      expect(traceHash(traceOf(r))).toBe(traceHash(traceOf(a)));
      expect(checkDeterminism(a.repro)).toBe(traceHash(traceOf(a)));
    }
  });
});

describe('shrinking a generated failure', () => {
  for (const design of mutants) {
    it(`${design.name}: shrinks scenario and schedule to a smaller failure that replays`, () => {
      const s = firstCatch(design, 60)!;
      const scenario = generateScenario(s);
      const failing = runSeed(scenario, design, 'random', s);
      const r = shrink(failing.repro, { maxAttempts: 600 });
      const shrunk = scenarioNamed(parseRepro(r.shrunk.repro).scenario)!;
      const [before, after] = [scenarioSize(scenario), scenarioSize(shrunk)];
      expect(r.shrunk.violation?.invariant).toBe(failing.violation!.invariant);
      expect(after.actions).toBeLessThan(before.actions);
      expect(after.bytes).toBeLessThanOrEqual(before.bytes);
      expect(r.shrunk.choices.length).toBeLessThanOrEqual(failing.choices.length);
      expect(shrunk.name.startsWith(ENCODED_PREFIX)).toBe(true);
      const again = replay(r.shrunk.repro);
      expect(again.violation?.invariant).toBe(failing.violation!.invariant);
      expect(again.repro).toBe(r.shrunk.repro);
      checkDeterminism(r.shrunk.repro);
    });
  }

  it('leaves a catalog scenario as it is (named regressions stay named)', () => {
    const design = mutants.find((m) => m.name === 'mutant-no-freeze-on-key-update')!;
    const scenario = select(['key-update-one-way'], []).scenarios[0]!;
    let failing = runSeed(scenario, design, 'random', 1);
    for (let s = 2; !failing.violation; s++) failing = runSeed(scenario, design, 'random', s);
    const r = shrink(failing.repro, { maxAttempts: 300 });
    expect(parseRepro(r.shrunk.repro).scenario).toBe('key-update-one-way');
  });
});

describe('explore over generated scenarios', () => {
  it('adds one generated cell per design; correct designs hold and every mutant is caught', async () => {
    const selection = { ...select([], []), scenarios: [], generated: true };
    const outcome = await explore({ selection, strategy: 'random', seeds: 60 });
    const cells = outcome.results.cells;
    expect(cells.map((c) => c.scenario)).toEqual(SIM_DESIGNS.map(() => GENERATED_CELL));
    for (const c of cells.filter((x) => x.kind === 'correct')) expect(c.runs).toBe(60);
    expect(verdict(outcome.results)).toMatchObject({ ok: true, unexpected: [], uncaught: [] });
    for (const c of cells.filter((x) => x.kind === 'mutant')) {
      expect(parseRepro(c.first!.repro).scenario).toBe(`gen-${c.first!.seed}`);
      expect(replay(c.first!.repro).violation?.invariant).toBe(c.first!.invariant);
    }
  });

  it('without the option, the selection and its tasks are what they were', async () => {
    const outcome = await explore({ selection: select([], []), strategy: 'random', seeds: 1 });
    expect(outcome.results.cells.some((c) => c.scenario === GENERATED_CELL)).toBe(false);
  });
});
