import type { Bytes } from '../bytes.js';
import { recordError } from '../errors.js';
import {
  AlertDescription,
  AlertLevel,
  type AlertName,
  alertBody,
  TLS_1_3,
  type TlsVersion,
} from '../protocol.js';
import { err, ok, type Result } from '../result.js';

/** An alert record's content (RFC 8446 §6, RFC 5246 §7.2), and what it means for the stream. */
export interface Alert {
  readonly level: number;
  readonly description: number;
  /** The description's name, when this project knows it. */
  readonly name: AlertName | null;
  /** close_notify: the peer sends nothing more; a clean end of its direction (RFC 8446 §6.1). */
  readonly closure: boolean;
  /**
   * The connection ends at once (RFC 8446 §6.2): in TLS 1.3 every alert but close_notify and
   * user_canceled, whatever its level says; in TLS 1.2 those of level fatal.
   */
  readonly fatal: boolean;
}

const NAMES = new Map<number, AlertName>(
  (Object.entries(AlertDescription) as [AlertName, number][]).map(([name, code]) => [code, name]),
);

export function parseAlert(body: Uint8Array, version: TlsVersion): Result<Alert> {
  if (body.length !== 2) {
    return err(recordError('decode_error', `an alert is 2 bytes, got ${body.length}`));
  }
  const level = body[0]!;
  const description = body[1]!;
  const closure = description === AlertDescription.close_notify;
  const canceled = description === AlertDescription.user_canceled;
  const fatal = !closure && !canceled && (version === TLS_1_3 || level === AlertLevel.fatal);
  return ok({ level, description, name: NAMES.get(description) ?? null, closure, fatal });
}

/** The content of an alert record, at the level RFC 8446 §6 gives it. */
export function buildAlert(name: AlertName): Bytes {
  return alertBody(name);
}
