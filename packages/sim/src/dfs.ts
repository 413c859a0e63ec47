import { assertNever } from '@ktls-lab/core';
import type { Chooser } from './choices.js';
import type { SimDesign } from './designs.js';
import { type RunOptions, type RunOutcome, runWith } from './run.js';
import type { Scenario } from './scenario/actions.js';
import { parseActor } from './world/scheduler.js';

/**
 * Exhaustive depth-first exploration of every schedule of a small scenario, with sleep sets
 * (Godefroid 1996) as partial-order reduction: after exploring action `a` at some point, a later
 * sibling `b` that commutes with `a` does not explore `a` again right away, since both orders reach
 * the same state. Stateless: every schedule is re-run from the start with its choice prefix.
 */

/** What state an action touches: an endpoint and/or the byte stream it writes. */
function footprint(actor: string): string[] {
  const [kind, who] = parseActor(actor);
  const peer = who === 'client' ? 'server' : 'client';
  switch (kind) {
    case 'net':
      return [`pipe:${who}`, `ep:${peer}`];
    case 'crypto':
      return [`ep:${who}`];
    // app and control plane: their endpoint, and the stream they may write.
    case 'app':
    case 'cp':
      return [`ep:${who}`, `pipe:${who}`];
    default:
      return assertNever(kind, 'actor kind');
  }
}

export function independent(a: string, b: string): boolean {
  const fb = footprint(b);
  return !footprint(a).some((x) => fb.includes(x));
}

interface Frame {
  readonly kind: 'pick' | 'value';
  readonly actors: readonly string[];
  readonly bound: number;
  chosen: number;
  /** Actors asleep at this point (pick frames). */
  readonly sleep: ReadonlySet<string>;
  /** Actors already explored at this point (pick frames). */
  readonly done: Set<string>;
}

class SleepBlocked extends Error {}

/** Follows a prefix, then picks the first actor not asleep; records a frame per choice. */
class DfsChooser implements Chooser {
  readonly frames: Frame[];
  private depth = 0;
  private sleep: ReadonlySet<string>;

  constructor(
    prefix: readonly Frame[],
    private readonly reduction: boolean,
  ) {
    this.frames = prefix.map((f) => ({ ...f, done: new Set(f.done) }));
    this.sleep = new Set();
  }

  pick(actors: readonly string[]): number {
    const d = this.depth++;
    let frame = this.frames[d];
    if (frame === undefined) {
      const chosen = actors.findIndex((a) => !this.sleep.has(a));
      if (chosen < 0) throw new SleepBlocked();
      frame = {
        kind: 'pick',
        actors,
        bound: actors.length,
        chosen,
        sleep: this.sleep,
        done: new Set(),
      };
      this.frames.push(frame);
    }
    const action = frame.actors[frame.chosen]!;
    // Sleep set for the next point: what slept here or was explored here, and commutes with `action`.
    const next = new Set<string>();
    if (this.reduction) {
      for (const s of [...frame.sleep, ...frame.done])
        if (s !== action && independent(s, action)) next.add(s);
    }
    this.sleep = next;
    return frame.chosen;
  }

  value(bound: number): number {
    const d = this.depth++;
    let frame = this.frames[d];
    if (frame === undefined) {
      frame = { kind: 'value', actors: [], bound, chosen: 0, sleep: this.sleep, done: new Set() };
      this.frames.push(frame);
    }
    return frame.chosen;
  }
}

export interface DfsResult {
  readonly runs: number;
  /** Schedules cut short because every enabled action was asleep (redundant interleavings). */
  readonly pruned: number;
  /** True when the whole tree was explored within the budget. */
  readonly exhaustive: boolean;
  readonly failures: readonly RunOutcome[];
  readonly firstFailure: RunOutcome | null;
}

export function exploreDfs(
  scenario: Scenario,
  design: SimDesign,
  options: RunOptions & { maxRuns: number; stopAtFirstFailure?: boolean; reduction?: boolean },
): DfsResult {
  let runs = 0;
  let pruned = 0;
  const failures: RunOutcome[] = [];
  let prefix: Frame[] = [];
  for (;;) {
    if (runs >= options.maxRuns)
      return { runs, pruned, exhaustive: false, failures, firstFailure: failures[0] ?? null };
    const chooser = new DfsChooser(prefix, options.reduction ?? true);
    runs++;
    try {
      const outcome = runWith(scenario, design, 'dfs', runs, chooser, options);
      if (outcome.violation) {
        failures.push(outcome);
        if (options.stopAtFirstFailure)
          return { runs, pruned, exhaustive: false, failures, firstFailure: outcome };
      }
    } catch (e) {
      if (!(e instanceof SleepBlocked)) throw e;
      pruned++;
    }
    // Backtrack to the deepest frame with an untried choice.
    const frames = chooser.frames;
    let i = frames.length - 1;
    for (; i >= 0; i--) {
      const f = frames[i]!;
      if (f.kind === 'value') {
        if (f.chosen + 1 < f.bound) {
          f.chosen++;
          break;
        }
        continue;
      }
      f.done.add(f.actors[f.chosen]!);
      const next = f.actors.findIndex((a) => !f.done.has(a) && !f.sleep.has(a));
      if (next >= 0) {
        f.chosen = next;
        break;
      }
    }
    if (i < 0)
      return { runs, pruned, exhaustive: true, failures, firstFailure: failures[0] ?? null };
    prefix = frames.slice(0, i + 1);
  }
}
