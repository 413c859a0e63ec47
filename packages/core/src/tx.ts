import type { AeadKey, SealRequest } from './aead.js';
import { EMPTY } from './bytes.js';
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
import { type ContentTypeByte, MAX_PLAINTEXT, MIN_RECORD_SIZE_LIMIT, TLS_1_3 } from './protocol.js';
import { keyInstallEvent, stateImportEvent, type TraceDraft } from './trace.js';

import {
  finishExport,
  onClose,
  onCryptoDone,
  onSend,
  onSendControl,
  pushPendingRecord,
  refuse,
} from './txRecords.js';
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

export interface PendingSeal {
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

/** A TX state open for `txApply` to step in place (machine.ts: for a driver that owns it alone). */
export type TxDraft = MachineDraft<TxState>;
type Draft = TxDraft;

/** One handler per input: a table, so an input added to `TxInput` without one does not compile. */
const ON_INPUT: { readonly [T in TxInput['type']]: Handler<Extract<TxInput, { type: T }>> } = {
  send: (d, fx, i) => {
    if (!queued(d, i)) onSend(d, fx, i.data, i.more === true);
  },
  'send-control': (d, fx, i) => {
    if (!queued(d, i)) onSendControl(d, fx, i.contentType, i.body, i.more === true);
  },
  close: (d, fx, i) => {
    if (!queued(d, i)) onClose(d, fx);
  },
  'crypto-done': (d, fx, i) => onCryptoDone(d, fx, i.id, i.output),
  'install-key': (d, fx, i) => onInstallKey(d, fx, i.state, i.key),
  'set-max-payload': (d, fx, i) => onSetMaxPayload(d, fx, i.size),
  'export-state': (d, fx) => onExport(d, fx),
  'import-state': (d, fx, i) => onImport(d, fx, i.state, i.key),
};
type Handler<I> = (d: Draft, fx: TxEffect[], input: I) => void;

/** The TX transition, in place on a draft (machine.ts: `txStep` is this on a copy). */
export function txApply(d: TxDraft, input: TxInput, fx: TxEffect[]): void {
  const handle = ON_INPUT[input.type] as Handler<TxInput> | undefined;
  if (handle === undefined) assertNever(input as never, 'TX input');
  handle(d, fx, input);
}

/**
 * Sends wait while userspace is taking the state (in-flight seals drain first) or holds it: they
 * are queued and replayed in order when the state comes back (rfc-2015, `pauseWhileExported`).
 * True when `input` was queued.
 */
function queued(d: Draft, input: TxInput): boolean {
  const phase = d.phase.tag;
  if (phase !== 'exporting' && !(phase === 'exported' && d.config.design.tx.pauseWhileExported)) {
    return false;
  }
  d.queued = [...d.queued, input];
  return true;
}

/**
 * Why `setsockopt(TLS_TX)` with `next` would be refused now, or null: what `install-key` checks,
 * for a caller that must know before it acts (a KeyUpdate record must not leave under the old key
 * when the next key cannot follow it).
 */
export function txInstallRefusal(state: TxState, next: CryptoState): RecordError | null {
  const { design, profile } = state.config;
  const refused = checkKeyInstall(
    'TLS_TX',
    profile,
    design.tx.rekey,
    state.key?.crypto ?? null,
    next,
  );
  if (refused) return refused;
  const phase = state.phase.tag;
  if (phase === 'failed' || phase === 'closed' || phase === 'exporting' || phase === 'exported') {
    return recordError('invalid_argument', `cannot install a TX key while ${phase}`);
  }
  return null;
}

function onInstallKey(d: Draft, fx: TxEffect[], crypto: CryptoState, aead: AeadKey): void {
  const refused = txInstallRefusal(d, crypto);
  if (refused) {
    refuse(fx, refused);
    return;
  }
  const { design } = d.config;
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

function onExport(d: Draft, fx: TxEffect[]): void {
  if (d.key === null) {
    refuse(fx, recordError('not_configured', 'TLS_TX is not set'));
    return;
  }
  if (d.phase.tag !== 'running') {
    refuse(fx, recordError('invalid_argument', `cannot export TX state while ${d.phase.tag}`));
    return;
  }
  // The pending MSG_MORE bytes were written under this key and before what userspace will send:
  // they leave first, as `tls_handle_open_record` pushes them before a control record. Left
  // pending, they would go out after userspace's record (a KeyUpdate, say) under the old key.
  if (d.config.design.tx.controlFlushesPendingRecord) pushPendingRecord(d, fx);
  if (d.config.design.tx.exportDrainsInFlight && d.inFlight.length > 0) {
    d.phase = { tag: 'exporting' };
    return;
  }
  finishExport(d, fx);
}

function onImport(d: Draft, fx: TxEffect[], crypto: CryptoState, aead: AeadKey): void {
  if (d.key === null || d.phase.tag !== 'exported') {
    refuse(fx, recordError('invalid_argument', `cannot import TX state while ${d.phase.tag}`));
    return;
  }
  // The state left at the data plane's sequence number (finishExport): under the same key it may
  // only come back at or after it.
  const mismatch = checkStateImport(d.key.crypto, crypto, d.seq);
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
  for (const q of queued) txApply(d, q, fx);
}

/** The TX state as `getsockopt(SOL_TLS, TLS_TX)` would return it now (null before TLS_TX). */
export function txCryptoState(state: TxState): CryptoState | null {
  return state.key === null ? null : { ...state.key.crypto, iv: state.iv, recSeq: state.seq };
}

/** The pure TX transition: `txStep(state, input) -> [next, effects]`; `state` is not changed. */
export const txStep: (state: TxState, input: TxInput) => readonly [TxState, readonly TxEffect[]] =
  pureStep(txApply);
