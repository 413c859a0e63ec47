/**
 * Wire constants of the TLS record protocol that the data plane needs: content types, alert
 * levels and descriptions, and the handshake types it must recognise. Values are the IANA/RFC
 * ones. These tables are the only place a protocol number is written; everything else names them.
 */

/** RFC 8446 §5.1 / RFC 5246 §6.2.1 ContentType, and heartbeat (RFC 6520 §3). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;
/** A content type this project knows by name. */
export type ContentType = (typeof ContentType)[keyof typeof ContentType];
/**
 * The content type byte as it comes off the wire or goes into `TLS_SET_RECORD_TYPE`: any value
 * 0..255 (the kernel seals whatever type it is given; a peer may send an unknown one).
 */
export type ContentTypeByte = number;

const CONTENT_TYPE_NAMES: { readonly [T in ContentType]: string } = {
  [ContentType.changeCipherSpec]: 'change_cipher_spec',
  [ContentType.alert]: 'alert',
  [ContentType.handshake]: 'handshake',
  [ContentType.applicationData]: 'application_data',
  [ContentType.heartbeat]: 'heartbeat',
};

export function isContentType(t: ContentTypeByte): t is ContentType {
  return Object.hasOwn(CONTENT_TYPE_NAMES, t);
}

export function contentTypeName(t: ContentTypeByte): string {
  return isContentType(t) ? CONTENT_TYPE_NAMES[t] : `unknown(${t})`;
}

/**
 * RFC 8446 §4 / RFC 5246 §7.4 HandshakeType values that anything in this project reads: the data
 * plane itself only checks KeyUpdate (kernel `tls_check_pending_rekey`); the decoder and the
 * control-plane helpers name the rest.
 */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  newSessionTicket: 4,
  endOfEarlyData: 5,
  encryptedExtensions: 8,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
  keyUpdate: 24,
  messageHash: 254,
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/** RFC 8446 §4.6.3 KeyUpdateRequest. */
export const KeyUpdateRequest = { notRequested: 0, requested: 1 } as const;
export type KeyUpdateRequest = (typeof KeyUpdateRequest)[keyof typeof KeyUpdateRequest];

/** RFC 8446 §6 AlertDescription, the ones the record layer can raise or recognise. */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  illegal_parameter: 47,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  internal_error: 80,
  user_canceled: 90,
} as const;
export type AlertName = keyof typeof AlertDescription;
export type AlertDescription = (typeof AlertDescription)[AlertName];

/** RFC 8446 §6: level 1 = warning, 2 = fatal (TLS 1.3 treats all but close_notify/user_canceled as fatal). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/** The level a TLS 1.3 sender gives an alert: warning only for the two closure alerts (RFC 8446 §6). */
export function alertLevelOf(name: AlertName): AlertLevel {
  return name === 'close_notify' || name === 'user_canceled'
    ? AlertLevel.warning
    : AlertLevel.fatal;
}

/** The 2-byte body of an alert record. */
export function alertBody(name: AlertName): Uint8Array<ArrayBuffer> {
  return Uint8Array.of(alertLevelOf(name), AlertDescription[name]);
}

/** `legacy_record_version` 0x0303: both TLS 1.2 and TLS 1.3 records carry it (RFC 8446 §5.1). */
export const LEGACY_RECORD_VERSION = 0x0303;
export const TLS_1_2 = 0x0303;
export const TLS_1_3 = 0x0304;
export type TlsVersion = typeof TLS_1_2 | typeof TLS_1_3;

/** RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14 (kernel `TLS_MAX_PAYLOAD_SIZE`). */
export const MAX_PLAINTEXT = 1 << 14;
/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256. */
export const MAX_CIPHERTEXT_TLS13 = (1 << 14) + 256;
/** RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048. */
export const MAX_CIPHERTEXT_TLS12 = (1 << 14) + 2048;
export const HEADER_SIZE = 5;
/** RFC 8449 / kernel `TLS_MIN_RECORD_SIZE_LIM`. */
export const MIN_RECORD_SIZE_LIMIT = 64;
