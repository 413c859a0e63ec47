import {
  type CipherSuite,
  type ContentTypeByte,
  type CryptoState,
  createRx,
  createTx,
  type OpenRequest,
  type RxDraft,
  type TxDraft,
} from '@ktls-lab/core';
import { Framer } from '../framing.js';
import type { AppAction } from '../scenario/actions.js';
import type { WorldOptions } from './options.js';

/**
 * One endpoint of the world: its app's script and position in it, its control plane's inbox and
 * secrets, its data plane (core's RX and TX machines), and its upper layer (RDS/KCM framer).
 */

export type EndpointName = 'client' | 'server';

/** What waits for an endpoint's control plane, in order. */
export type CpItem =
  /** Set TLS_RX for the first time (the handshake is over). */
  | { readonly kind: 'install-rx' }
  /** A control record the data plane decrypted and handed over (linux-ktls). */
  | {
      readonly kind: 'control';
      readonly offset: number;
      readonly contentType: ContentTypeByte;
      readonly body: Uint8Array;
    }
  /** A control record the data plane holds, still encrypted, for userspace to read (rfc-2015). */
  | { readonly kind: 'held'; readonly offset: number; readonly record: Uint8Array }
  /** A record for the userspace record layer: the data plane refused the cipher (punt). */
  | { readonly kind: 'punted'; readonly offset: number; readonly record: Uint8Array }
  /** The control plane's heartbeat timer fired. */
  | { readonly kind: 'heartbeat' }
  /** take-state: put the TX state back after sealing a heartbeat in userspace. */
  | { readonly kind: 'heartbeat-import'; readonly state: CryptoState };

/** What the sender knew of a record when TX sealed it, for the monitor's record of the wire. */
export interface PendingSeal {
  readonly fingerprint: string;
  /** The nonce the sender sealed with (the engine's request: never written after). */
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  readonly firstByte: number;
  readonly size: number;
}

export interface Endpoint {
  readonly name: EndpointName;
  readonly peer: EndpointName;
  /** The data plane's machines, owned by this endpoint alone and stepped in place. */
  readonly rx: RxDraft;
  readonly tx: TxDraft;
  /** RX decryptions in flight, completed in the order the chooser picks. */
  readonly crypto: { id: number; offset: number; request: OpenRequest }[];
  readonly seals: PendingSeal[];
  readonly script: readonly AppAction[];
  pc: number;
  dataOffset: number;
  message: { bytes: Uint8Array; sent: number } | null;
  messages: number;
  /** The library sent a fatal alert or close_notify: the app sends nothing more. */
  txClosed: boolean;
  readonly inbox: CpItem[];
  rxSecret: Uint8Array;
  txSecret: Uint8Array;
  /** Userspace record processing when the data plane refused the cipher (punt). */
  userspaceRx: CryptoState | null;
  userspaceTx: CryptoState | null;
  readonly framer: Framer | null;
  upperPaused: boolean;
  readonly upperPending: Uint8Array[];
  corruptNext: boolean;
  notes: string[];
}

/**
 * The demo traffic secret of one length and fill byte, made once per thread: never written (an
 * endpoint replaces its secret at a KeyUpdate), and the same array each run lets the key cache
 * find its crypto state by identity (`keyCache.ts`).
 */
const demoSecrets = new Map<number, Uint8Array>();
function demoSecret(length: number, fill: number): Uint8Array {
  const id = length * 256 + fill;
  let s = demoSecrets.get(id);
  if (s === undefined) {
    s = new Uint8Array(length).fill(fill);
    demoSecrets.set(id, s);
  }
  return s;
}

/** A fresh endpoint, just after the handshake; `fill` makes its (demo) TX traffic secret. */
export function createEndpoint(
  options: WorldOptions,
  suite: CipherSuite,
  name: EndpointName,
  peer: EndpointName,
  script: readonly AppAction[],
  fill: number,
): Endpoint {
  const { scenario, design, trace } = options;
  const hashLength = suite.hash === 'sha384' ? 48 : 32;
  const peerFill = fill === 0x11 ? 0x22 : 0x11;
  return {
    name,
    peer,
    rx: createRx({
      design: design.design,
      profile: scenario.profile,
      asyncDepth: scenario.asyncDepth,
      limits: 'kernel',
      trace,
    }),
    tx: createTx({ design: design.design, profile: scenario.profile, trace }),
    crypto: [],
    seals: [],
    script,
    pc: 0,
    dataOffset: 0,
    message: null,
    messages: 0,
    txClosed: false,
    inbox: [],
    // Traffic secrets as the handshake would leave them: one per direction (demo values).
    txSecret: demoSecret(hashLength, fill),
    rxSecret: demoSecret(hashLength, peerFill),
    userspaceRx: null,
    userspaceTx: null,
    framer: scenario.framer ? new Framer(scenario.framer) : null,
    upperPaused: false,
    upperPending: [],
    corruptNext: false,
    notes: [],
  };
}
