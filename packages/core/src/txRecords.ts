import { concat, MAX_U64, toHex } from './bytes.js';
import type { CryptoState } from './cryptoState.js';
import { type RecordError, recordError } from './errors.js';
import { assertNever } from './exhaustive.js';
import { trace } from './machine.js';
import { nextExplicitNonce, sealLayout } from './recordCrypto.js';
import { alertBody, ContentType, type ContentTypeByte } from './protocol.js';
import { append, dropFirst, indexOfRequest } from './requests.js';
import { PREVIEW_BYTES, stateExportEvent } from './trace.js';

import type { PendingSeal, TxDraft as Draft, TxEffect } from './tx.js';

/**
 * The record path of the transmit side (tx.ts holds its state, inputs and control-plane
 * commands): app bytes into records of at most the max payload, the pending MSG_MORE record, a
 * control record alone after pushing the pending one out, seals asked for and completed in any
 * order, records leaving in sequence order, and the state leaving the data plane once in-flight
 * seals have drained.
 */

export function refuse(fx: TxEffect[], error: RecordError): void {
  fx.push({ type: 'error', error });
}

export function fail(d: Draft, fx: TxEffect[], error: RecordError): void {
  d.phase = { tag: 'failed', error };
  d.inFlight = [];
  d.pending = [];
  d.pendingLength = 0;
  refuse(fx, error);
  if (d.config.trace) trace(fx, { lane: 'dp-tx', kind: 'error', error });
}

/** Why a send cannot go ahead now, or null. Sticky errors repeat, as `sk_err` does. */
export function sendBlocked(d: Draft): RecordError | null {
  const phase = d.phase;
  switch (phase.tag) {
    case 'keyless':
      return recordError('no_key', 'TLS_TX is not set');
    case 'failed':
      return phase.error;
    case 'closed':
      return recordError('closed', 'close_notify was sent');
    case 'running':
    case 'exporting':
    case 'exported':
      return null;
    default:
      return assertNever(phase, 'TX phase');
  }
}

export function onSend(d: Draft, fx: TxEffect[], data: Uint8Array, more: boolean): void {
  const blocked = sendBlocked(d);
  if (blocked) {
    refuse(fx, blocked);
    return;
  }
  if (d.config.trace)
    trace(fx, {
      lane: 'app-tx',
      kind: 'app-send',
      size: data.length,
      ...(more ? { reason: 'MSG_MORE' } : {}),
    });
  if (!more && d.pendingLength === 0 && data.length > 0 && data.length <= d.maxPayload) {
    // The common send: one whole record, nothing pending to join.
    seal(d, fx, ContentType.applicationData, data);
    return;
  }
  let rest = data;
  // Fill the pending record up to the max payload, cutting full records as they fill.
  while (rest.length > 0 && d.phase.tag !== 'failed') {
    const room = d.maxPayload - d.pendingLength;
    const take = rest.subarray(0, room);
    rest = rest.subarray(take.length);
    d.pending = [...d.pending, take];
    d.pendingLength += take.length;
    if (d.pendingLength === d.maxPayload) pushPendingRecord(d, fx);
  }
  if (!more) pushPendingRecord(d, fx);
  else if (d.pendingLength > 0)
    if (d.config.trace)
      trace(fx, {
        lane: 'dp-tx',
        kind: 'record-open',
        size: d.pendingLength,
        seq: d.seq.toString(),
      });
}

/** Seals the pending data record, if any (`tls_push_record`). */
export function pushPendingRecord(d: Draft, fx: TxEffect[]): void {
  if (d.pendingLength === 0) return;
  const plaintext = concat(d.pending);
  d.pending = [];
  d.pendingLength = 0;
  seal(d, fx, ContentType.applicationData, plaintext);
}

export function onSendControl(
  d: Draft,
  fx: TxEffect[],
  contentType: ContentTypeByte,
  body: Uint8Array,
  more: boolean,
): void {
  const blocked = sendBlocked(d);
  if (blocked) {
    refuse(fx, blocked);
    return;
  }
  if (more) {
    // tls_process_cmsg: a record type cmsg together with MSG_MORE → -EINVAL.
    refuse(fx, recordError('control_with_more', 'a control record cannot be sent with MSG_MORE'));
    return;
  }
  if (contentType < 0 || contentType > 255) {
    refuse(fx, recordError('invalid_argument', `content type ${contentType} is not a byte`));
    return;
  }
  // tls_handle_open_record: data and control never share a record.
  if (d.config.design.tx.controlFlushesPendingRecord) pushPendingRecord(d, fx);
  if (d.config.trace)
    trace(fx, {
      lane: 'cp',
      kind: 'control-send',
      type: contentType,
      size: body.length,
    });
  let rest = body;
  do {
    const part = rest.subarray(0, d.maxPayload);
    rest = rest.subarray(part.length);
    seal(d, fx, contentType, part);
  } while (rest.length > 0 && d.phase.tag !== 'failed');
}

export function onClose(d: Draft, fx: TxEffect[]): void {
  if (d.phase.tag === 'closed') return;
  const blocked = sendBlocked(d);
  if (blocked) {
    refuse(fx, blocked);
    return;
  }
  pushPendingRecord(d, fx);
  seal(d, fx, ContentType.alert, alertBody('close_notify'));
  if (d.phase.tag !== 'failed') d.phase = { tag: 'closed' };
}

export function seal(
  d: Draft,
  fx: TxEffect[],
  contentType: ContentTypeByte,
  data: Uint8Array,
): void {
  const key = d.key!;
  if (d.seq === MAX_U64) {
    // Selftest `recseq_wrap`: with rec_seq = ff…ff the first send fails with EBADMSG, and RFC 8446
    // §5.3 forbids wrapping: re-key or close.
    fail(d, fx, recordError('sequence_wrap', 'TX sequence number would wrap'));
    return;
  }
  const { nonce, aad, plaintext, trailer, prefix, header } = sealLayout(
    key.crypto,
    d.iv,
    d.seq,
    contentType,
    data,
  );
  const id = d.nextId++;
  d.inFlight = append(d.inFlight, {
    id,
    seq: d.seq,
    epoch: key.epoch,
    contentType,
    size: data.length,
    done: false,
    output: null,
  });
  fx.push({
    type: 'seal',
    id,
    request: { key: key.aead, nonce, aad, plaintext, trailer, prefix },
  });
  if (d.config.trace)
    trace(fx, {
      lane: 'dp-tx',
      kind: 'seal-request',
      req: id,
      seq: d.seq.toString(),
      epoch: key.epoch,
      type: contentType,
      size: data.length,
      key: key.aead.fingerprint,
      nonce: toHex(nonce),
      aad: toHex(aad),
      header: toHex(header),
      preview: toHex(data.subarray(0, PREVIEW_BYTES)),
    });
  // The explicit nonce advances with rec_seq (tls_advance_record_sn), wrapping silently.
  d.seq += 1n;
  if (key.crypto.suite.explicitNonceLength > 0) d.iv = nextExplicitNonce(d.iv);
}

export function onCryptoDone(
  d: Draft,
  fx: TxEffect[],
  id: number,
  output: Uint8Array | null,
): void {
  const i = indexOfRequest(d.inFlight, id);
  if (i < 0) return;
  const p = d.inFlight[i]!;
  if (d.config.trace)
    trace(fx, {
      lane: 'dp-tx',
      kind: 'seal-done',
      req: id,
      seq: p.seq.toString(),
      epoch: p.epoch,
    });
  if (output === null) {
    // An encryption failure other than -EINPROGRESS → tls_err_abort(-EBADMSG).
    fail(d, fx, recordError('bad_record_mac', `sealing record ${p.seq} failed`));
    return;
  }
  if (i === 0) {
    // Synchronous crypto, or the oldest async seal: it leaves at once.
    d.inFlight = dropFirst(d.inFlight);
    emitRecord(d, fx, p, output);
  } else {
    const inFlight = d.inFlight.slice();
    inFlight[i] = { ...p, done: true, output };
    d.inFlight = inFlight;
  }
  // Async encryptions complete in any order; records still leave in sequence order.
  while (d.inFlight.length > 0 && d.inFlight[0]!.done) {
    const head = d.inFlight[0]!;
    d.inFlight = dropFirst(d.inFlight);
    emitRecord(d, fx, head, head.output!);
  }
  if (d.phase.tag === 'exporting' && d.inFlight.length === 0) finishExport(d, fx);
}

/** A sealed record leaves for the wire; the engine wrote it whole (header, nonce, ciphertext, tag). */
export function emitRecord(d: Draft, fx: TxEffect[], p: PendingSeal, bytes: Uint8Array): void {
  fx.push({ type: 'wire', seq: p.seq, epoch: p.epoch, contentType: p.contentType, bytes });
  if (d.config.trace)
    trace(fx, {
      lane: 'wire',
      kind: 'record-out',
      seq: p.seq.toString(),
      epoch: p.epoch,
      type: p.contentType,
      size: p.size,
      wire: bytes.length,
    });
}

export function currentState(d: Draft): CryptoState {
  return { ...d.key!.crypto, iv: d.iv, recSeq: d.seq };
}

export function finishExport(d: Draft, fx: TxEffect[]): void {
  const state = currentState(d);
  d.phase = { tag: 'exported' };
  fx.push({ type: 'state', state });
  if (d.config.trace) trace(fx, stateExportEvent(state.recSeq, d.epoch));
  if (d.config.design.tx.pauseWhileExported)
    if (d.config.trace) trace(fx, { lane: 'dp-tx', kind: 'freeze', reason: 'state-exported' });
}
