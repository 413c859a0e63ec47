/** The simulator as a library user meets it: one trace default, typed errors, repro strings. */
import { parseTrace } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import {
  findScenario,
  findSimDesign,
  ReproError,
  replay,
  runSeed,
  shrink,
  traceOf,
  UntracedRunError,
} from '../src/index.js';

const scenario = findScenario('key-update-one-way')!;
const mutant = findSimDesign('mutant-no-freeze-on-key-update')!;
const failingSeed = (() => {
  for (let seed = 1; ; seed++) if (runSeed(scenario, mutant, 'random', seed).violation) return seed;
})();

describe('one trace default: off, and traceOf says so instead of writing an empty trace', () => {
  it('runSeed, replay and shrink record no events unless asked; traceOf then throws', () => {
    const run = runSeed(scenario, mutant, 'random', failingSeed);
    expect(run.traced).toBe(false);
    expect(run.events).toHaveLength(0);
    expect(() => traceOf(run)).toThrow(UntracedRunError);
    expect(replay(run.repro).traced).toBe(false);
    expect(shrink(run.repro).shrunk.traced).toBe(false);
  });

  it('with trace: true every call gives a trace core reads back', () => {
    const run = runSeed(scenario, mutant, 'random', failingSeed, { trace: true });
    for (const o of [
      run,
      replay(run.repro, { trace: true }),
      shrink(run.repro, { trace: true }).shrunk,
    ]) {
      const parsed = parseTrace(traceOf(o));
      expect(parsed.ok && parsed.events.length).toBeGreaterThan(1);
    }
  });
});

describe('shrink from a repro string', () => {
  it('shrinks what the repro replays, to a schedule no longer and failing the same way', () => {
    const run = runSeed(scenario, mutant, 'random', failingSeed);
    const { original, shrunk } = shrink(run.repro);
    expect(original.repro).toBe(run.repro);
    expect(shrunk.violation?.invariant).toBe(run.violation?.invariant);
    expect(shrunk.choices.length).toBeLessThanOrEqual(run.choices.length);
  });

  it('a repro that does not fail is a ReproError', () => {
    const held = runSeed(scenario, findSimDesign('linux-ktls')!, 'random', 1);
    expect(() => shrink(held.repro)).toThrow(ReproError);
  });
});
