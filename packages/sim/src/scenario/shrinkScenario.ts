import { assertNever, FULL_PROFILE } from '@ktls-lab/core';
import { type AppAction, isBareAction, type Scenario } from './actions.js';
import { decodeScenario, encodeScenario } from './codec.js';
import { scenarioProblems } from './validate.js';

/**
 * Smaller scenarios to try when a generated scenario fails (`../shrink.ts`), simplest first:
 * whole scripts emptied, halves and single actions dropped, sizes lowered toward 0 and MSG_MORE
 * dropped, async depth 1, the full capability profile, no framer. Only valid ones are offered
 * (`validate.ts`), each named by its own encoding (`codec.ts`), so a shrunk failure is again a
 * scenario a repro string can carry.
 */
export function scenarioCandidates(s: Scenario): Scenario[] {
  const out: Scenario[] = [];
  const scripts = ['client', 'server'] as const;
  const withScript = (who: 'client' | 'server', script: readonly AppAction[]): Scenario => ({
    ...s,
    [who]: script,
  });
  for (const who of scripts) {
    const script = s[who];
    for (let size = script.length; size >= 1; size >>= 1) {
      for (let i = 0; i + size <= script.length; i += size)
        out.push(withScript(who, [...script.slice(0, i), ...script.slice(i + size)]));
    }
  }
  for (const who of scripts) {
    s[who].forEach((a, i) => {
      for (const smaller of smallerAction(a)) {
        const script = s[who].slice();
        script[i] = smaller;
        out.push(withScript(who, script));
      }
    });
  }
  if (s.asyncDepth > 1) out.push({ ...s, asyncDepth: 1 });
  if (s.profile.name !== FULL_PROFILE.name) out.push({ ...s, profile: FULL_PROFILE });
  if (s.framer) {
    const { framer: _, ...rest } = s;
    out.push(rest);
  }
  return out
    .filter((c) => scenarioProblems(c).length === 0)
    .map((c) => decodeScenario(encodeScenario(c)));
}

/**
 * Smaller sizes to try, smallest first: 0, 1, half, then a step of an eighth (one byte near 0),
 * so a size of tens of KiB shrinks in a few dozen replays rather than one byte per replay.
 */
function lower(n: number): number[] {
  const candidates = [0, 1, n >> 1, n - Math.max(1, n >> 3)];
  return candidates.filter((x, i) => x >= 0 && x < n && candidates.indexOf(x) === i);
}

function smallerAction(a: AppAction): AppAction[] {
  if (isBareAction(a)) return [];
  switch (a.do) {
    case 'send':
      return [
        ...(a.more ? [{ do: 'send', bytes: a.bytes } as const] : []),
        ...lower(a.bytes).map((bytes) => ({ ...a, bytes })),
      ];
    case 'message':
      return a.upto === undefined
        ? lower(a.payload).map((payload) => ({ do: 'message', payload }) as const)
        : lower(a.upto).map((upto) => ({ ...a, upto }));
    case 'alert':
    case 'close':
      // A peer that keeps sending after its alert or close_notify is the larger case.
      return a.keepSending ? [{ ...a, keepSending: false }] : [];
    case 'key-update':
    case 'garbage':
      // Nothing smaller than itself: dropping it is the shrink (`scenarioCandidates`).
      return [];
    default:
      return assertNever(a, 'app action');
  }
}

/** A scenario's size, for reports: actions in both scripts, and app bytes they send. */
export function scenarioSize(s: Scenario): { actions: number; bytes: number } {
  let bytes = 0;
  for (const a of [...s.client, ...s.server]) {
    if (a.do === 'send') bytes += a.bytes;
    if (a.do === 'message') bytes += a.payload;
  }
  return { actions: s.client.length + s.server.length, bytes };
}
