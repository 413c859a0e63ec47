import { ReplayChooser } from './choices.js';
import type { SimDesign } from './designs.js';
import { parseRepro, ReproError, type StrategyName } from './repro.js';
import { replay, resolveRepro, type RunOptions, type RunOutcome, runWith } from './run.js';
import type { Scenario } from './scenario/actions.js';
import { isGeneratedName } from './scenario/lookup.js';
import { scenarioCandidates } from './scenario/shrinkScenario.js';

export interface ShrinkResult {
  readonly original: RunOutcome;
  readonly shrunk: RunOutcome;
  /** Replays tried. */
  readonly attempts: number;
}

/**
 * Shrinks a failing schedule to a locally minimal one: no single choice can be removed, and none
 * lowered, while the run still violates the same invariant. Chunks are removed first (halving
 * sizes, as delta debugging does), then values are lowered toward 0, the simplest choice. A
 * generated scenario (`gen-<seed>`, `scn-...`) is shrunk in the same loop: fewer actions,
 * smaller sizes, fewer control events (`scenario/shrinkScenario.ts`).
 */
export type ShrinkOptions = RunOptions & {
  readonly maxAttempts?: number;
  /** Shrink a generated scenario as well as the schedule (default true; catalog scenarios never). */
  readonly scenario?: boolean;
};

/** Shrinks the failing run a repro string replays (`ReproError` if it replays to no violation). */
export function shrink(repro: string, options?: ShrinkOptions): ShrinkResult;
export function shrink(
  scenario: Scenario,
  design: SimDesign,
  failing: RunOutcome,
  options?: ShrinkOptions,
): ShrinkResult;
export function shrink(
  first: string | Scenario,
  second?: SimDesign | ShrinkOptions,
  third?: RunOutcome,
  fourth?: ShrinkOptions,
): ShrinkResult {
  if (typeof first !== 'string' && (third === undefined || third === null || !third.violation))
    throw new ReproError('shrink needs a failing run (a RunOutcome with a violation) to shrink');
  if (typeof first === 'string') {
    const repro = parseRepro(first);
    const { scenario, design } = resolveRepro(repro);
    const failing = replay(first);
    if (!failing.violation)
      throw new ReproError(`${first} replays to no violation: nothing to shrink`);
    return shrinkRun(scenario, design, failing, (second as ShrinkOptions | undefined) ?? {});
  }
  return shrinkRun(first, second as SimDesign, third!, fourth ?? {});
}

function shrinkRun(
  original: Scenario,
  design: SimDesign,
  failing: RunOutcome,
  options: ShrinkOptions,
): ShrinkResult {
  const invariant = failing.violation?.invariant;
  if (invariant === undefined) throw new Error('shrink needs a failing run');
  const strategy: StrategyName = failing.strategy;
  let attempts = 0;
  const maxAttempts = options.maxAttempts ?? 20_000;
  let scenario = original;
  const runOn = (s: Scenario, choices: readonly number[]) => {
    attempts++;
    return runWith(s, design, strategy, failing.seed, new ReplayChooser(choices), {
      ...options,
      trace: false,
    });
  };
  const run = (choices: readonly number[]) => runOn(scenario, choices);
  const fails = (o: RunOutcome) => o.violation?.invariant === invariant;

  let best = failing;
  const accept = (o: RunOutcome): boolean => {
    // The replay consumes only the choices it needs: keep that trimmed list.
    if (!fails(o)) return false;
    if (o.choices.length > best.choices.length) return false;
    if (o.choices.length === best.choices.length && sum(o.choices) >= sum(best.choices))
      return false;
    best = o;
    return true;
  };
  // A generated scenario shrinks too: the first smaller valid scenario that still fails the same
  // invariant under the best schedule so far replaces it (its name then carries it, `scn-...`).
  const shrinkScenario = (options.scenario ?? true) && isGeneratedName(original.name);
  const smallerScenario = (): boolean => {
    for (const candidate of scenarioCandidates(scenario)) {
      if (attempts >= maxAttempts) return false;
      const o = runOn(candidate, best.choices);
      if (fails(o)) {
        scenario = candidate;
        best = o;
        return true;
      }
    }
    return false;
  };

  let progress = true;
  while (progress && attempts < maxAttempts) {
    progress = false;
    while (shrinkScenario && attempts < maxAttempts && smallerScenario()) progress = true;
    for (
      let size = Math.max(1, best.choices.length >> 1);
      size >= 1 && attempts < maxAttempts;
      size >>= 1
    ) {
      for (let i = 0; i + size <= best.choices.length && attempts < maxAttempts; ) {
        const c = [...best.choices.slice(0, i), ...best.choices.slice(i + size)];
        if (accept(run(c))) progress = true;
        else i += size;
      }
    }
    for (let i = 0; i < best.choices.length && attempts < maxAttempts; i++) {
      const v = best.choices[i]!;
      for (const lower of v > 1 ? [0, v >> 1, v - 1] : v === 1 ? [0] : []) {
        const c = best.choices.slice();
        c[i] = lower;
        if (accept(run(c))) {
          progress = true;
          break;
        }
      }
    }
  }
  const shrunk = runWith(
    scenario,
    design,
    strategy,
    failing.seed,
    new ReplayChooser(best.choices),
    { ...options, trace: options.trace ?? false },
  );
  return { original: failing, shrunk, attempts };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
