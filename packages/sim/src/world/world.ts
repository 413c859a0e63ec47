import type { TraceEvent } from '@ktls-lab/core';
import type { Monitor } from '../monitor.js';
import { WorldContext } from './context.js';
import { installInitialKeys } from './controlPlane.js';
import type { WorldOptions } from './options.js';
import { enabled, run, runAction, type WorldResult } from './scheduler.js';

/**
 * The simulated world: two endpoints, each with an app (`app.ts`), a control plane (the userspace
 * TLS library, `controlPlane.ts`) and a data plane (core's RX and TX machines, `dataPlane.ts`),
 * joined by one TCP byte stream per direction (`network.ts`), with an upper-layer framer on the
 * decrypted stream (`upperLayer.ts`). Every step runs one enabled action picked by the chooser
 * (`scheduler.ts`); nothing else decides anything, so a run is a pure function of (scenario,
 * design, choices).
 */
export class World {
  readonly monitor: Monitor;
  readonly events: TraceEvent[];
  private readonly w: WorldContext;

  constructor(options: WorldOptions) {
    this.w = new WorldContext(options);
    this.monitor = this.w.monitor;
    this.events = this.w.events;
    installInitialKeys(this.w);
  }

  /** Steps run so far. */
  get step(): number {
    return this.w.step;
  }

  set step(value: number) {
    this.w.step = value;
  }

  /** The enabled actions, in a fixed order, named by actor (`app:client`, `net:server`, ...). */
  enabled(): string[] {
    return enabled(this.w);
  }

  /** Runs one enabled action. */
  runAction(actor: string): void {
    runAction(this.w, actor);
  }

  /** Runs to the end: completion, a violation, quiescence without completion (stuck), or the step bound. */
  run(): WorldResult {
    return run(this.w);
  }
}
