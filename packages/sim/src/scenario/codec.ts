import {
  AES_GCM_ONLY_PROFILE,
  AlertDescription,
  type AlertName,
  assertNever,
  FULL_PROFILE,
  KNOWN_SUITES,
} from '@ktls-lab/core';
import type { FramerKind } from '../framing.js';
import { decodeChoices, encodeChoices, ReproError } from '../repro.js';
import {
  ACTION_KINDS,
  type AppAction,
  isBareAction,
  isBareKind,
  type Scenario,
} from './actions.js';

/**
 * A scenario written into its own name, so a repro string can carry a scenario that is in no
 * catalog (a generated one after shrinking): `scn-` then the scenario as unsigned LEB128 varints
 * in base64url, the same encoding as a repro string's choices (`../repro.ts`). Decoding and
 * encoding again gives the same name, byte for byte, and the same scenario, field for field.
 *
 *   [format 1, suite code, profile, asyncDepth, framer, client count, client actions...,
 *    server count, server actions...]
 *
 * Every number is checked on the way in: a hand-edited name is refused with a `ReproError`
 * saying what is wrong, never run as something else.
 */
export const ENCODED_PREFIX = 'scn-';
const FORMAT = 1;

/** Codes of the action tags (`ACTION_KINDS`, append-only: old names must keep decoding the same). */
const TAGS = ACTION_KINDS;

const PROFILES = [FULL_PROFILE, AES_GCM_ONLY_PROFILE] as const;
const FRAMERS: readonly (FramerKind | undefined)[] = [undefined, 'rds', 'kcm'];
const ALERTS = Object.keys(AlertDescription) as AlertName[];

/** Bounds a decoded scenario must respect (a generated one stays far below them). */
export const SCENARIO_LIMITS = {
  actions: 256,
  bytes: 1 << 20,
  garbage: 1024,
  asyncDepth: 64,
} as const;

function encodeAction(a: AppAction, out: number[]): void {
  out.push(TAGS.indexOf(a.do));
  if (isBareAction(a)) return;
  switch (a.do) {
    case 'send':
      out.push(a.bytes, a.more ? 1 : 0);
      return;
    case 'message':
      out.push(a.payload, a.upto === undefined ? 0 : a.upto + 1);
      return;
    case 'key-update':
      out.push(a.requestUpdate ? 1 : 0);
      return;
    case 'alert':
      out.push(ALERTS.indexOf(a.alert), a.keepSending ? 1 : 0);
      return;
    case 'close':
      out.push(a.keepSending ? 1 : 0);
      return;
    case 'garbage':
      out.push(a.bytes.length, ...a.bytes);
      return;
    default:
      assertNever(a, 'app action');
  }
}

/** The scenario's content as a list of numbers (its name and summary are not part of it). */
export function scenarioNumbers(s: Scenario): number[] {
  const suite = KNOWN_SUITES.find((x) => x.name === s.suite);
  const profile = PROFILES.findIndex((p) => p.name === s.profile.name);
  if (!suite || profile < 0)
    throw new RangeError(`scenario ${s.name}: suite or profile has no code in ${ENCODED_PREFIX}`);
  const out = [FORMAT, suite.code, profile, s.asyncDepth, FRAMERS.indexOf(s.framer)];
  for (const script of [s.client, s.server]) {
    out.push(script.length);
    for (const a of script) encodeAction(a, out);
  }
  // Varints carry non-negative integers only; anything else would decode as something else.
  const bad = out.find((x) => !Number.isSafeInteger(x) || x < 0);
  if (bad !== undefined)
    throw new RangeError(`scenario ${s.name}: ${bad} cannot be written into a scenario name`);
  return out;
}

/** The `scn-` name that carries the scenario's content. */
export function encodeScenario(s: Scenario): string {
  return ENCODED_PREFIX + encodeChoices(scenarioNumbers(s));
}

/** Reads numbers in order; every read says what it reads, for the error. */
class Reader {
  private i = 0;
  constructor(private readonly xs: readonly number[]) {}
  next(what: string, max: number): number {
    if (this.i >= this.xs.length)
      throw new ReproError(`encoded scenario ends before its ${what} (truncated?)`);
    const v = this.xs[this.i++]!;
    if (v > max) throw new ReproError(`encoded scenario: ${what} ${v} is above ${max}`);
    return v;
  }
  done(): void {
    if (this.i !== this.xs.length)
      throw new ReproError(
        `encoded scenario has ${this.xs.length - this.i} numbers after its end (corrupted?)`,
      );
  }
}

function decodeAction(r: Reader): AppAction {
  const tag = TAGS[r.next('action tag', TAGS.length - 1)]!;
  if (isBareKind(tag)) return { do: tag };
  switch (tag) {
    case 'send': {
      const bytes = r.next('send size', SCENARIO_LIMITS.bytes);
      return r.next('MSG_MORE flag', 1) === 1 ? { do: tag, bytes, more: true } : { do: tag, bytes };
    }
    case 'message': {
      const payload = r.next('message size', SCENARIO_LIMITS.bytes);
      const upto = r.next('message cut', SCENARIO_LIMITS.bytes + 1);
      return upto === 0 ? { do: tag, payload } : { do: tag, payload, upto: upto - 1 };
    }
    case 'key-update':
      return { do: tag, requestUpdate: r.next('request_update', 1) === 1 };
    case 'alert': {
      const alert = ALERTS[r.next('alert', ALERTS.length - 1)]!;
      return r.next('keep-sending flag', 1) === 1
        ? { do: tag, alert, keepSending: true }
        : { do: tag, alert };
    }
    case 'close':
      return r.next('keep-sending flag', 1) === 1 ? { do: tag, keepSending: true } : { do: tag };
    case 'garbage': {
      const n = r.next('garbage length', SCENARIO_LIMITS.garbage);
      return { do: tag, bytes: Array.from({ length: n }, () => r.next('garbage byte', 0xff)) };
    }
    default:
      return assertNever(tag, 'action tag');
  }
}

/** The scenario a `scn-` name carries; `ReproError` says what is wrong with a bad one. */
export function decodeScenario(name: string): Scenario {
  if (!name.startsWith(ENCODED_PREFIX))
    throw new ReproError(`"${name}" is not an encoded scenario (${ENCODED_PREFIX}...)`);
  const r = new Reader(decodeChoices(name.slice(ENCODED_PREFIX.length)));
  const format = r.next('format', Number.MAX_SAFE_INTEGER);
  if (format !== FORMAT)
    throw new ReproError(`encoded scenario format ${format} is not supported (this build reads 1)`);
  const code = r.next('suite code', 0xffff);
  const suite = KNOWN_SUITES.find((x) => x.code === code);
  if (!suite) throw new ReproError(`encoded scenario: no suite has code 0x${code.toString(16)}`);
  const profile = PROFILES[r.next('profile', PROFILES.length - 1)]!;
  const asyncDepth = r.next('async depth', SCENARIO_LIMITS.asyncDepth);
  if (asyncDepth < 1) throw new ReproError('encoded scenario: async depth 0 (at least 1)');
  const framer = FRAMERS[r.next('framer', FRAMERS.length - 1)];
  const script = (who: string): AppAction[] =>
    Array.from({ length: r.next(`${who} action count`, SCENARIO_LIMITS.actions) }, () =>
      decodeAction(r),
    );
  const client = script('client');
  const server = script('server');
  r.done();
  return scenarioOf(name, 'A scenario carried in its name', {
    suite: suite.name,
    profile,
    asyncDepth,
    framer,
    client,
    server,
  });
}

/** A scenario outside the catalog (never `small`: DFS explores the catalog's small ones). */
export function scenarioOf(
  name: string,
  about: string,
  content: Omit<Scenario, 'name' | 'summary' | 'small' | 'framer'> & {
    readonly framer: FramerKind | undefined;
  },
): Scenario {
  const { suite, profile, asyncDepth, framer, client, server } = content;
  // Fields in the catalog's order; an unframed scenario has no `framer` key (never `undefined`).
  return {
    name,
    summary: `${about}: ${client.length} client and ${server.length} server actions.`,
    suite,
    profile,
    asyncDepth,
    ...(framer ? { framer } : {}),
    client,
    server,
    small: false,
  };
}
