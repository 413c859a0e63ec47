import {
  type Cell,
  checkDeterminism,
  type Failure,
  parseRepro,
  type Results,
  type RunOutcome,
  replay,
  resolveRepro,
  shrink,
  traceOf,
} from '@ktls-lab/sim';

/** A Failure record (the shape results files keep) from a replayed run. */
export function failureOf(o: RunOutcome): Failure {
  if (!o.violation) throw new Error(`${o.repro} holds: not a failure`);
  return {
    seed: o.seed,
    repro: o.repro,
    invariant: o.violation.invariant,
    message: o.violation.message,
    steps: o.steps,
    choices: o.choices.length,
  };
}

export interface ShrinkPassOptions {
  /** Replays per cell. */
  readonly maxAttempts: number;
  /** Time for the whole pass; cells left when it is spent keep their first failure. */
  readonly budgetMs: number;
  readonly now?: () => number;
  readonly onCell?: (done: number, total: number) => void;
}

export interface ShrinkPassReport {
  readonly shrunk: number;
  readonly attempts: number;
  /** Failing cells not shrunk because the pass ran out of time. */
  readonly skipped: readonly Cell[];
  readonly elapsedMs: number;
}

/**
 * Replays each failing cell's first failure and shrinks it (bounded per cell and in total),
 * storing the result as `cell.shrunk`.
 */
export function shrinkFailures(results: Results, options: ShrinkPassOptions): ShrinkPassReport {
  const now = options.now ?? Date.now;
  const start = now();
  const failing = results.cells.filter((c) => c.first !== null);
  const skipped: Cell[] = [];
  let shrunk = 0;
  let attempts = 0;
  failing.forEach((cell, i) => {
    if (now() - start >= options.budgetMs) {
      skipped.push(cell);
      return;
    }
    const first = cell.first!;
    const { scenario, design } = resolveRepro(parseRepro(first.repro));
    const original = replay(first.repro);
    // A first failure that does not fail again is reported by checkFailures (nondeterminism).
    if (original.violation) {
      const r = shrink(scenario, design, original, {
        maxAttempts: options.maxAttempts,
        trace: false,
      });
      attempts += r.attempts;
      cell.shrunk = failureOf(r.shrunk);
      shrunk++;
    }
    options.onCell?.(i + 1, failing.length);
  });
  return { shrunk, attempts, skipped, elapsedMs: now() - start };
}

/** What is known about one failing cell after the checks. */
export interface CheckedFailure {
  readonly cell: Cell;
  /** The failure reported: the shrunk one if there is one, else the first. */
  readonly failure: Failure;
  readonly shrunk: boolean;
  /** traceHash of its trace (from the determinism check), or null if that check failed. */
  readonly traceHash: string | null;
  /** NDJSON trace, when asked for. */
  readonly trace: string | null;
  /** Problems: nondeterminism, or a repro that does not replay the run it was recorded from. */
  readonly problems: readonly string[];
}

/**
 * For every failing cell: runs the determinism self-check on its (shrunk) repro, replays it to
 * confirm it is the run that was recorded (same invariant, steps and message), and optionally
 * keeps its trace.
 */
export function checkFailures(results: Results, withTrace: boolean): CheckedFailure[] {
  return results.cells
    .filter((c) => c.first !== null)
    .map((cell) => {
      const failure = cell.shrunk ?? cell.first!;
      const problems: string[] = [];
      let traceHash: string | null = null;
      try {
        traceHash = checkDeterminism(failure.repro);
      } catch (e) {
        problems.push((e as Error).message);
      }
      const outcome = replay(failure.repro, { trace: withTrace });
      const v = outcome.violation;
      if (v?.invariant !== failure.invariant) {
        problems.push(
          `${failure.repro} does not reproduce invariant ${failure.invariant}: the replay ${
            v ? `violates invariant ${v.invariant}` : 'holds'
          }`,
        );
      } else if (outcome.steps !== failure.steps || v.message !== failure.message) {
        problems.push(
          `${failure.repro} replays differently: ${outcome.steps} steps ("${v.message}") instead of ${failure.steps} ("${failure.message}")`,
        );
      }
      return {
        cell,
        failure,
        shrunk: cell.shrunk !== undefined,
        traceHash,
        trace: withTrace ? traceOf(outcome) : null,
        problems,
      };
    });
}
