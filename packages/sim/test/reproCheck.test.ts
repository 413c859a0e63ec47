import { describe, expect, it } from 'vitest';
import { merge, parseShard, ResultsError, SelectionError, select } from '../src/explore.js';
import { formatRepro, parseRepro, ReproError } from '../src/repro.js';
import { shrink } from '../src/shrink.js';
import { runSeed } from '../src/run.js';
import { SCENARIOS } from '../src/scenario/catalog.js';
import { SIM_DESIGNS } from '../src/designs.js';

/**
 * A repro string cut short (a terminal that wrapped it, a copy that missed the end) must never
 * replay another schedule: every proper prefix of a new string is refused.
 */
describe('repro check', () => {
  const scenario = SCENARIOS.find((s) => s.name === 'bulk-both-ways')!;
  const design = SIM_DESIGNS.find((d) => d.name === 'linux-ktls')!;
  const outcome = runSeed(scenario, design, 'random', 11);
  const full = outcome.repro;

  it('new strings carry a check after the seed and round-trip', () => {
    expect(full).toMatch(/^ktls1:bulk-both-ways:linux-ktls:random:11\.[0-9a-v]{6}:[A-Za-z0-9_-]+$/);
    expect(parseRepro(full)).toMatchObject({ seed: 11, choices: outcome.choices });
  });

  it('every prefix of a string is refused with a ReproError', () => {
    const outcomes = Array.from({ length: full.length }, (_, n) => {
      try {
        parseRepro(full.slice(0, n));
        return 'accepted';
      } catch (e) {
        return e instanceof ReproError ? 'refused' : 'crashed';
      }
    });
    expect(outcomes.filter((o) => o !== 'refused')).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(40);
  });

  it('a changed character is refused', () => {
    const i = full.lastIndexOf(':') + 2;
    const changed = `${full.slice(0, i)}${full[i] === 'A' ? 'B' : 'A'}${full.slice(i + 1)}`;
    expect(() => parseRepro(changed)).toThrow(/repro check "[0-9a-v]+" does not match/);
  });

  it('strings written before the check existed still parse', () => {
    const legacy = full.replace(/\.[0-9a-v]{6}:/, ':');
    expect(parseRepro(legacy)).toEqual(parseRepro(full));
    expect(formatRepro(parseRepro(legacy))).toBe(full);
  });

  it('a value that is not a string is a ReproError, not a TypeError', () => {
    expect(() => parseRepro(null as unknown as string)).toThrow(ReproError);
    expect(() => parseRepro(42 as unknown as string)).toThrow(/a repro string is text, got number/);
  });

  it('other entry points refuse JavaScript misuse with their typed errors', () => {
    const loose = { select, merge, parseShard, shrink } as unknown as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    expect(() => loose.select!(null, null)).toThrow(SelectionError);
    expect(() => loose.merge!(null)).toThrow(ResultsError);
    expect(() => loose.parseShard!(null)).toThrow(SelectionError);
    expect(() => loose.shrink!(null, null, null)).toThrow(ReproError);
  });
});
