import type { AeadKey, SealRequest } from './aead.js';
import { concat, EMPTY, MAX_U64, toHex } from './bytes.js';
import type { CryptoState } from './cryptoState.js';
import {
  type CapabilityProfile,
  checkKeyInstall,
  checkStateImport,
  type Design,
} from './design.js';
import { type RecordError, recordError } from './errors.js';
import { assertNever } from './exhaustive.js';
import {
  type DirectionKey,
  type Draft as MachineDraft,
  epochAfterImport,
  pureStep,
  trace,
} from './machine.js';
import { nextExplicitNonce, sealLayout } from './recordCrypto.js';
import {
  alertBody,
  ContentType,
  type ContentTypeByte,
  MAX_PLAINTEXT,
  MIN_RECORD_SIZE_LIMIT,
  TLS_1_3,
} from './protocol.js';
import { append, dropFirst, indexOfRequest } from './requests.js';
import {
  keyInstallEvent,
  PREVIEW_BYTES,
  stateExportEvent,
  stateImportEvent,
  type TraceDraft,
} from './trace.js';

/**
 * The transmit side of the data plane as a pure transition, following `tls_sw_sendmsg`: app bytes
 * become records of at most the max payload, MSG_MORE keeps a record pending (the kernel's
 * `open_rec`), a control record pushes the pending data record out first, and a rekey switches
 * keys between two records. ("Open" in this project means only the AEAD open of a record.)
 */

export interface TxConfig {
  readonly design: Design;
  readonly profile: CapabilityProfile;
  readonly trace: boolean;
}

type TxKey = DirectionKey;

interface PendingSeal {
  readonly id: number;
  readonly seq: bigint;
  readonly epoch: number;
  readonly contentType: ContentTypeByte;
  readonly size: number;
  readonly done: boolean;
  /** The whole record once sealed (the engine writes header and explicit nonce in front). */
  readonly output: Uint8Array | null;
}

export type TxPhase =
  | { readonly tag: 'keyless' }
  /** A key is installed and sends are sealed as they come. */
  | { readonly tag: 'running' }
  /** rfc-2015: export asked for, waiting for in-flight seals to reach the wire first. */
  | { readonly tag: 'exporting' }
  /** rfc-2015: userspace holds the TX state; the data plane sends nothing until it is back. */
  | { readonly tag: 'exported' }
  | { readonly tag: 'closed' }
  | { readonly tag: 'failed'; readonly error: RecordError };

export interface TxState {
  readonly config: TxConfig;
  readonly phase: TxPhase;
  readonly key: TxKey | null;
  /** Sequence number of the next record. */
  readonly seq: bigint;
  /** Kernel `iv`: the next TLS 1.2 explicit nonce, or the static IV tail for TLS 1.3 / ChaCha20. */
  readonly iv: Uint8Array;
  readonly epoch: number;
  /** Plaintext of the pending data record (kept open for more by MSG_MORE; kernel `open_rec`). */
  readonly pending: readonly Uint8Array[];
  readonly pendingLength: number;
  /** Kernel `tx_max_payload_len` (RFC 8449 record_size_limit, minus the type byte in TLS 1.3). */
  readonly maxPayload: number;
  readonly inFlight: readonly PendingSeal[];
  /** Sends that arrived while userspace held the state, replayed in order when it comes back. */
  readonly queued: readonly TxInput[];
  readonly nextId: number;
}

export type TxInput =
  /** The app writes; `more` is MSG_MORE (keep the record pending for more bytes). */
  | { readonly type: 'send'; readonly data: Uint8Array; readonly more?: boolean }
  /** sendmsg with a TLS_SET_RECORD_TYPE cmsg: one record of the given type (may be empty). */
  | {
      readonly type: 'send-control';
      readonly contentType: ContentTypeByte;
      readonly body: Uint8Array;
      readonly more?: boolean;
    }
  | { readonly type: 'crypto-done'; readonly id: number; readonly output: Uint8Array | null }
  | { readonly type: 'install-key'; readonly state: CryptoState; readonly key: AeadKey }
  /** `setsockopt(SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN)`. */
  | { readonly type: 'set-max-payload'; readonly size: number }
  | { readonly type: 'export-state' }
  | { readonly type: 'import-state'; readonly state: CryptoState; readonly key: AeadKey }
  /** Sends close_notify (RFC 8446 §6.1) and refuses every later send. */
  | { readonly type: 'close' };

export type TxEffect =
  | { readonly type: 'seal'; readonly id: number; readonly request: SealRequest }
  /** A whole record for the wire, in sequence order. */
  | {
      readonly type: 'wire';
      readonly seq: bigint;
      readonly epoch: number;
      readonly contentType: ContentTypeByte;
      readonly bytes: Uint8Array;
    }
  | { readonly type: 'state'; readonly state: CryptoState }
  | { readonly type: 'error'; readonly error: RecordError }
  | { readonly type: 'trace'; readonly event: TraceDraft };

export function createTx(config: TxConfig): TxState {
  return {
    config,
    phase: { tag: 'keyless' },
    key: null,
    seq: 0n,
    iv: EMPTY,
    epoch: 0,
    pending: [],
    pendingLength: 0,
    maxPayload: MAX_PLAINTEXT,
    inFlight: [],
    queued: [],
    nextId: 1,
  };
}

/** A mutable working copy for one step; the caller of `txStep` only ever sees the frozen result. */
export type TxDraft = MachineDraft<TxState>;
type Draft = TxDraft;

/**
 * `txStep` without the copy, for a driver that owns its state alone and never hands it out
 * (`TlsRecordLayer`): applies `input` to `d` in place and appends the effects to `fx`. Arrays
 * inside the state are still replaced, never written, so a state taken before stays valid.
 */
export function txApply(d: TxDraft, input: TxInput, fx: TxEffect[]): void {
  apply(d, fx, input);
}

export const txStep: (state: TxState, input: TxInput) => readonly [TxState, readonly TxEffect[]] =
  pureStep(txApply);

function apply(d: Draft, fx: TxEffect[], input: TxInput): void {
  switch (input.type) {
    case 'send':
    case 'send-control':
    case 'close':
      if (
        d.phase.tag === 'exporting' ||
        (d.phase.tag === 'exported' && d.config.design.tx.pauseWhileExported)
      ) {
        d.queued = [...d.queued, input];
        return;
      }
      if (input.type === 'send') onSend(d, fx, input.data, input.more === true);
      else if (input.type === 'send-control')
        onSendControl(d, fx, input.contentType, input.body, input.more === true);
      else onClose(d, fx);
      return;
    case 'crypto-done':
      onCryptoDone(d, fx, input.id, input.output);
      return;
    case 'install-key':
      onInstallKey(d, fx, input.state, input.key);
      return;
    case 'set-max-payload':
      onSetMaxPayload(d, fx, input.size);
      return;
    case 'export-state':
      onExport(d, fx);
      return;
    case 'import-state':
      onImport(d, fx, input.state, input.key);
      return;
    default:
      assertNever(input, 'TX input');
  }
}

function refuse(fx: TxEffect[], error: RecordError): void {
  fx.push({ type: 'error', error });
}

function fail(d: Draft, fx: TxEffect[], error: RecordError): void {
  d.phase = { tag: 'failed', error };
  d.inFlight = [];
  d.pending = [];
  d.pendingLength = 0;
  refuse(fx, error);
  if (d.config.trace) trace(fx, { lane: 'dp-tx', kind: 'error', error });
}

/** Why a send cannot go ahead now, or null. Sticky errors repeat, as `sk_err` does. */
function sendBlocked(d: Draft): RecordError | null {
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

function onSend(d: Draft, fx: TxEffect[], data: Uint8Array, more: boolean): void {
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
function pushPendingRecord(d: Draft, fx: TxEffect[]): void {
  if (d.pendingLength === 0) return;
  const plaintext = concat(d.pending);
  d.pending = [];
  d.pendingLength = 0;
  seal(d, fx, ContentType.applicationData, plaintext);
}

function onSendControl(
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

function onClose(d: Draft, fx: TxEffect[]): void {
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

function seal(d: Draft, fx: TxEffect[], contentType: ContentTypeByte, data: Uint8Array): void {
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

function onCryptoDone(d: Draft, fx: TxEffect[], id: number, output: Uint8Array | null): void {
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
function emitRecord(d: Draft, fx: TxEffect[], p: PendingSeal, bytes: Uint8Array): void {
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

function onInstallKey(d: Draft, fx: TxEffect[], crypto: CryptoState, aead: AeadKey): void {
  const { design, profile } = d.config;
  const refused = checkKeyInstall(
    'TLS_TX',
    profile,
    design.tx.rekey,
    d.key?.crypto ?? null,
    crypto,
  );
  if (refused) {
    refuse(fx, refused);
    return;
  }
  if (
    d.phase.tag === 'failed' ||
    d.phase.tag === 'closed' ||
    d.phase.tag === 'exporting' ||
    d.phase.tag === 'exported'
  ) {
    refuse(fx, recordError('invalid_argument', `cannot install a TX key while ${d.phase.tag}`));
    return;
  }
  const rekey = d.key !== null;
  if (rekey) {
    // Whatever the app left pending was written under the old key's epoch: it leaves under it.
    pushPendingRecord(d, fx);
  }
  d.epoch += 1;
  d.key = { crypto, aead, epoch: d.epoch };
  if (!rekey || design.tx.rekeyResetsSequence) {
    d.seq = crypto.recSeq;
    d.iv = crypto.iv;
  }
  if (d.phase.tag === 'keyless') d.phase = { tag: 'running' };
  if (d.config.trace) trace(fx, keyInstallEvent(d.epoch, aead.fingerprint, d.seq));
}

function onSetMaxPayload(d: Draft, fx: TxEffect[], size: number): void {
  // TLS_TX_MAX_PAYLOAD_LEN: 64..16384 for TLS 1.2, 63..16384 for TLS 1.3 (the type byte counts
  // against record_size_limit, RFC 8449 §4); -EBUSY while a MSG_MORE record is open.
  const tls13 = d.key?.crypto.version === TLS_1_3;
  const min = MIN_RECORD_SIZE_LIMIT - (tls13 ? 1 : 0);
  if (!Number.isInteger(size) || size < min || size > MAX_PLAINTEXT) {
    refuse(
      fx,
      recordError('invalid_argument', `max payload ${size} outside ${min}..${MAX_PLAINTEXT}`),
    );
    return;
  }
  if (d.pendingLength > 0) {
    refuse(fx, recordError('record_pending', 'a MSG_MORE record is pending'));
    return;
  }
  d.maxPayload = size;
}

function currentState(d: Draft): CryptoState {
  return { ...d.key!.crypto, iv: d.iv, recSeq: d.seq };
}

function onExport(d: Draft, fx: TxEffect[]): void {
  if (d.key === null) {
    refuse(fx, recordError('not_configured', 'TLS_TX is not set'));
    return;
  }
  if (d.phase.tag !== 'running') {
    refuse(fx, recordError('invalid_argument', `cannot export TX state while ${d.phase.tag}`));
    return;
  }
  if (d.config.design.tx.exportDrainsInFlight && d.inFlight.length > 0) {
    d.phase = { tag: 'exporting' };
    return;
  }
  finishExport(d, fx);
}

function finishExport(d: Draft, fx: TxEffect[]): void {
  const state = currentState(d);
  d.phase = { tag: 'exported' };
  fx.push({ type: 'state', state });
  if (d.config.trace) trace(fx, stateExportEvent(state.recSeq, d.epoch));
  if (d.config.design.tx.pauseWhileExported)
    if (d.config.trace) trace(fx, { lane: 'dp-tx', kind: 'freeze', reason: 'state-exported' });
}

function onImport(d: Draft, fx: TxEffect[], crypto: CryptoState, aead: AeadKey): void {
  if (d.key === null || d.phase.tag !== 'exported') {
    refuse(fx, recordError('invalid_argument', `cannot import TX state while ${d.phase.tag}`));
    return;
  }
  const mismatch = checkStateImport(d.key.crypto, crypto);
  if (mismatch) {
    refuse(fx, mismatch);
    return;
  }
  d.epoch = epochAfterImport(d.key, aead, d.epoch);
  d.key = { crypto, aead, epoch: d.epoch };
  d.seq = crypto.recSeq;
  d.iv = crypto.iv;
  d.phase = { tag: 'running' };
  if (d.config.trace) trace(fx, stateImportEvent(d.seq, d.epoch, aead.fingerprint));
  if (d.config.design.tx.pauseWhileExported)
    if (d.config.trace) trace(fx, { lane: 'dp-tx', kind: 'resume', reason: 'state-imported' });
  const queued = d.queued;
  d.queued = [];
  for (const q of queued) apply(d, fx, q);
}

/** The TX state as `getsockopt(SOL_TLS, TLS_TX)` would return it now (null before TLS_TX). */
export function txCryptoState(state: TxState): CryptoState | null {
  return state.key === null ? null : { ...state.key.crypto, iv: state.iv, recSeq: state.seq };
}
