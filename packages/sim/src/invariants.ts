/** The invariants every step of every run is checked against (docs/architecture.md §5). */
export const INVARIANTS = [
  {
    id: 1,
    name: 'nonce-unique',
    text: 'An AEAD nonce is never used twice under one key, on either side.',
  },
  {
    id: 2,
    name: 'stream-intact',
    text: "Each app receives exactly the bytes its peer's app sent, in order, once (prefix at every step, equality at the end).",
  },
  {
    id: 3,
    name: 'frozen-means-frozen',
    text: 'Nothing is decrypted or delivered while RX is frozen (after a KeyUpdate, until the next key).',
  },
  {
    id: 4,
    name: 'control-in-order',
    text: 'Every control record reaches the control plane exactly once, in stream order relative to data.',
  },
  {
    id: 5,
    name: 'right-key',
    text: 'No record is opened under a key, nonce or additional data other than what the key schedule gives its place in the stream (the oracle of invariant 9, not what the sender used).',
  },
  {
    id: 6,
    name: 'end-is-final',
    text: 'Nothing is delivered after close_notify; a fatal error stays fatal.',
  },
  {
    id: 7,
    name: 'messages-whole',
    text: 'Upper-layer messages (RDS/KCM framing) arrive whole, in order, once.',
  },
  {
    id: 8,
    name: 'liveness',
    text: 'With a quiet network and a responsive control plane a run completes within its bound; otherwise it is stuck, and the chain of who waits for whom is reported.',
  },
  {
    id: 9,
    name: 'sealed-per-key-schedule',
    text: "Every record is sealed under the key, nonce and additional data the key schedule gives its place in the stream, recomputed from the handshake's traffic secrets and the KeyUpdates sent (RFC 8446 §5.2-§5.3, §7.2-§7.3; RFC 5246 §6.2.3.3, RFC 5288 §3; RFC 7905 §2), and its header says the same.",
  },
  {
    id: 10,
    name: 'reported-epoch',
    text: "The sequence number and key epoch the data plane reports with a record it delivers (to the app or the control plane) are that record's own.",
  },
] as const;

export type InvariantId = (typeof INVARIANTS)[number]['id'];

export interface Violation {
  readonly invariant: InvariantId;
  readonly name: string;
  readonly message: string;
  /** Step at which it was detected. */
  readonly step: number;
}

export function violation(invariant: InvariantId, message: string, step: number): Violation {
  return { invariant, name: INVARIANTS[invariant - 1]!.name, message, step };
}
