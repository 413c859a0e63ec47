import { assertNever } from '@ktls-lab/core';
import type { AppAction, Scenario } from '@ktls-lab/sim';

/** @deprecated use Scenario / AppAction from @ktls-lab/sim */
export type KernelScenario = Scenario;
/** @deprecated use Scenario / AppAction from @ktls-lab/sim */
export type KernelAction = AppAction;

/** Why the kernel runner cannot run an action, or null when it can. */
function actionRefused(a: AppAction): string | null {
  switch (a.do) {
    case 'alert':
    case 'close':
      // The kernel runner stops a side's sends after it (script.ts); a peer that keeps sending is
      // the simulator's test of its receiver.
      return a.keepSending ? `action ${a.do} with keepSending (sim only)` : null;
    case 'send':
    case 'ticket':
    case 'empty-record':
    case 'corrupt-next':
    case 'garbage':
      return null;
    case 'key-update':
      return a.requestUpdate
        ? 'KeyUpdate(update_requested) needs a reacting peer (sim only)'
        : null;
    // Framed messages need the sim's upper layer. A HelloRequest and a heartbeat are control
    // records the script sends (the rfc-2015 world runs them); the kernel world's differential
    // against core does not include them yet.
    case 'message':
    case 'hello-request':
    case 'heartbeat':
      return `action ${a.do} (sim only)`;
    default:
      return assertNever(a, 'app action');
  }
}

/** Whether the kernel path can run a scenario, and if not why (framers, punt profiles, ...). */
export function kernelCapability(s: Scenario): { ok: true } | { ok: false; reason: string } {
  if (s.framer !== undefined) return { ok: false, reason: 'upper-layer framer (sim only)' };
  if (s.profile.name !== 'full') {
    return { ok: false, reason: `capability profile ${s.profile.name} (punting is sim only)` };
  }
  for (const a of [...s.client, ...s.server]) {
    const reason = actionRefused(a);
    if (reason !== null) return { ok: false, reason };
  }
  return { ok: true };
}

/**
 * Whether the rfc-2015 world (AF_ALG data plane, userspace control plane on plain TCP) can run a
 * scenario: any capability profile (a cipher the profile does not offload is processed in
 * userspace), HelloRequest and heartbeats (control records of the library's own); not framed
 * messages (the sim's upper layer) nor KeyUpdate(update_requested) (the script does not answer it).
 */
export function rfc2015Capability(s: Scenario): { ok: true } | { ok: false; reason: string } {
  if (s.framer !== undefined) return { ok: false, reason: 'upper-layer framer (sim only)' };
  for (const a of [...s.client, ...s.server]) {
    if (a.do === 'message') return { ok: false, reason: 'action message (sim only)' };
    if (a.do === 'key-update' && a.requestUpdate)
      return { ok: false, reason: 'KeyUpdate(update_requested) needs a reacting peer (sim only)' };
  }
  return { ok: true };
}
