import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Every source of nondeterminism in a run is a choice drawn here: which enabled action runs next,
 * where a TCP segment is cut, which crypto request completes. A run is a pure function of its
 * choice list, so recording the list is enough to replay it byte for byte.
 *
 * Convention: 0 is always the simplest choice (the first enabled action, the whole pending
 * segment, the oldest crypto request), so shrinking moves choices toward 0.
 */
export interface Chooser {
  /** Picks one of the enabled actions; `actors[i]` names the actor behind action `i`. */
  pick(actors: readonly string[]): number;
  /** A value in [0, bound). */
  value(bound: number): number;
}

/**
 * Wraps a chooser and records every real choice it makes. A choice with one option is no choice:
 * it is not recorded (repro strings stay short), but the inner chooser still sees it, since a
 * strategy such as DFS must know every action that ran.
 */
export class RecordingChooser implements Chooser {
  readonly choices: number[] = [];
  constructor(private readonly inner: Chooser) {}
  pick(actors: readonly string[]): number {
    const c = this.inner.pick(actors);
    if (actors.length > 1) this.choices.push(c);
    return actors.length > 1 ? c : 0;
  }
  value(bound: number): number {
    const c = this.inner.value(bound);
    if (bound > 1) this.choices.push(c);
    return bound > 1 ? c : 0;
  }
}

/** Uniform choices from a seeded xoroshiro128+ stream (pure-rand): seeded random exploration. */
export class RandomChooser implements Chooser {
  private readonly rng;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }
  pick(actors: readonly string[]): number {
    return actors.length <= 1 ? 0 : uniformInt(this.rng, 0, actors.length - 1);
  }
  value(bound: number): number {
    return bound <= 1 ? 0 : uniformInt(this.rng, 0, bound - 1);
  }
  /** An integer in [from, to] from the same stream (for strategies that need their own draws). */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }
}

/**
 * Replays a recorded choice list. Past its end every choice is 0; an out-of-range choice (after
 * shrinking removed or changed an earlier one) wraps into range, so any list is a valid run.
 */
export class ReplayChooser implements Chooser {
  private i = 0;
  constructor(private readonly choices: readonly number[]) {}
  pick(actors: readonly string[]): number {
    return this.next(actors.length);
  }
  value(bound: number): number {
    return this.next(bound);
  }
  private next(bound: number): number {
    if (bound <= 1) return 0;
    const c = this.choices[this.i++] ?? 0;
    return c % bound;
  }
}
