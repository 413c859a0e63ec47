import {
  type AlertName,
  assertNever,
  type CapabilityProfile,
  type SuiteName,
} from '@ktls-lab/core';
import type { FramerKind } from '../framing.js';

/**
 * The scenario vocabulary, defined once: what an endpoint's application (and the TLS library it
 * calls) does, step by step. The simulator runs every action; the real-kernel runner
 * (`@ktls-lab/native`) runs the ones a kernel socket can, and says why not for the rest.
 */

/** One step of an endpoint's application (and of the TLS library it calls). */
export type AppAction =
  /** `send()` of `bytes` application bytes (`more`: MSG_MORE). */
  | { readonly do: 'send'; readonly bytes: number; readonly more?: boolean }
  /** An upper-layer message of `payload` bytes, framed; send up to `upto` bytes of it (default: the rest). */
  | { readonly do: 'message'; readonly payload: number; readonly upto?: number }
  /** TLS 1.3 KeyUpdate (RFC 8446 §4.6.3), sent by the library in the app's thread. */
  | { readonly do: 'key-update'; readonly requestUpdate: boolean }
  /** A NewSessionTicket (server, TLS 1.3). */
  | { readonly do: 'ticket' }
  /** A TLS 1.2 HelloRequest: a handshake record the peer may ignore (RFC 5246 §7.4.1.1). */
  | { readonly do: 'hello-request' }
  /**
   * A fatal alert; the library sends it and stops sending, unless `keepSending` (a broken or
   * hostile peer: whatever follows must not be delivered, RFC 8446 §6.2).
   */
  | { readonly do: 'alert'; readonly alert: AlertName; readonly keepSending?: boolean }
  /**
   * close_notify; the library sends nothing after it, unless `keepSending` (a broken or hostile
   * peer: RFC 8446 §6.1 says the receiver MUST ignore what follows).
   */
  | { readonly do: 'close'; readonly keepSending?: boolean }
  /** Queue a heartbeat (RFC 6520) for the control plane, which sends it when it runs: asynchronously. */
  | { readonly do: 'heartbeat' }
  /** A zero-length application_data record. */
  | { readonly do: 'empty-record' }
  /** The network flips one bit in the next record this endpoint writes. */
  | { readonly do: 'corrupt-next' }
  /** Raw bytes written into the TCP stream, bypassing TLS (a record header the peer must refuse). */
  | { readonly do: 'garbage'; readonly bytes: readonly number[] };

/**
 * Every kind of action, in a fixed order: `codec.ts` writes an action's index here into a
 * scenario's name, so the order is append-only.
 */
export const ACTION_KINDS = [
  'send',
  'message',
  'key-update',
  'ticket',
  'hello-request',
  'alert',
  'close',
  'heartbeat',
  'empty-record',
  'corrupt-next',
  'garbage',
] as const satisfies readonly AppAction['do'][];

/** The actions that carry nothing but their kind. */
export const BARE_ACTION_KINDS = [
  'ticket',
  'hello-request',
  'heartbeat',
  'empty-record',
  'corrupt-next',
] as const satisfies readonly AppAction['do'][];
export type BareActionKind = (typeof BARE_ACTION_KINDS)[number];

export function isBareKind(kind: AppAction['do']): kind is BareActionKind {
  return (BARE_ACTION_KINDS as readonly string[]).includes(kind);
}

export function isBareAction(
  a: AppAction,
): a is Extract<AppAction, { readonly do: BareActionKind }> {
  return isBareKind(a.do);
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly suite: SuiteName;
  /** What both data planes can offload. */
  readonly profile: CapabilityProfile;
  /** RX decryptions in flight (TLS 1.2 data records only, as the kernel does). */
  readonly asyncDepth: number;
  readonly framer?: FramerKind;
  readonly client: readonly AppAction[];
  readonly server: readonly AppAction[];
  /** Small enough for exhaustive DFS exploration. */
  readonly small: boolean;
}

/** An action in words, for traces and reports. */
export function describeAction(a: AppAction): string {
  if (isBareAction(a)) return a.do;
  switch (a.do) {
    case 'send':
      return `send ${a.bytes} bytes${a.more ? ' (MSG_MORE)' : ''}`;
    case 'message':
      return `message of ${a.payload} bytes${a.upto !== undefined ? ` (up to byte ${a.upto})` : ''}`;
    case 'key-update':
      return `KeyUpdate(${a.requestUpdate ? 'update_requested' : 'update_not_requested'})`;
    case 'alert':
      return `fatal alert ${a.alert}${a.keepSending ? ' (and keeps sending)' : ''}`;
    case 'close':
      return a.keepSending ? 'close (and keeps sending)' : 'close';
    case 'garbage':
      return `${a.bytes.length} raw bytes into the stream`;
    default:
      return assertNever(a, 'app action');
  }
}
