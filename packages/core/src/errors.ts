import type { AlertName } from './protocol.js';

/**
 * The errno the Linux kTLS socket returns for the same condition (docs/kernel-tls.md §3–§7).
 * Kept as names, not numbers, so traces read the same on every architecture.
 */
export type Errno =
  | 'EBADMSG'
  | 'EMSGSIZE'
  | 'EINVAL'
  | 'EIO'
  | 'EKEYEXPIRED'
  | 'EAGAIN'
  | 'EBUSY'
  | 'ENOKEY'
  | 'EPIPE';

/**
 * Every way the record layer can refuse input. Each code has one errno and one alert, listed in
 * `ERROR_CATALOG`, so no call site can pair them inconsistently.
 */
export type RecordErrorCode =
  | 'record_overflow'
  | 'record_too_short'
  | 'bad_record_version'
  | 'bad_record_mac'
  | 'bad_content_type'
  | 'decode_error'
  | 'illegal_parameter'
  | 'control_needs_cmsg'
  | 'key_expired'
  | 'would_block'
  | 'rekey_unsupported'
  | 'key_mismatch'
  | 'sequence_wrap'
  | 'control_with_more'
  | 'no_key'
  | 'closed'
  | 'unsupported_cipher'
  | 'not_configured'
  | 'record_pending'
  | 'invalid_argument';

export interface ErrorSpec {
  readonly errno: Errno;
  /** The alert a TLS stack sends for it; `null` for local conditions that do not end the session. */
  readonly alert: AlertName | null;
  /** Sticky errors fail every later call, as `tls_err_abort()` makes `sk_err` stick. */
  readonly fatal: boolean;
}

export const ERROR_CATALOG: { readonly [K in RecordErrorCode]: ErrorSpec } = {
  // strparser: data_len > 2^14 + overhead → -EMSGSIZE (OpenSSL maps it to record_overflow).
  record_overflow: { errno: 'EMSGSIZE', alert: 'record_overflow', fatal: true },
  // strparser: data_len < cipher overhead → -EBADMSG ("framing too small", openssl semantics).
  record_too_short: { errno: 'EBADMSG', alert: 'decode_error', fatal: true },
  // strparser: header[1..2] != 03 03 → -EINVAL (OpenSSL: protocol_version).
  bad_record_version: { errno: 'EINVAL', alert: 'protocol_version', fatal: true },
  // AEAD open failed → -EBADMSG, tls_err_abort (RFC 8446 §5.2: bad_record_mac).
  bad_record_mac: { errno: 'EBADMSG', alert: 'bad_record_mac', fatal: true },
  // TLS 1.3 inner plaintext of only zeros, or an outer type the version forbids → -EBADMSG.
  bad_content_type: { errno: 'EBADMSG', alert: 'unexpected_message', fatal: true },
  // a handshake message the data plane must read (KeyUpdate) is malformed.
  decode_error: { errno: 'EBADMSG', alert: 'decode_error', fatal: true },
  // a control-plane message with a field out of range (RFC 8446 §4.6.3: KeyUpdate request_update
  // other than 0 or 1; §4.6.1: ticket lifetime over 7 days) → illegal_parameter.
  illegal_parameter: { errno: 'EINVAL', alert: 'illegal_parameter', fatal: true },
  // recvmsg without cmsg room while a control record is at the head → -EIO, record kept.
  control_needs_cmsg: { errno: 'EIO', alert: null, fatal: false },
  // TLS 1.3 KeyUpdate received, next RX key not installed yet → -EKEYEXPIRED.
  key_expired: { errno: 'EKEYEXPIRED', alert: null, fatal: false },
  // nothing complete to read (partial record, all-empty records) → -EAGAIN.
  would_block: { errno: 'EAGAIN', alert: null, fatal: false },
  // TLS 1.2, or a kernel before 6.14: second TLS_TX/TLS_RX → -EBUSY.
  rekey_unsupported: { errno: 'EBUSY', alert: null, fatal: false },
  // rekey changing version or cipher → -EINVAL (validate_crypto_info).
  key_mismatch: { errno: 'EINVAL', alert: null, fatal: false },
  // rec_seq would wrap: tls_advance_record_sn → tls_err_abort(-EBADMSG); RFC 8446 §5.3 forbids wrap.
  sequence_wrap: { errno: 'EBADMSG', alert: 'internal_error', fatal: true },
  // TLS_SET_RECORD_TYPE cmsg with MSG_MORE → -EINVAL.
  control_with_more: { errno: 'EINVAL', alert: null, fatal: false },
  // no crypto state installed for that direction (AF_ALG op socket before key: -ENOKEY).
  no_key: { errno: 'ENOKEY', alert: null, fatal: false },
  // send after close_notify / shutdown.
  closed: { errno: 'EPIPE', alert: null, fatal: false },
  // setsockopt(TLS_TX/TLS_RX) for a cipher or version the data plane cannot run → -EINVAL; the
  // TLS library then keeps the record layer in userspace (docs/kernel-tls.md §3, §9).
  unsupported_cipher: { errno: 'EINVAL', alert: null, fatal: false },
  // getsockopt on a direction with no crypto state → -EBUSY (do_tls_getsockopt_conf).
  not_configured: { errno: 'EBUSY', alert: null, fatal: false },
  // TLS_TX_MAX_PAYLOAD_LEN while a MSG_MORE record is pending (kernel open_rec) → -EBUSY.
  record_pending: { errno: 'EBUSY', alert: null, fatal: false },
  invalid_argument: { errno: 'EINVAL', alert: null, fatal: false },
};

/** A record-layer error as data: what `step` returns in an `error` effect and what traces carry. */
export interface RecordError {
  readonly code: RecordErrorCode;
  readonly errno: Errno;
  readonly alert: AlertName | null;
  readonly fatal: boolean;
  readonly message: string;
}

export function recordError(code: RecordErrorCode, message: string): RecordError {
  const spec = ERROR_CATALOG[code];
  return { code, errno: spec.errno, alert: spec.alert, fatal: spec.fatal, message };
}

/**
 * The thrown form of `RecordError`, used at the edges (the synchronous driver, parsers of
 * untrusted input). `instanceof RecordLayerError` is the one check a caller needs.
 */
export class RecordLayerError extends Error implements RecordError {
  override readonly name = 'RecordLayerError';
  readonly code: RecordErrorCode;
  readonly errno: Errno;
  readonly alert: AlertName | null;
  readonly fatal: boolean;

  constructor(error: RecordError) {
    super(error.message);
    this.code = error.code;
    this.errno = error.errno;
    this.alert = error.alert;
    this.fatal = error.fatal;
  }

  static of(code: RecordErrorCode, message: string): RecordLayerError {
    return new RecordLayerError(recordError(code, message));
  }

  toJSON(): RecordError {
    return {
      code: this.code,
      errno: this.errno,
      alert: this.alert,
      fatal: this.fatal,
      message: this.message,
    };
  }
}
