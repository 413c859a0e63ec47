import {
  assertNever,
  serializeTrace,
  type TraceEvent,
  type TraceHeader,
  traceHash,
} from '@ktls-lab/core';
import { type Chooser, RandomChooser, RecordingChooser, ReplayChooser } from './choices.js';
import { findSimDesign, SIM_DESIGNS, type SimDesign } from './designs.js';
import type { Violation } from './invariants.js';
import { PctChooser } from './pct.js';
import { formatRepro, parseRepro, type Repro, ReproError, type StrategyName } from './repro.js';
import type { Scenario } from './scenario/actions.js';
import { SCENARIOS } from './scenario/catalog.js';
import { scenarioNamed } from './scenario/lookup.js';
import { World } from './world/world.js';

export interface RunOptions {
  /**
   * Record trace events. Off by default in every call (runSeed, runWith, replay, shrink):
   * exploration runs without, and a run that is to be looked at is replayed with it on.
   */
  readonly trace?: boolean;
  readonly maxSteps?: number;
  /** PCT bug depth. */
  readonly pctDepth?: number;
}

export interface RunOutcome {
  readonly scenario: string;
  readonly design: string;
  readonly strategy: StrategyName;
  readonly seed: number;
  readonly verdict: 'held' | 'violated';
  readonly violation: Violation | null;
  readonly steps: number;
  /** Every choice the run made, in order: replaying them reproduces it exactly. */
  readonly choices: readonly number[];
  readonly repro: string;
  /** Whether the run recorded its trace (`trace: true`); `traceOf` needs one that did. */
  readonly traced: boolean;
  readonly events: readonly TraceEvent[];
}

/** `traceOf` of a run made without `trace: true`: there are no events to write. */
export class UntracedRunError extends Error {
  override readonly name = 'UntracedRunError';
}

export const DEFAULT_MAX_STEPS = 20_000;
const PCT_EXPECTED_STEPS = 300;

/**
 * Exhaustive DFS cuts one segment per run, inside a record header (`edges`), so its tree stays
 * finite and small and still reaches the parser's reassembly.
 */
export function segmentationFor(strategy: StrategyName): 'any' | 'edges' | 'whole' {
  return strategy === 'dfs' ? 'edges' : 'any';
}

export function chooserFor(
  strategy: StrategyName,
  seed: number,
  choices: readonly number[],
  options: RunOptions = {},
): Chooser {
  switch (strategy) {
    case 'random':
      return new RandomChooser(seed);
    case 'pct':
      return new PctChooser(seed, options.pctDepth ?? 3, PCT_EXPECTED_STEPS);
    case 'dfs':
    case 'replay':
      return new ReplayChooser(choices);
    default:
      return assertNever(strategy, 'strategy');
  }
}

/** Runs one schedule of `scenario` against `design`, driven by `chooser`. */
export function runWith(
  scenario: Scenario,
  design: SimDesign,
  strategy: StrategyName,
  seed: number,
  chooser: Chooser,
  options: RunOptions = {},
): RunOutcome {
  const recorder = new RecordingChooser(chooser);
  const world = new World({
    scenario,
    design,
    chooser: recorder,
    segmentation: segmentationFor(strategy),
    trace: options.trace ?? false,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
  });
  const result = world.run();
  const choices = recorder.choices;
  return {
    scenario: scenario.name,
    design: design.name,
    strategy,
    seed,
    verdict: result.violation ? 'violated' : 'held',
    violation: result.violation,
    steps: result.steps,
    choices,
    repro: formatRepro({ scenario: scenario.name, design: design.name, strategy, seed, choices }),
    traced: options.trace ?? false,
    events: result.events,
  };
}

export function runSeed(
  scenario: Scenario,
  design: SimDesign,
  strategy: 'random' | 'pct',
  seed: number,
  options: RunOptions = {},
): RunOutcome {
  return runWith(
    scenario,
    design,
    strategy,
    seed,
    chooserFor(strategy, seed, [], options),
    options,
  );
}

/** Resolves names in a repro; throws `ReproError` naming what is unknown and what is close. */
export function resolveRepro(repro: Repro): { scenario: Scenario; design: SimDesign } {
  const scenario = scenarioNamed(repro.scenario);
  if (!scenario)
    throw new ReproError(
      `unknown scenario "${repro.scenario}"${suggest(
        repro.scenario,
        SCENARIOS.map((s) => s.name),
      )}`,
    );
  const design = findSimDesign(repro.design);
  if (!design)
    throw new ReproError(
      `unknown design "${repro.design}"${suggest(
        repro.design,
        SIM_DESIGNS.map((d) => d.name),
      )}`,
    );
  return { scenario, design };
}

/** Replays a repro string exactly (its recorded choices, whatever strategy found it). */
export function replay(text: string, options: RunOptions = {}): RunOutcome {
  const repro = parseRepro(text);
  const { scenario, design } = resolveRepro(repro);
  return runWith(
    scenario,
    design,
    repro.strategy,
    repro.seed,
    new ReplayChooser(repro.choices),
    options,
  );
}

/**
 * The trace of a run as NDJSON, with a header that carries its repro string. The run must have
 * been made with `trace: true` (replay its repro so); otherwise `UntracedRunError`.
 */
export function traceOf(outcome: RunOutcome): string {
  if (!outcome.traced) {
    throw new UntracedRunError(
      `run ${outcome.repro} was made without trace: true; replay(repro, { trace: true }) has its trace`,
    );
  }
  const header: TraceHeader = {
    format: 'ktls-lab-trace',
    version: 1,
    world: 'sim',
    design: outcome.design,
    scenario: outcome.scenario,
    seed: String(outcome.seed),
    repro: outcome.repro,
    engine: 'model',
    endpoints: ['client', 'server'],
    suite: scenarioNamed(outcome.scenario)?.suite ?? 'unknown',
  };
  return serializeTrace(header, outcome.events);
}

/**
 * Determinism self-check: the same repro run twice must give the same trace, byte for byte.
 * Returns the trace hash, or throws if the two runs differ.
 */
export function checkDeterminism(text: string): string {
  const a = traceOf(replay(text, { trace: true }));
  const b = traceOf(replay(text, { trace: true }));
  const ha = traceHash(a);
  if (ha !== traceHash(b) || a !== b)
    throw new Error(`nondeterminism: ${text} gave two different traces`);
  return ha;
}

/** " (did you mean x, y?)" from the closest names by edit distance. */
export function suggest(name: string, names: readonly string[]): string {
  const scored = names
    .map((n) => ({ n, d: editDistance(name, n) - (n.includes(name) || name.includes(n) ? 3 : 0) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .filter((x) => x.d <= Math.max(4, name.length / 2));
  return scored.length > 0 ? ` (did you mean ${scored.map((x) => x.n).join(', ')}?)` : '';
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return dp[b.length]!;
}
