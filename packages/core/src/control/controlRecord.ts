import { recordError } from '../errors.js';
import { assertNever } from '../exhaustive.js';
import { ContentType, type ContentTypeByte, isContentType, type TlsVersion } from '../protocol.js';
import { err, ok, type Result } from '../result.js';
import { type Alert, parseAlert } from './alert.js';
import { type HandshakeMessage, parseHandshakeMessages } from './handshake.js';

/**
 * What a control record a data plane handed over says (recvmsg with `TLS_GET_RECORD_TYPE`, or a
 * raw record opened in userspace): one union, so a control plane switches on `kind` instead of
 * reading `data[0] === 24` by hand.
 */
export type ControlRecord =
  | { readonly kind: 'alert'; readonly alert: Alert }
  /** Whole messages; `rest` is an incomplete last one, to go in front of the next record. */
  | {
      readonly kind: 'handshake';
      readonly messages: readonly HandshakeMessage[];
      readonly rest: Uint8Array;
    }
  | { readonly kind: 'change-cipher-spec' }
  /** RFC 6520: type 1 request, 2 response. */
  | { readonly kind: 'heartbeat'; readonly heartbeatType: number; readonly payload: Uint8Array }
  | { readonly kind: 'unknown'; readonly contentType: ContentTypeByte; readonly body: Uint8Array };

/**
 * Parses a control record's content. Application data is not a control record (invalid_argument);
 * a handshake record may carry an incomplete message: pass the previous record's `rest` in front.
 */
export function parseControlRecord(
  contentType: ContentTypeByte,
  body: Uint8Array,
  version: TlsVersion,
): Result<ControlRecord> {
  if (!isContentType(contentType)) return ok({ kind: 'unknown', contentType, body });
  switch (contentType) {
    case ContentType.alert: {
      const alert = parseAlert(body, version);
      return alert.ok ? ok({ kind: 'alert', alert: alert.value }) : alert;
    }
    case ContentType.handshake: {
      const r = parseHandshakeMessages(body);
      return r.ok ? ok({ kind: 'handshake', ...r.value }) : r;
    }
    case ContentType.changeCipherSpec:
      return ok({ kind: 'change-cipher-spec' });
    case ContentType.heartbeat: {
      // HeartbeatMessage: type(1) payload_length(2) payload padding (RFC 6520 §4).
      if (body.length < 3)
        return err(recordError('decode_error', 'heartbeat shorter than 3 bytes'));
      const n = (body[1]! << 8) | body[2]!;
      if (body.length < 3 + n)
        return err(recordError('decode_error', 'heartbeat payload runs past the record'));
      return ok({ kind: 'heartbeat', heartbeatType: body[0]!, payload: body.subarray(3, 3 + n) });
    }
    case ContentType.applicationData:
      return err(recordError('invalid_argument', 'application_data is not a control record'));
    default:
      return assertNever(contentType, 'content type');
  }
}
