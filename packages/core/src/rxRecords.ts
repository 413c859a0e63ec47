import { MAX_U64, toHex } from './bytes.js';
import { recordBytes, type WireRecord } from './codec.js';
import { type RecordError, recordError } from './errors.js';
import { trace } from './machine.js';
import { peekType, takeRecord } from './parser.js';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  type ContentTypeByte,
  HandshakeType,
  HEADER_SIZE,
  TLS_1_2,
  TLS_1_3,
  type TlsVersion,
} from './protocol.js';
import { innerContent, openLayout, plaintextOverflow } from './recordCrypto.js';
import { append, dropFirst, indexOfRequest } from './requests.js';
import { PREVIEW_BYTES, type TraceDraftOf } from './trace.js';

import type { PendingOpen, RxDraft as Draft, RxEffect, RxPhase } from './rx.js';

/**
 * The record path of the receive side (rx.ts holds its state, inputs and control-plane commands):
 * framing the next record off the stream, asking for its decryption, taking completions in any
 * order, and delivering in stream order: data to the app, a control record alone to the control
 * plane, a held record raw to userspace; freezing at a TLS 1.3 KeyUpdate, ending at close_notify
 * or a fatal alert, failing stickily on a bad MAC.
 */

/** The phases after which RX reads nothing more. */
export type EndedPhase = Extract<RxPhase, { readonly tag: 'failed' | 'eof' | 'closed' }>;

export function isLive(p: RxPhase): p is Exclude<RxPhase, EndedPhase> {
  return p.tag !== 'failed' && p.tag !== 'eof' && p.tag !== 'closed';
}

export function fail(d: Draft, fx: RxEffect[], error: RecordError): void {
  d.phase = { tag: 'failed', error };
  for (const p of d.inFlight) {
    if (d.config.trace)
      trace(fx, {
        lane: 'dp-rx',
        kind: 'discard',
        seq: p.seq.toString(),
        req: p.id,
        reason: 'after-error',
      });
  }
  d.inFlight = [];
  fx.push({ type: 'error', error });
  if (d.config.trace) trace(fx, { lane: 'dp-rx', kind: 'error', error });
}

export function onCryptoDone(
  d: Draft,
  fx: RxEffect[],
  id: number,
  output: Uint8Array | null,
): void {
  const i = indexOfRequest(d.inFlight, id);
  if (i < 0) {
    // A completion for a request dropped after an error or close: nothing to deliver.
    return;
  }
  const p = d.inFlight[i]!;
  if (d.config.trace)
    trace(fx, {
      lane: 'dp-rx',
      kind: 'open-done',
      req: id,
      seq: p.seq.toString(),
      epoch: p.epoch,
      ...(output === null ? { reason: 'auth-failed' as const } : { size: output.length }),
    });
  if (i === 0) {
    // The oldest request (every synchronous one): it is delivered at once, exactly as `pump`
    // would deliver it first, without being marked done in a copied list on the way.
    d.inFlight = dropFirst(d.inFlight);
    complete(d, fx, p, output);
    return;
  }
  const inFlight = d.inFlight.slice();
  inFlight[i] = { ...p, done: true, plaintext: output };
  d.inFlight = inFlight;
}

/**
 * Delivers what can be delivered and issues what can be issued, until neither makes progress.
 * This is the order the kernel keeps: `rx_list` in stream order, async only for TLS 1.2 data, a
 * control record only after earlier data, nothing decrypted while frozen.
 */
export function pump(d: Draft, fx: RxEffect[]): void {
  for (;;) {
    if (deliverReady(d, fx)) continue;
    if (!issueNext(d, fx)) return;
  }
}

function deliverReady(d: Draft, fx: RxEffect[]): boolean {
  if (d.inFlight.length === 0) return false;
  const head = d.inFlight[0]!;
  if (head.done) {
    d.inFlight = dropFirst(d.inFlight);
    complete(d, fx, head, head.plaintext);
    return true;
  }
  const inOrder = d.config.design.rx.delivery === 'stream-order';
  const idx = d.inFlight.findIndex((p, i) => p.done && (i === 0 || !inOrder || p.bypass));
  if (idx < 0) return false;
  const p = d.inFlight[idx]!;
  d.inFlight = d.inFlight.filter((_, i) => i !== idx);
  complete(d, fx, p, p.plaintext);
  return true;
}

function complete(d: Draft, fx: RxEffect[], p: PendingOpen, plaintext: Uint8Array | null): void {
  if (!isLive(d.phase)) return;
  if (plaintext === null) {
    // tls_decrypt_sg failure → tls_err_abort(-EBADMSG): sticky for every later read.
    fail(
      d,
      fx,
      recordError('bad_record_mac', `record ${p.seq} (epoch ${p.epoch}) failed authentication`),
    );
    return;
  }
  const version = d.key!.crypto.version;
  const overflow = plaintextOverflow(version, plaintext.length, p.seq);
  if (overflow) {
    fail(d, fx, overflow);
    return;
  }
  const inner = innerContent(version, p.outerType, plaintext);
  if (inner === null) {
    fail(d, fx, recordError('bad_content_type', `record ${p.seq} has no inner content type`));
    return;
  }
  const { type, content } = inner;
  const rx = d.config.design.rx;
  if (type === ContentType.applicationData || rx.mergeControlIntoData) {
    fx.push({ type: 'deliver', offset: p.offset, seq: p.seq, epoch: p.epoch, data: content });
    if (d.config.trace)
      trace(fx, { lane: 'app-rx', kind: 'deliver-data', ...delivered(p, type, content) });
    return;
  }
  if (rx.control === 'leave-on-stream') {
    // TLS 1.3 only learns the type after decryption: the plaintext is dropped and the record
    // stays where it was, with the sequence number it had.
    hold(d, fx, p.record, p.offset, p.seq);
    return;
  }
  fx.push({
    type: 'control',
    offset: p.offset,
    seq: p.seq,
    epoch: p.epoch,
    contentType: type,
    body: content,
  });
  if (d.config.trace)
    trace(fx, { lane: 'cp', kind: 'deliver-control', ...delivered(p, type, content) });
  afterControl(d, fx, type, content, version);
}

/** The fields both deliveries trace (data to the app, a control record to the control plane). */
function delivered(
  p: PendingOpen,
  type: ContentTypeByte,
  content: Uint8Array,
): Omit<TraceDraftOf<'deliver-control'>, 'lane' | 'kind'> {
  return {
    seq: p.seq.toString(),
    epoch: p.epoch,
    type,
    size: content.length,
    preview: toHex(content.subarray(0, PREVIEW_BYTES)),
  };
}

/** What the data plane itself must notice in a control record it hands over. */
function afterControl(
  d: Draft,
  fx: RxEffect[],
  type: ContentTypeByte,
  body: Uint8Array,
  version: TlsVersion,
): void {
  if (
    type === ContentType.handshake &&
    body[0] === HandshakeType.keyUpdate &&
    version === TLS_1_3
  ) {
    // tls_check_pending_rekey looks at the first handshake byte only; from here recvmsg returns
    // EKEYEXPIRED and poll() hides POLLIN until TLS_RX is set again (docs/kernel-tls.md §7).
    if (d.config.design.rx.freezeOnKeyUpdate) {
      d.phase = { tag: 'frozen', reason: 'key-update', seq: d.seq };
      if (d.config.trace)
        trace(fx, {
          lane: 'dp-rx',
          kind: 'freeze',
          reason: 'key-update',
          epoch: d.epoch,
        });
    }
    return;
  }
  if (type === ContentType.alert && body.length >= 2) {
    if (body[1] === AlertDescription.close_notify) {
      d.phase = { tag: 'eof' };
      if (d.config.trace) trace(fx, { lane: 'dp-rx', kind: 'eof', reason: 'close_notify' });
    } else if (body[0] === AlertLevel.fatal || version === TLS_1_3) {
      // RFC 8446 §6.2: a fatal alert closes the connection at once (TLS 1.3: all but close_notify
      // and user_canceled are fatal whatever their level says).
      if (body[1] !== AlertDescription.user_canceled)
        d.phase = { tag: 'closed', reason: `alert ${body[1]}` };
    }
  }
}

function hold(d: Draft, fx: RxEffect[], record: WireRecord, offset: number, seq: bigint): void {
  d.phase = { tag: 'held', record, offset, seq };
  d.seq = seq;
  fx.push({ type: 'punt', reason: 'control-record', offset, record: recordBytes(record) });
  if (d.config.trace)
    trace(fx, {
      lane: 'dp-rx',
      kind: 'freeze',
      reason: 'control-record',
      seq: seq.toString(),
      epoch: d.epoch,
    });
  if (d.config.trace)
    trace(fx, {
      lane: 'cp',
      kind: 'punt',
      reason: 'control-record',
      seq: seq.toString(),
      type: record.type,
      wire: HEADER_SIZE + record.body.length,
    });
}

/** Issues at most one new decryption (or hold / punt); returns whether it did anything. */
function issueNext(d: Draft, fx: RxEffect[]): boolean {
  const phase = d.phase.tag;
  if (phase === 'fallback') return puntNext(d, fx);
  if (phase !== 'running' || d.key === null) return false;
  const headType = peekType(d.parser);
  if (headType < 0) return false;
  const key = d.key;
  const version = key.crypto.version;
  const rx = d.config.design.rx;
  const control12 = version === TLS_1_2 && headType !== ContentType.applicationData;
  const async = rx.asyncDecrypt === 'tls12-data' && version === TLS_1_2 && !control12;
  const busy = d.inFlight.length;
  if (busy > 0) {
    // A synchronous decryption (every TLS 1.3 record, every control record) runs alone.
    if (d.inFlight.some((p) => p.sync)) return false;
    if (!async && (rx.controlWaitsForData || !control12)) return false;
    if (async && busy >= Math.max(1, d.config.asyncDepth)) return false;
  }
  const taken = takeRecord(d.parser);
  if (taken.kind === 'need-more') return false;
  if (taken.kind === 'error') {
    // strparser abort: the error is reported, the stream stops (docs/kernel-tls.md §5). Not before
    // the decryptions already in flight are delivered (docs/kernel-tls.md §6): the parser does not
    // consume the bad header, so this comes back here once they are.
    if (d.inFlight.length > 0) return false;
    fail(d, fx, taken.error);
    return true;
  }
  const record = taken.record;
  d.parser = taken.state;
  if (d.config.trace)
    trace(fx, {
      lane: 'dp-rx',
      kind: 'record-in',
      type: record.type,
      wire: HEADER_SIZE + record.body.length,
      header: toHex(record.header),
    });
  if (version === TLS_1_3 && record.type !== ContentType.applicationData) {
    // RFC 8446 §5: every protected TLS 1.3 record has outer type application_data.
    fail(d, fx, recordError('bad_content_type', `TLS 1.3 record with outer type ${record.type}`));
    return true;
  }
  if (control12 && rx.control === 'leave-on-stream') {
    hold(d, fx, record, taken.offset, d.seq);
    return true;
  }
  if (d.seq === MAX_U64) {
    // tls_advance_record_sn: the sequence number would wrap → tls_err_abort(-EBADMSG).
    fail(d, fx, recordError('sequence_wrap', 'RX sequence number would wrap'));
    return true;
  }
  const opened = openLayout(key.crypto, d.seq, record);
  if (!opened.ok) {
    fail(d, fx, opened.error);
    return true;
  }
  const layout = opened.value;
  const id = d.nextId++;
  const pending: PendingOpen = {
    id,
    seq: d.seq,
    epoch: key.epoch,
    outerType: record.type,
    offset: taken.offset,
    wire: HEADER_SIZE + record.body.length,
    sync: !async,
    bypass: control12 && !rx.controlWaitsForData,
    record,
    done: false,
    plaintext: null,
  };
  d.seq += 1n;
  d.inFlight = append(d.inFlight, pending);
  fx.push({
    type: 'open',
    id,
    seq: pending.seq,
    offset: pending.offset,
    request: { key: key.aead, nonce: layout.nonce, aad: layout.aad, ciphertext: layout.ciphertext },
  });
  if (d.config.trace)
    trace(fx, {
      lane: 'dp-rx',
      kind: 'open-request',
      req: id,
      seq: pending.seq.toString(),
      epoch: key.epoch,
      key: key.aead.fingerprint,
      nonce: toHex(layout.nonce),
      aad: toHex(layout.aad),
    });
  return true;
}

function puntNext(d: Draft, fx: RxEffect[]): boolean {
  const taken = takeRecord(d.parser);
  if (taken.kind === 'need-more') return false;
  if (taken.kind === 'error') {
    fail(d, fx, taken.error);
    return true;
  }
  d.parser = taken.state;
  fx.push({
    type: 'punt',
    reason: 'userspace-record-layer',
    offset: taken.offset,
    record: recordBytes(taken.record),
  });
  if (d.config.trace)
    trace(fx, {
      lane: 'cp',
      kind: 'punt',
      reason: 'userspace-record-layer',
      type: taken.record.type,
      wire: HEADER_SIZE + taken.record.body.length,
    });
  return true;
}
