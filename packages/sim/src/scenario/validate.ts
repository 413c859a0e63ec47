import {
  type AlertName,
  assertNever,
  kernelLimits,
  rfcLimits,
  suiteByName,
  TLS_1_3,
} from '@ktls-lab/core';
import type { AppAction, Scenario } from './actions.js';

/**
 * What makes a scenario a valid input (the rules `generate.ts` follows and the hand-written
 * catalog respects): a correct design must hold on every valid scenario, so a failure on one is a
 * finding about the design, never about the input. Returns the problems, empty when valid.
 * Shrinking (`../shrink.ts`) tries only valid scenarios, so a shrunk failure is a real one too.
 */
export function scenarioProblems(s: Scenario): string[] {
  const suite = suiteByName(s.suite);
  const tls13 = suite.version === TLS_1_3;
  const punted = !s.profile.aeads.includes(suite.aead);
  const maxBody = (punted ? rfcLimits(suite.version) : kernelLimits(suite)).maxBody;
  const prepend = kernelLimits(suite).prepend;
  const problems: string[] = [];
  if (s.asyncDepth < 1 || s.asyncDepth > 8) problems.push(`async depth ${s.asyncDepth}`);
  const scripts = [
    ['client', s.client],
    ['server', s.server],
  ] as const;
  for (const [who, script] of scripts) {
    const bad = (i: number, why: string) => problems.push(`${who} action ${i}: ${why}`);
    let more = false;
    let partial = false;
    script.forEach((a: AppAction, i) => {
      switch (a.do) {
        case 'send':
          if (!Number.isSafeInteger(a.bytes) || a.bytes < 0) bad(i, `send of ${a.bytes} bytes`);
          if (s.framer) bad(i, 'a raw send under an upper-layer framer');
          more = a.more === true;
          return;
        case 'message':
          if (!Number.isSafeInteger(a.payload) || a.payload < 0)
            bad(i, `message of ${a.payload} bytes`);
          if (!s.framer) bad(i, 'a framed message without a framer');
          if (partial) partial = false;
          else if (a.upto !== undefined) {
            if (a.upto < 1 || a.upto >= a.payload)
              bad(i, `message cut at ${a.upto} of ${a.payload}`);
            partial = true;
          }
          return;
        case 'key-update':
          if (!tls13) bad(i, 'KeyUpdate is TLS 1.3 only');
          return;
        case 'ticket':
          if (!tls13 || who !== 'server') bad(i, 'NewSessionTicket is a TLS 1.3 server message');
          return;
        case 'hello-request':
          if (tls13 || who !== 'server') bad(i, 'HelloRequest is a TLS 1.2 server message');
          return;
        case 'heartbeat':
          if (tls13) bad(i, 'TLS 1.3 has no heartbeat content type');
          return;
        case 'alert':
          if ((a.alert satisfies AlertName) === 'close_notify') bad(i, 'close_notify is `close`');
          return;
        case 'garbage': {
          const length = ((a.bytes[3] ?? 0) << 8) | (a.bytes[4] ?? 0);
          if (punted) bad(i, 'raw bytes in a punted scenario (see generate.ts)');
          if (a.bytes.length < prepend) bad(i, `${a.bytes.length} raw bytes, under ${prepend}`);
          if (length <= maxBody) bad(i, `raw header of length ${length} is not over ${maxBody}`);
          return;
        }
        case 'close':
        case 'empty-record':
        case 'corrupt-next':
          return;
        default:
          assertNever(a, 'app action');
      }
    });
    if (more) bad(script.length, 'a MSG_MORE send is never flushed');
    if (partial) bad(script.length, 'a message cut short is never finished');
  }
  return problems;
}
