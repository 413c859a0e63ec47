/** Control-plane helpers: what a userspace TLS library does with the records a data plane hands it. */
export { type Alert, buildAlert, parseAlert } from './alert.js';
export { type ControlRecord, parseControlRecord } from './controlRecord.js';
export {
  buildKeyUpdate,
  buildNewSessionTicket,
  type HandshakeMessage,
  type KeyUpdateMessage,
  MAX_TICKET_LIFETIME,
  type NewSessionTicketMessage,
  type OtherHandshakeMessage,
  parseHandshakeMessage,
  parseHandshakeMessages,
} from './handshake.js';
export {
  followKeyUpdate,
  type KeyUpdatePolicy,
  type KeyUpdateReaction,
  reactToKeyUpdate,
  type TrafficSecrets,
} from './keyUpdate.js';
