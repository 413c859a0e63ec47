import { type AlertName, alertBody, buildKeyUpdate, HandshakeType } from '@ktls-lab/core';

/**
 * The bytes of the control records the scenario vocabulary sends (`actions.ts`), shared by the
 * simulator and the real-kernel runner. Each is the content of one record; the content type is
 * the caller's (`ContentType.handshake`, `alert`, `heartbeat`). Core's builders make them where
 * core has one; the rest are data.
 */

/** KeyUpdate (RFC 8446 §4.6.3): handshake type 24, length 1, `request_update`. */
export function keyUpdateMessage(requestUpdate: boolean): Uint8Array {
  return buildKeyUpdate(requestUpdate);
}

/** An alert record's body (RFC 8446 §6): the level TLS 1.3 gives the alert, then its description. */
export function alertMessage(name: AlertName): Uint8Array {
  return alertBody(name);
}

/**
 * The NewSessionTicket the `ticket` action sends (RFC 8446 §4.6.1), in both worlds: lifetime 7200
 * s, age_add 0x01020304, a 1-byte nonce, a 4-byte ticket, no extensions. Its handshake header
 * says 17 bytes for the 18-byte body (one short). It stays so because the simulator's traces and
 * repro strings are pinned byte for byte; nothing that receives it parses it (the simulator's
 * control planes and the kernel runner's script look only for KeyUpdate, and the kernel hands
 * handshake records over without reading them), and both worlds compare the same bytes.
 */
export const TICKET_MESSAGE: Uint8Array = Uint8Array.of(
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
