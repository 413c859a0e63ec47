import { type Chooser, RandomChooser } from './choices.js';

/** The actors the simulator schedules; PCT gives each a priority. */
export const ACTORS = [
  'app:client',
  'app:server',
  'cp:client',
  'cp:server',
  'net:client',
  'net:server',
  'crypto:client',
  'crypto:server',
] as const;

/**
 * PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): actors get random
 * distinct priorities, the highest-priority enabled actor always runs, and at d−1 random steps
 * the running actor drops to a priority below all others. A bug of depth d is found with
 * probability at least 1/(n·k^(d−1)). Values (segment cuts, completion picks) stay random.
 */
export class PctChooser implements Chooser {
  private readonly rng: RandomChooser;
  private readonly priority = new Map<string, number>();
  private readonly changeAt: number[];
  private step = 0;

  constructor(seed: number, depth: number, expectedSteps: number) {
    this.rng = new RandomChooser(seed);
    const order = [...ACTORS];
    // Fisher–Yates with the seeded stream: a random priority order.
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const [i, a] of order.entries()) this.priority.set(a, depth + i);
    this.changeAt = Array.from({ length: Math.max(0, depth - 1) }, () =>
      this.rng.int(1, Math.max(1, expectedSteps)),
    );
  }

  pick(actors: readonly string[]): number {
    this.step++;
    let best = this.best(actors);
    const change = this.changeAt.indexOf(this.step);
    if (change >= 0) {
      this.priority.set(actors[best]!, change);
      best = this.best(actors);
    }
    return best;
  }

  value(bound: number): number {
    return this.rng.value(bound);
  }

  private best(actors: readonly string[]): number {
    let best = 0;
    for (let i = 1; i < actors.length; i++) {
      if ((this.priority.get(actors[i]!) ?? 0) > (this.priority.get(actors[best]!) ?? 0)) best = i;
    }
    return best;
  }
}
