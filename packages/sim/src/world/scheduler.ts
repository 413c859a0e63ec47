import { assertNever, type TraceEvent } from '@ktls-lab/core';
import { type Violation, violation } from '../invariants.js';
import { runApp } from './app.js';
import type { WorldContext } from './context.js';
import { runControlPlane } from './controlPlane.js';
import { completeCrypto, rxRun } from './dataPlane.js';
import type { EndpointName } from './endpoint.js';
import { takeSegment } from './network.js';

/**
 * The scheduler: which actions are enabled, running the one the chooser picks, the run loop and
 * its ends (done, a violation, stuck, the step bound). An actor is `<kind>:<endpoint>`: `app` (the
 * next script action), `cp` (the control plane's next inbox item), `net` (a TCP segment from that
 * endpoint) and `crypto` (an async RX decryption completing).
 */

export interface WorldResult {
  readonly violation: Violation | null;
  readonly steps: number;
  readonly events: readonly TraceEvent[];
}

/** The kinds of actor, the part before the colon of an actor's name. */
export type ActorKind = 'app' | 'cp' | 'net' | 'crypto';

const NAMES: readonly EndpointName[] = ['client', 'server'];
/** Every actor's name, made once: `[kind][endpoint index]`. */
const ACTOR = {
  app: NAMES.map((n) => `app:${n}`),
  cp: NAMES.map((n) => `cp:${n}`),
  net: NAMES.map((n) => `net:${n}`),
  crypto: NAMES.map((n) => `crypto:${n}`),
} as const satisfies Record<ActorKind, readonly string[]>;
const PARSED = new Map<string, readonly [ActorKind, EndpointName]>(
  (Object.keys(ACTOR) as ActorKind[]).flatMap((kind) =>
    NAMES.map((n, i) => [ACTOR[kind][i]!, [kind, n] as const] as const),
  ),
);

/** The enabled actions, in a fixed order, named by actor. */
export function enabled(w: WorldContext): string[] {
  const out: string[] = [];
  const [c, s] = w.endpoints;
  const [pc, ps] = w.pipes;
  if (c.pc < c.script.length) out.push(ACTOR.app[0]!);
  if (s.pc < s.script.length) out.push(ACTOR.app[1]!);
  if (c.inbox.length > 0) out.push(ACTOR.cp[0]!);
  if (s.inbox.length > 0) out.push(ACTOR.cp[1]!);
  if (pc.pending > 0) out.push(ACTOR.net[0]!);
  if (ps.pending > 0) out.push(ACTOR.net[1]!);
  if (c.crypto.length > 0) out.push(ACTOR.crypto[0]!);
  if (s.crypto.length > 0) out.push(ACTOR.crypto[1]!);
  return out;
}

/** `app:client` → ['app', 'client']. */
export function parseActor(actor: string): readonly [ActorKind, EndpointName] {
  const parsed = PARSED.get(actor);
  if (parsed === undefined) throw new RangeError(`no actor "${actor}"`);
  return parsed;
}

export function runAction(w: WorldContext, actor: string): void {
  const [kind, who] = parseActor(actor);
  switch (kind) {
    case 'app':
      runApp(w, w.ep(who));
      return;
    case 'cp':
      runControlPlane(w, w.ep(who));
      return;
    case 'net': {
      const pipe = w.pipeFrom(who);
      const data = takeSegment(w, pipe);
      rxRun(w, w.ep(pipe.from === 'client' ? 'server' : 'client'), { type: 'bytes', data });
      return;
    }
    case 'crypto':
      completeCrypto(w, w.ep(who));
      return;
    default:
      assertNever(kind, 'actor kind');
  }
}

/** Runs to the end: completion, a violation, quiescence without completion (stuck), or the step bound. */
export function run(w: WorldContext): WorldResult {
  const { chooser, maxSteps } = w.options;
  for (;;) {
    w.monitor.step = w.step;
    if (w.monitor.violation) break;
    const actors = enabled(w);
    if (actors.length === 0) {
      const stuck = stuckChain(w);
      if (stuck) w.monitor.violation = violation(8, stuck, w.step);
      else w.monitor.finish();
      break;
    }
    if (w.step >= maxSteps) {
      w.monitor.violation = violation(
        8,
        `no end after ${maxSteps} steps (bound); still enabled: ${actors.join(', ')}`,
        w.step,
      );
      break;
    }
    const actor = actors[chooser.pick(actors)]!;
    runAction(w, actor);
    w.step++;
  }
  const v = w.monitor.violation;
  // Untraced runs record nothing, the verdict included (it is in the result).
  if (v && w.options.trace) {
    w.events.push({
      t: w.step,
      ep: v.message.startsWith('server') ? 'server' : 'client',
      lane: 'dp-rx',
      kind: 'violation',
      violation: { invariant: v.invariant, name: v.name, message: v.message },
    });
  }
  return { violation: v, steps: w.step, events: w.events };
}

/**
 * Nothing can run. If records still wait behind a frozen or held RX, or sends behind a TX whose
 * state is out, the run is stuck: say who waits for whom.
 */
function stuckChain(w: WorldContext): string | null {
  for (const ep of w.endpoints) {
    const phase = ep.rx.phase;
    const queued = ep.rx.parser.buffered;
    if ((phase.tag === 'frozen' || phase.tag === 'held' || phase.tag === 'keyless') && queued > 0) {
      const why =
        phase.tag === 'frozen'
          ? `RX frozen after a KeyUpdate, waiting for its control plane to install the next key`
          : phase.tag === 'held'
            ? 'RX holds a control record, waiting for its control plane to import the state back'
            : 'RX has no key, waiting for its control plane to set TLS_RX';
      const cp = ep.notes.at(-1)
        ? `; the control plane's last word: "${ep.notes.at(-1)}"`
        : '; the control plane has nothing queued';
      return `stuck: ${ep.name} ${why}${cp}; ${queued} bytes from ${ep.peer} wait in the RX queue (${w.monitor.describe().join('; ')})`;
    }
  }
  // TX stalls too: sends queued while userspace holds the TX state (rfc-2015 take-state), and
  // nothing left to run would bring it back.
  for (const ep of w.endpoints) {
    const phase = ep.tx.phase.tag;
    if ((phase === 'exported' || phase === 'exporting') && ep.tx.queued.length > 0) {
      return `stuck: ${ep.name} TX holds ${ep.tx.queued.length} queued sends while its state is out (${phase}), waiting for its control plane to put the state back (${w.monitor.describe().join('; ')})`;
    }
  }
  return null;
}
