import { type CryptoState, cryptoStateFromSecret } from '../cryptoState.js';
import type { TlsRecordLayer } from '../driver.js';
import { nextTrafficSecret } from '../keySchedule.js';
import type { CipherSuite } from '../suites.js';
import type { KeyUpdateMessage } from './handshake.js';

/** A direction pair's current TLS 1.3 application traffic secrets (RFC 8446 §7.1). */
export interface TrafficSecrets {
  readonly suite: CipherSuite;
  /** The peer's: what RX opens with. */
  readonly read: Uint8Array;
  /** Ours: what TX seals with. */
  readonly write: Uint8Array;
}

export interface KeyUpdatePolicy {
  /**
   * Answer update_requested with a KeyUpdate of our own before our next data (RFC 8446 §4.6.3
   * says a receiver MUST; off only to model a peer that does not). Default true.
   */
  readonly answerUpdateRequests?: boolean;
}

/** What a control plane does for a KeyUpdate it received, computed, not yet done. */
export interface KeyUpdateReaction {
  readonly secrets: TrafficSecrets;
  /** The next RX state: `setsockopt(SOL_TLS, TLS_RX)` (it resumes a frozen RX). */
  readonly installRx: CryptoState;
  /**
   * When the peer asked for an update and the policy answers: send a KeyUpdate(update_not_requested)
   * under the current TX key, then switch TX to `installTx` (`TlsRecordLayer.sendKeyUpdate` does
   * both). update_not_requested, so two KeyUpdates never ping-pong.
   */
  readonly reply: { readonly installTx: CryptoState } | null;
}

/** RFC 8446 §4.6.3 and §7.2: the next read secret; the next write secret if we must answer. */
export function reactToKeyUpdate(
  secrets: TrafficSecrets,
  message: KeyUpdateMessage,
  policy: KeyUpdatePolicy = {},
): KeyUpdateReaction {
  const read = nextTrafficSecret(secrets.suite, secrets.read);
  const answer = message.requestUpdate && (policy.answerUpdateRequests ?? true);
  const write = answer ? nextTrafficSecret(secrets.suite, secrets.write) : secrets.write;
  return {
    secrets: { suite: secrets.suite, read, write },
    installRx: cryptoStateFromSecret(secrets.suite, read),
    reply: answer ? { installTx: cryptoStateFromSecret(secrets.suite, write) } : null,
  };
}

/**
 * Carries a reaction out on a `TlsRecordLayer`: installs the next RX key and, if there is a reply,
 * sends our KeyUpdate and switches TX. Returns the new secrets and the wire bytes to send.
 */
export function followKeyUpdate(
  layer: TlsRecordLayer,
  secrets: TrafficSecrets,
  message: KeyUpdateMessage,
  policy: KeyUpdatePolicy = {},
): { readonly secrets: TrafficSecrets; readonly wire: Uint8Array } {
  const reaction = reactToKeyUpdate(secrets, message, policy);
  layer.installRxKey(reaction.installRx);
  const wire = reaction.reply
    ? layer.sendKeyUpdate(reaction.reply.installTx, false)
    : new Uint8Array(0);
  return { secrets: reaction.secrets, wire };
}
