import {
  type AlertName,
  alertBody,
  buildKeyUpdate,
  buildNewSessionTicket,
  HandshakeType,
  type NewSessionTicketMessage,
} from '@ktls-lab/core';

/**
 * The bytes of the control records the scenario vocabulary sends (`actions.ts`), shared by the
 * simulator and the real-kernel runner. Each is the content of one record; the content type is
 * the caller's (`ContentType.handshake`, `alert`, `heartbeat`). Core's builders make them where
 * core has one; the simulator's ticket is kept as data (see `SIM_TICKET_MESSAGE`).
 */

/** KeyUpdate (RFC 8446 §4.6.3): handshake type 24, length 1, `request_update`. */
export function keyUpdateMessage(requestUpdate: boolean): Uint8Array {
  return buildKeyUpdate(requestUpdate);
}

/** An alert record's body (RFC 8446 §6): the level TLS 1.3 gives the alert, then its description. */
export function alertMessage(name: AlertName): Uint8Array {
  return alertBody(name);
}

/** The fields of the ticket the `ticket` action sends (RFC 8446 §4.6.1): 2 hours, no extensions. */
export const TICKET: Omit<NewSessionTicketMessage, 'type'> = {
  lifetime: 7200,
  ageAdd: 0x01020304,
  nonce: Uint8Array.of(0),
  ticket: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd),
  extensions: new Uint8Array(0),
};

/** The NewSessionTicket message of `TICKET`, as core builds it: what the real-kernel runner sends. */
export function ticketMessage(): Uint8Array {
  const r = buildNewSessionTicket(TICKET);
  // TICKET is a constant within every limit buildNewSessionTicket checks.
  if (!r.ok) throw new Error(`ticket: ${r.error.message}`);
  return r.value;
}

/**
 * The simulator's ticket, as data: `TICKET`'s fields, except that the handshake header says 17
 * bytes for the 18-byte body (one short). The simulator's traces and repro strings are pinned byte
 * for byte, so its bytes stay as they are; nothing in the simulator parses the ticket (its
 * control planes only look for KeyUpdate), and the record sizes in its traces are these 22 bytes.
 */
export const SIM_TICKET_MESSAGE: Uint8Array = Uint8Array.of(
  HandshakeType.newSessionTicket,
  0,
  0,
  17,
  ...[0, 0, 0x1c, 0x20], // ticket_lifetime 7200
  ...[1, 2, 3, 4], // ticket_age_add
  ...[1, 0], // ticket_nonce<0..255>: 1 byte
  ...[0, 4, 0xaa, 0xbb, 0xcc, 0xdd], // ticket<1..2^16-1>: 4 bytes
  ...[0, 0], // extensions: none
);

/** A TLS 1.2 HelloRequest (RFC 5246 §7.4.1.1): handshake type 0, empty body. */
export const HELLO_REQUEST_MESSAGE: Uint8Array = Uint8Array.of(HandshakeType.helloRequest, 0, 0, 0);

/** A heartbeat_request (RFC 6520 §4): type 1, payload length 4, "ping", 16 bytes of padding. */
export const HEARTBEAT_REQUEST: Uint8Array = Uint8Array.of(
  1,
  0,
  4,
  0x70,
  0x69,
  0x6e,
  0x67,
  ...new Uint8Array(16),
);
