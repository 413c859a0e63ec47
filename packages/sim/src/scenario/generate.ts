import {
  AES_GCM_ONLY_PROFILE,
  type AlertName,
  ContentType,
  FULL_PROFILE,
  kernelLimits,
  MAX_CIPHERTEXT_TLS13,
  MAX_PLAINTEXT,
  rfcLimits,
  SUITES,
  TLS_1_3,
} from '@ktls-lab/core';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { FramerKind } from '../framing.js';
import type { AppAction, Scenario } from './actions.js';
import { scenarioOf } from './codec.js';

/**
 * Generated scenarios: a seed becomes a valid scenario in the vocabulary of `actions.ts`, so the
 * explorer meets combinations nobody wrote down. Generation is a pure function of the seed
 * (pure-rand's xoroshiro128+), and the scenario is named `gen-<seed>`: a repro string naming it
 * rebuilds it exactly.
 *
 * Valid means what the hand-written catalog respects, so a correct design must hold:
 * - TLS 1.3 only: KeyUpdate (both kinds) and NewSessionTicket (server); TLS 1.2 only:
 *   HelloRequest (server) and heartbeats (RFC 8446 has no heartbeat content type).
 * - With an upper-layer framer, every byte of app data is inside a framed message (a raw send
 *   would be read as a message header); a message cut short (`upto`) is finished later.
 * - A MSG_MORE send is always followed by a send that flushes it, before the script ends.
 * - Raw bytes (`garbage`) are only a record header announcing more than the reader accepts
 *   (record_overflow, EMSGSIZE: the failure the monitor expects at garbage): one byte over the
 *   kernel's limit, or the RFC's when the cipher is punted to userspace; padded to the kernel's
 *   prepend size so the receiver reads the header at all (docs/kernel-tls.md §5.1).
 * Sizes are drawn from the limits (0, 1, 2, 2^14-1, 2^14, 2^14+1) as well as from the middle.
 */
export const GENERATED_PREFIX = 'gen-';

/** The most actions one endpoint's generated script has (before the fix-ups at its end). */
const MAX_STEPS = 8;

/** Alerts the library may send: every fatal one, and user_canceled, the warning (RFC 8446 §6.1). */
const ALERTS: readonly AlertName[] = [
  'user_canceled',
  'unexpected_message',
  'handshake_failure',
  'illegal_parameter',
  'decode_error',
  'internal_error',
];

/** The pure-rand stream a scenario is drawn from. */
class Draw {
  private readonly rng;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }
  /** True with probability `percent`/100. */
  chance(percent: number): boolean {
    return this.int(0, 99) < percent;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
}

/** A send size: the record-size limits half of the time, anything up to three records otherwise. */
function size(d: Draw): number {
  return d.chance(50)
    ? d.pick([0, 1, 2, MAX_PLAINTEXT - 1, MAX_PLAINTEXT, MAX_PLAINTEXT + 1])
    : d.pick([d.int(3, 300), d.int(301, 4000), d.int(4001, 3 * MAX_PLAINTEXT)]);
}

interface ScriptContext {
  readonly tls13: boolean;
  readonly server: boolean;
  readonly framer: FramerKind | undefined;
  /** The largest record body the reader accepts: one more is record_overflow. */
  readonly maxBody: number;
  readonly prepend: number;
  /**
   * The cipher is punted to userspace. No oversize header then: the world reports the userspace
   * record layer's framing error before the control plane has read the records in front of it (a
   * finding of issue 12 in `world/`, not a property of the designs).
   */
  readonly punted: boolean;
}

/** A record header one byte (or more) over the reader's limit, padded to the prepend size. */
function oversizeHeader(d: Draw, c: ScriptContext): AppAction {
  const length = d.pick([c.maxBody + 1, Math.max(c.maxBody, MAX_CIPHERTEXT_TLS13) + 1, 0xffff]);
  const padding = Math.max(0, c.prepend - 5) + d.int(0, 16);
  return {
    do: 'garbage',
    bytes: [
      ContentType.applicationData,
      3,
      3,
      length >> 8,
      length & 0xff,
      ...Array(padding).fill(0),
    ],
  };
}

/** One control event the endpoint's library may send in this version, or null if none. */
function controlEvent(d: Draw, c: ScriptContext): AppAction {
  const events: AppAction[] = [{ do: 'empty-record' }];
  if (c.tls13) {
    events.push({ do: 'key-update', requestUpdate: d.chance(50) });
    if (c.server) events.push({ do: 'ticket' });
  } else {
    events.push({ do: 'heartbeat' });
    if (c.server) events.push({ do: 'hello-request' });
  }
  return d.pick(events);
}

/** An event after which the stream (one way or both) ends: alert, close_notify, a fault. */
function endEvent(d: Draw, c: ScriptContext): AppAction {
  switch (d.int(0, c.punted ? 2 : 3)) {
    // A quarter of the peers are broken: they keep sending records after their alert or
    // close_notify, which the receiver must not deliver (RFC 8446 §6.1, §6.2; invariant 6).
    case 0: {
      const alert = d.pick(ALERTS);
      return d.chance(25) ? { do: 'alert', alert, keepSending: true } : { do: 'alert', alert };
    }
    case 1:
      return d.chance(25) ? { do: 'close', keepSending: true } : { do: 'close' };
    case 2:
      return { do: 'corrupt-next' };
    default:
      return oversizeHeader(d, c);
  }
}

function script(d: Draw, c: ScriptContext): AppAction[] {
  const out: AppAction[] = [];
  let more = false;
  let partial = false;
  const data = (): AppAction => {
    if (c.framer) {
      if (partial) {
        partial = false;
        return { do: 'message', payload: 0 };
      }
      const payload = d.chance(30) ? size(d) : d.int(1, 600);
      if (payload > 1 && d.chance(40)) {
        partial = true;
        return { do: 'message', payload, upto: d.int(1, payload - 1) };
      }
      return { do: 'message', payload };
    }
    more = d.chance(25);
    const bytes = size(d);
    return more ? { do: 'send', bytes, more } : { do: 'send', bytes };
  };
  const steps = d.int(0, MAX_STEPS);
  for (let i = 0; i < steps; i++) {
    const kind = d.int(0, 9);
    if (kind < 5) out.push(data());
    else if (kind < 9) out.push(controlEvent(d, c));
    else out.push(endEvent(d, c));
  }
  // Every MSG_MORE is flushed and every message finished before the script ends.
  if (more) out.push({ do: 'send', bytes: d.int(0, 100) });
  if (partial) out.push({ do: 'message', payload: 0 });
  return out;
}

/** The scenario seed `seed` names (`gen-<seed>`), the same on every call and every machine. */
export function generateScenario(seed: number): Scenario {
  const d = new Draw(seed);
  const suite = d.pick(SUITES);
  const tls13 = suite.version === TLS_1_3;
  const profile = d.chance(25) ? AES_GCM_ONLY_PROFILE : FULL_PROFILE;
  const asyncDepth = tls13 ? d.pick([1, 1, 2]) : d.pick([1, 1, 2, 4, 8]);
  const framer = d.chance(20) ? d.pick(['rds', 'kcm'] as const) : undefined;
  // Who reads the records: the kernel (its limits), or userspace when the cipher is punted (RFC's).
  const punted = !profile.aeads.includes(suite.aead);
  const limits = punted ? rfcLimits(suite.version) : kernelLimits(suite);
  const prepend = kernelLimits(suite).prepend;
  const ctx = { tls13, framer, maxBody: limits.maxBody, prepend, punted };
  const client = script(d, { ...ctx, server: false });
  const server = script(d, { ...ctx, server: true });
  const about = `Generated from seed ${seed} (${suite.name}, ${profile.name} profile, async depth ${asyncDepth}${framer ? `, ${framer} framing` : ''})`;
  return scenarioOf(`${GENERATED_PREFIX}${seed}`, about, {
    suite: suite.name,
    profile,
    asyncDepth,
    framer,
    client,
    server,
  });
}

/** The seed in a `gen-<seed>` name, or null if the name is not one. */
export function generatedSeed(name: string): number | null {
  const m = /^gen-(0|[1-9]\d{0,9})$/.exec(name);
  if (!m) return null;
  const seed = Number(m[1]);
  return seed <= 0xffff_ffff ? seed : null;
}

/** Scenarios `gen-<from>` .. `gen-<to - 1>`. */
export function generateScenarios(from: number, to: number): Scenario[] {
  const out: Scenario[] = [];
  for (let seed = from; seed < to; seed++) out.push(generateScenario(seed));
  return out;
}
