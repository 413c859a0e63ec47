import type { AlertName, SyscallErrno } from '@ktls-lab/core';

/**
 * Why an offloaded stream (or its hand-off) failed. Record-layer failures after the hand-off come
 * as core's `RecordLayerError` (its `code`, `errno` and `alert`); these are the stream's own.
 */
export type NodeKtlsErrorCode =
  /** The transport ended without close_notify (RFC 8446 §6.1: a truncation, not a clean end). */
  | 'ERR_KTLS_TRUNCATED'
  /** The peer sent a fatal alert (RFC 8446 §6.2); `alert` names it. */
  | 'ERR_KTLS_ALERT'
  /** The handshake could not be handed off exactly (a record where none may be, a key missing). */
  | 'ERR_KTLS_HANDOFF'
  /** A control message after the hand-off that the stream cannot follow (renegotiation, a bad message). */
  | 'ERR_KTLS_PROTOCOL'
  /** A TLS 1.3 KeyUpdate on a direction whose data plane cannot re-key (the kernel before 6.14). */
  | 'ERR_KTLS_REKEY_UNSUPPORTED'
  /** The stream was destroyed while a control record or a file waited for room in the socket. */
  | 'ERR_KTLS_DESTROYED'
  /** `sendFile` could not send what it was asked (the file is shorter, a bad offset or length). */
  | 'ERR_KTLS_SENDFILE';

/**
 * An error of the stream, with the TLS alert it corresponds to and the errno the kernel path would
 * give for the same condition (`null` where the kernel reports none: a truncation is a plain EOF,
 * recvmsg returning 0, that only the control plane can tell from a close).
 */
export class NodeKtlsError extends Error {
  override readonly name = 'NodeKtlsError';
  readonly code: NodeKtlsErrorCode;
  readonly errno: SyscallErrno | null;
  readonly alert: AlertName | null;

  constructor(
    code: NodeKtlsErrorCode,
    message: string,
    details: { errno?: SyscallErrno | null; alert?: AlertName | null; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.errno = details.errno ?? null;
    this.alert = details.alert ?? null;
  }
}
