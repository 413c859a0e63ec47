/**
 * Wire constants of the TLS record protocol that the data plane needs: content types, alert
 * descriptions and the handshake types it must recognise. Values are the IANA/RFC ones.
 */

/** RFC 8446 §5.1 / RFC 5246 §6.2.1 ContentType. */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;
export type ContentType = number;

export function contentTypeName(t: number): string {
  switch (t) {
    case 20:
      return 'change_cipher_spec';
    case 21:
      return 'alert';
    case 22:
      return 'handshake';
    case 23:
      return 'application_data';
    case 24:
      return 'heartbeat'; // RFC 6520
    default:
      return `unknown(${t})`;
  }
}

/** RFC 8446 §4 HandshakeType values the data plane looks at (the kernel only checks KeyUpdate). */
export const HandshakeType = {
  newSessionTicket: 4,
  keyUpdate: 24,
} as const;

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

/** RFC 8446 §6: level 1 = warning, 2 = fatal (TLS 1.3 treats all but close_notify/user_canceled as fatal). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/** The 2-byte body of an alert record. */
export function alertBody(name: AlertName): Uint8Array {
  const level =
    name === 'close_notify' || name === 'user_canceled' ? AlertLevel.warning : AlertLevel.fatal;
  return Uint8Array.of(level, AlertDescription[name]);
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
