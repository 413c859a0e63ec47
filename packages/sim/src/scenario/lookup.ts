import type { Scenario } from './actions.js';
import { findScenario } from './catalog.js';
import { decodeScenario, ENCODED_PREFIX } from './codec.js';
import { generatedSeed, generateScenario } from './generate.js';

/**
 * Every name a scenario can have: a catalog entry (`catalog.ts`), a generated scenario
 * (`gen-<seed>`, rebuilt from its seed) or a scenario carried in its name (`scn-...`, what a
 * shrunk generated scenario becomes). Repro strings, replay, shrinking and exploration resolve
 * names here; a malformed `scn-` name throws `ReproError` saying what is wrong.
 */
export function scenarioNamed(name: string): Scenario | undefined {
  const catalog = findScenario(name);
  if (catalog) return catalog;
  const seed = generatedSeed(name);
  if (seed !== null) return generateScenario(seed);
  if (name.startsWith(ENCODED_PREFIX)) return decodeScenario(name);
  return undefined;
}

/** Whether a scenario is generated or carried in its name (so shrinking may change it). */
export function isGeneratedName(name: string): boolean {
  return generatedSeed(name) !== null || name.startsWith(ENCODED_PREFIX);
}
