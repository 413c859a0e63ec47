import type { Bytes } from '../bytes.js';
import { recordError } from '../errors.js';
import { HandshakeType, KeyUpdateRequest } from '../protocol.js';
import { err, ok, type Result } from '../result.js';

/**
 * The handshake messages a control plane meets after the handshake, when the data plane hands it
 * records of type handshake: KeyUpdate (RFC 8446 §4.6.3) and NewSessionTicket (§4.6.1), parsed
 * and built; any other message is kept by type and body. Parsing never throws: a malformed
 * message is a `RecordError` with the alert RFC 8446 says to send.
 */

export interface KeyUpdateMessage {
  readonly type: 'key-update';
  /** update_requested: the peer asks for a KeyUpdate back before our next data (RFC 8446 §4.6.3). */
  readonly requestUpdate: boolean;
}

export interface NewSessionTicketMessage {
  readonly type: 'new-session-ticket';
  /** Seconds the ticket may be used for (at most 604800, RFC 8446 §4.6.1). */
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
  /** The extensions block as it is on the wire (early_data and others), without its length. */
  readonly extensions: Uint8Array;
}

export interface OtherHandshakeMessage {
  readonly type: 'other';
  readonly handshakeType: number;
  readonly body: Uint8Array;
}

export type HandshakeMessage = KeyUpdateMessage | NewSessionTicketMessage | OtherHandshakeMessage;

/** RFC 8446 §4.6.1: servers MUST NOT use any value greater than 604800 seconds (7 days). */
export const MAX_TICKET_LIFETIME = 604800;

const HEADER = 4;

/**
 * Every handshake message in `data` (the content of one or more handshake records: a message may
 * span records, several may share one). Returns the whole messages and the bytes of an incomplete
 * last one, which belong in front of the next handshake record.
 */
export function parseHandshakeMessages(
  data: Uint8Array,
): Result<{ readonly messages: readonly HandshakeMessage[]; readonly rest: Uint8Array }> {
  const messages: HandshakeMessage[] = [];
  let at = 0;
  while (data.length - at >= HEADER) {
    const type = data[at]!;
    const length = (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!;
    if (data.length - at - HEADER < length) break;
    const body = data.subarray(at + HEADER, at + HEADER + length);
    const parsed = parseBody(type, body);
    if (!parsed.ok) return parsed;
    messages.push(parsed.value);
    at += HEADER + length;
  }
  return ok({ messages, rest: data.subarray(at) });
}

/** One whole handshake message (header included), as a data plane hands over a KeyUpdate. */
export function parseHandshakeMessage(message: Uint8Array): Result<HandshakeMessage> {
  const r = parseHandshakeMessages(message);
  if (!r.ok) return r;
  if (r.value.messages.length !== 1 || r.value.rest.length !== 0) {
    return err(
      recordError(
        'decode_error',
        `expected one whole handshake message, got ${r.value.messages.length} and ${r.value.rest.length} bytes more`,
      ),
    );
  }
  return ok(r.value.messages[0]!);
}

function parseBody(type: number, body: Uint8Array): Result<HandshakeMessage> {
  switch (type) {
    case HandshakeType.keyUpdate:
      return parseKeyUpdate(body);
    case HandshakeType.newSessionTicket:
      return parseTicket(body);
    default:
      return ok({ type: 'other', handshakeType: type, body });
  }
}

function parseKeyUpdate(body: Uint8Array): Result<HandshakeMessage> {
  if (body.length !== 1) {
    return err(recordError('decode_error', `KeyUpdate body of ${body.length} bytes, expected 1`));
  }
  const request = body[0]!;
  if (request !== KeyUpdateRequest.notRequested && request !== KeyUpdateRequest.requested) {
    // RFC 8446 §4.6.3: "any other value ... MUST terminate the connection with an
    // illegal_parameter alert".
    return err(recordError('illegal_parameter', `KeyUpdate request_update ${request}`));
  }
  return ok({ type: 'key-update', requestUpdate: request === KeyUpdateRequest.requested });
}

function parseTicket(body: Uint8Array): Result<HandshakeMessage> {
  const fail = (what: string) =>
    err<HandshakeMessage>(recordError('decode_error', `NewSessionTicket: ${what}`));
  if (body.length < 9) return fail(`${body.length} bytes is shorter than its fixed fields`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const lifetime = view.getUint32(0);
  const ageAdd = view.getUint32(4);
  let at = 8;
  const nonceLength = body[at++]!;
  if (body.length < at + nonceLength + 2) return fail('ticket_nonce runs past the message');
  const nonce = body.subarray(at, at + nonceLength);
  at += nonceLength;
  const ticketLength = view.getUint16(at);
  at += 2;
  // opaque ticket<1..2^16-1>: an empty ticket is malformed.
  if (ticketLength === 0) return fail('empty ticket');
  if (body.length < at + ticketLength + 2) return fail('ticket runs past the message');
  const ticket = body.subarray(at, at + ticketLength);
  at += ticketLength;
  const extensionsLength = view.getUint16(at);
  at += 2;
  if (body.length !== at + extensionsLength) return fail('extensions do not end the message');
  if (lifetime > MAX_TICKET_LIFETIME) {
    return err(
      recordError('illegal_parameter', `NewSessionTicket lifetime ${lifetime} s > 7 days`),
    );
  }
  return ok({
    type: 'new-session-ticket',
    lifetime,
    ageAdd,
    nonce,
    ticket,
    extensions: body.subarray(at, at + extensionsLength),
  });
}

function handshakeMessage(type: number, body: Uint8Array): Bytes {
  const out = new Uint8Array(HEADER + body.length);
  out[0] = type;
  out[1] = (body.length >>> 16) & 0xff;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, HEADER);
  return out;
}

/** A KeyUpdate message (RFC 8446 §4.6.3), the content of a handshake record. */
export function buildKeyUpdate(requestUpdate: boolean): Bytes {
  const request = requestUpdate ? KeyUpdateRequest.requested : KeyUpdateRequest.notRequested;
  return handshakeMessage(HandshakeType.keyUpdate, Uint8Array.of(request));
}

/** A NewSessionTicket message (RFC 8446 §4.6.1). Throws nothing; lengths are checked. */
export function buildNewSessionTicket(
  t: Omit<NewSessionTicketMessage, 'type'>,
): Result<Uint8Array> {
  if (!Number.isInteger(t.lifetime) || t.lifetime < 0 || t.lifetime > MAX_TICKET_LIFETIME) {
    return err(recordError('invalid_argument', `ticket lifetime ${t.lifetime} outside 0..604800`));
  }
  if (!Number.isInteger(t.ageAdd) || t.ageAdd < 0 || t.ageAdd > 0xffffffff) {
    return err(recordError('invalid_argument', `ticket_age_add ${t.ageAdd} is not a uint32`));
  }
  if (t.nonce.length > 255)
    return err(recordError('invalid_argument', 'ticket_nonce over 255 bytes'));
  if (t.ticket.length < 1 || t.ticket.length > 0xffff) {
    return err(
      recordError('invalid_argument', `ticket of ${t.ticket.length} bytes outside 1..65535`),
    );
  }
  if (t.extensions.length > 0xfffe) {
    return err(recordError('invalid_argument', 'extensions over 65534 bytes'));
  }
  const body = new Uint8Array(
    8 + 1 + t.nonce.length + 2 + t.ticket.length + 2 + t.extensions.length,
  );
  const view = new DataView(body.buffer);
  view.setUint32(0, t.lifetime);
  view.setUint32(4, t.ageAdd);
  let at = 8;
  body[at++] = t.nonce.length;
  body.set(t.nonce, at);
  at += t.nonce.length;
  view.setUint16(at, t.ticket.length);
  at += 2;
  body.set(t.ticket, at);
  at += t.ticket.length;
  view.setUint16(at, t.extensions.length);
  body.set(t.extensions, at + 2);
  return ok(handshakeMessage(HandshakeType.newSessionTicket, body));
}
