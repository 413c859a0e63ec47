import type { AeadEngine, AeadKey } from './aead.js';
import {
  checkBytes,
  checkContentType,
  checkCryptoState,
  checkOptionsObject,
} from './argumentChecks.js';
import { concat, EMPTY } from './bytes.js';
import type { CryptoState } from './cryptoState.js';
import type { Design } from './design.js';
import { type LogicalClock, type RecordLayerOptions, resolveOptions } from './driverOptions.js';
import { type RecordError, type RecordErrorCode, RecordLayerError, recordError } from './errors.js';
import { assertNever } from './exhaustive.js';
import { ContentType, type ContentTypeByte } from './protocol.js';
import { err, ok, type Result } from './result.js';
import {
  type ReceivedRecord,
  ReceiveQueue,
  type RecvOptions,
  type RecvResult,
} from './recvQueue.js';
import {
  createRx,
  type RxDraft,
  type RxEffect,
  type RxInput,
  type RxState,
  rxApply,
} from './rx.js';
import { buildKeyUpdate } from './control/handshake.js';
import { createTraceHeader, type TraceDraft, type TraceEvent, type TraceHeader } from './trace.js';
import {
  createTx,
  type TxDraft,
  type TxEffect,
  type TxInput,
  type TxState,
  txApply,
  txCryptoState,
  txInstallRefusal,
} from './tx.js';

/**
 * The synchronous driver: `step` for both directions, run in a loop with an engine of the
 * caller's choice, behind the calls a kTLS socket user knows (send with MSG_MORE, recvmsg with
 * or without cmsg room, setsockopt/getsockopt of the crypto state). Errors are thrown as
 * `RecordLayerError` with the errno the kernel would return.
 */

// strparser errors are reported once through sk_err and then the stream just stops (EAGAIN);
// decryption errors stay sticky (docs/kernel-tls.md §5, selftests `bad_rec` vs `bad_auth`).
const REPORTED_ONCE: ReadonlySet<RecordErrorCode> = new Set([
  'record_overflow',
  'record_too_short',
  'bad_record_version',
]);

const NO_OPTIONS: RecvOptions = {};

export {
  createLogicalClock,
  type LogicalClock,
  type RecordLayerOptions,
} from './driverOptions.js';
export type { ReceivedRecord, RecvOptions, RecvResult } from './recvQueue.js';

export class TlsRecordLayer {
  readonly engine: AeadEngine;
  readonly design: Design;
  readonly events: TraceEvent[] = [];
  // The driver owns both states alone and never hands them out, so it steps them in place
  // (`rxApply`/`txApply`) into one reused effect list each: the same transitions as `rxStep`/`txStep`.
  private readonly rx: RxDraft;
  private readonly tx: TxDraft;
  private readonly rxEffects: RxEffect[] = [];
  private readonly txEffects: TxEffect[] = [];
  private readonly endpoint: string;
  private readonly onTrace: ((event: TraceEvent) => void) | null;
  private readonly clock: LogicalClock;
  private readonly received = new ReceiveQueue();
  private readonly outbox: Uint8Array[] = [];
  private readonly raw: Uint8Array[] = [];
  /** Errors the last command produced; empty between commands. */
  private errors: RecordError[] = [];
  private rxErrorReported = false;
  private lastState: CryptoState | null = null;

  constructor(options: RecordLayerOptions = {}) {
    const o = resolveOptions(options);
    this.engine = o.engine;
    this.design = o.design;
    this.endpoint = o.endpoint;
    this.clock = o.clock;
    this.onTrace = o.onTrace;
    const { design, profile, trace } = o;
    this.rx = createRx({ design, profile, asyncDepth: 1, limits: o.limits, trace });
    this.tx = createTx({ design, profile, trace });
  }

  /** `setsockopt(SOL_TLS, TLS_TX)`: first key, or the next one after sending a KeyUpdate. */
  installTxKey(state: CryptoState): void {
    this.runTx({ type: 'install-key', state, key: this.importKey(state) });
  }

  /** `setsockopt(SOL_TLS, TLS_RX)`: first key, or the next one after a KeyUpdate froze RX. */
  installRxKey(state: CryptoState): void {
    this.runRx({ type: 'install-key', state, key: this.importKey(state) });
  }

  /** `setsockopt(SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN)`. */
  setMaxPayload(size: number): void {
    this.runTx({ type: 'set-max-payload', size });
  }

  /** `send()`; returns the records it put on the wire (none while MSG_MORE keeps one open). */
  send(data: Uint8Array, options?: { more?: boolean }): Uint8Array {
    checkBytes('send: data', data);
    checkOptionsObject('send: options', options);
    this.runTx({ type: 'send', data, more: options?.more === true });
    return this.takeWire();
  }

  /** `sendmsg()` with a `TLS_SET_RECORD_TYPE` cmsg. */
  sendControl(contentType: ContentTypeByte, body: Uint8Array): Uint8Array {
    checkContentType('sendControl: contentType', contentType);
    checkBytes('sendControl: body', body);
    this.runTx({ type: 'send-control', contentType, body });
    return this.takeWire();
  }

  /** Sends a TLS 1.3 KeyUpdate under the current key, then switches TX to `next` (RFC 8446 §4.6.3). */
  sendKeyUpdate(next: CryptoState, requestUpdate = false): Uint8Array {
    checkCryptoState('sendKeyUpdate: next', next);
    // Checked first: a KeyUpdate that leaves while the next key cannot be installed would make the
    // peer switch keys alone (every later record: bad_record_mac). A refused call changes nothing.
    const refused = txInstallRefusal(this.tx, next);
    if (refused) throw new RecordLayerError(refused);
    const msg = buildKeyUpdate(requestUpdate);
    this.runTx({ type: 'send-control', contentType: ContentType.handshake, body: msg });
    this.installTxKey(next);
    return this.takeWire();
  }

  /**
   * The header of a trace of this layer's events (world `core`): design, engine and endpoint are
   * filled in; `endpoints` defaults to this one (list both when two layers share a clock).
   */
  traceHeader(extra: Partial<Omit<TraceHeader, 'format' | 'version'>> = {}): TraceHeader {
    return createTraceHeader({
      world: 'core',
      design: this.design.name,
      engine: this.engine.name,
      endpoints: [this.endpoint],
      ...extra,
    });
  }

  /** Sends close_notify; later sends fail with EPIPE. */
  close(): Uint8Array {
    this.runTx({ type: 'close' });
    return this.takeWire();
  }

  /** Feeds bytes that arrived from the peer (any chunking). */
  receive(bytes: Uint8Array): void {
    checkBytes('receive: bytes', bytes);
    this.runRx({ type: 'bytes', data: bytes });
  }

  /**
   * `recvmsg()` with the kernel's rules (docs/kernel-tls.md §5): data records merge into one read,
   * a control record comes alone and only with cmsg room (else EIO), empty data records are
   * skipped (EAGAIN rather than 0 when nothing else is there), errors surface after data already
   * read.
   */
  recv(options: RecvOptions = NO_OPTIONS): RecvResult {
    checkOptionsObject('recv: options', options);
    return this.received.read(options) ?? this.recvNothing();
  }

  /**
   * `recv` for an event loop: `null` where `recv` would throw EAGAIN (`would_block`: no whole
   * record yet), everything else exactly as `recv` (errors, EOF, `key_expired`). A reader drains
   * until `null` once per arrival, so making and throwing an error object each time would be
   * most of the cost of a small read (measured: `RecordLayerError` was the top JS frame of a
   * 32-byte echo on the userspace plane).
   */
  recvIfReady(options: RecvOptions = NO_OPTIONS): RecvResult | null {
    checkOptionsObject('recv: options', options);
    const got = this.received.read(options);
    if (got !== null) return got;
    const phase = this.rx.phase.tag;
    // The common case, decided without an error object: a live RX with no whole record.
    if (phase === 'running' || phase === 'keyless' || phase === 'fallback') return null;
    try {
      return this.recvNothing();
    } catch (error) {
      if (error instanceof RecordLayerError && error.code === 'would_block') return null;
      throw error;
    }
  }

  /** Reads all application data available now (empty when there is none). */
  read(): Uint8Array {
    return this.received.readData();
  }

  /** Takes every delivered record, data and control, in stream order (a record-level view). */
  takeRecords(): ReceivedRecord[] {
    return this.received.takeAll();
  }

  /** Raw records handed to userspace (rfc-2015 hold, or the punt path), oldest first. */
  takePunted(): Uint8Array[] {
    return this.raw.splice(0, this.raw.length);
  }

  /** "Get the state out": `getsockopt(SOL_TLS, TLS_TX)`. */
  exportTx(): CryptoState {
    const s = txCryptoState(this.tx);
    if (s === null) throw RecordLayerError.of('not_configured', 'TLS_TX is not set');
    return s;
  }

  /** "Get the state out": `getsockopt(SOL_TLS, TLS_RX)`. */
  exportRx(): CryptoState {
    return this.stateOut(
      () => this.runRx({ type: 'export-state' }),
      'not_configured',
      'TLS_RX is not set',
    );
  }

  /** rfc-2015: hand TX state to userspace; the data plane pauses until `importTx`. */
  takeTxState(): CryptoState {
    return this.stateOut(
      () => this.runTx({ type: 'export-state' }),
      'invalid_argument',
      'TX state could not be exported',
    );
  }

  /** Runs an export command and returns the state its `state` effect carried, or throws. */
  private stateOut(run: () => void, code: RecordErrorCode, message: string): CryptoState {
    this.lastState = null;
    run();
    const s = this.lastState as CryptoState | null;
    if (s === null) throw RecordLayerError.of(code, message);
    return s;
  }

  importTx(state: CryptoState): Uint8Array {
    this.runTx({ type: 'import-state', state, key: this.importKey(state) });
    return this.takeWire();
  }

  importRx(state: CryptoState): void {
    this.runRx({ type: 'import-state', state, key: this.importKey(state) });
  }

  /**
   * Fallback: RX record processing moves to userspace after `installRxKey` was refused (a cipher
   * the profile does not offload); from then on every record is punted raw (`takePunted`).
   */
  fallbackRx(state: CryptoState): void {
    this.runRx({ type: 'fallback', version: state.version });
  }

  /** @deprecated Renamed `fallbackRx` ("punt" now means only handing one raw record over). */
  puntRx(state: CryptoState): void {
    this.fallbackRx(state);
  }

  /** Bytes produced but not yet returned (records sealed outside `send`, e.g. by `importTx`). */
  takeWire(): Uint8Array {
    const out = this.outbox;
    if (out.length === 1) return out.pop()!;
    return concat(out.splice(0, out.length));
  }

  get rxPhase(): RxState['phase']['tag'] {
    return this.rx.phase.tag;
  }

  get txPhase(): TxState['phase']['tag'] {
    return this.tx.phase.tag;
  }

  private importKey(state: CryptoState): AeadKey {
    checkCryptoState('state', state);
    return this.engine.importKey(state.suite.aead, state.key);
  }

  private recvNothing(): RecvResult {
    const phase = this.rx.phase;
    if (phase.tag === 'failed') {
      if (!REPORTED_ONCE.has(phase.error.code) || !this.rxErrorReported) {
        this.rxErrorReported = true;
        throw new RecordLayerError(phase.error);
      }
    }
    if (phase.tag === 'frozen')
      throw RecordLayerError.of('key_expired', 'KeyUpdate received; install the next RX key');
    if (phase.tag === 'eof' || phase.tag === 'closed') {
      return {
        data: EMPTY,
        contentType: ContentType.applicationData,
        eof: true,
        seq: -1n,
        epoch: -1,
      };
    }
    throw RecordLayerError.of('would_block', 'no complete record');
  }

  private runTx(input: TxInput): void {
    drive(this.tx, txApply, input, this.txEffects, this.onTxEffect);
    this.throwFirstError(false);
  }

  private runRx(input: RxInput): void {
    drive(this.rx, rxApply, input, this.rxEffects, this.onRxEffect);
    // RX failures surface through recv(), as sk_err does; only refused commands throw here.
    this.throwFirstError(true);
  }

  private throwFirstError(onlyRefusals: boolean): void {
    if (this.errors.length === 0) return;
    const first = onlyRefusals ? this.errors.find((e) => !e.fatal) : this.errors[0];
    this.errors = [];
    if (first) throw new RecordLayerError(first);
  }

  private readonly onTxEffect = (e: TxEffect, work: TxInput[]): void => {
    switch (e.type) {
      case 'seal':
        work.push({ type: 'crypto-done', id: e.id, output: this.engine.seal(e.request) });
        return;
      case 'wire':
        this.outbox.push(e.bytes);
        return;
      case 'state':
      case 'error':
      case 'trace':
        this.onCommonEffect(e);
        return;
      default:
        assertNever(e, 'TX effect');
    }
  };

  private readonly onRxEffect = (e: RxEffect, work: RxInput[]): void => {
    switch (e.type) {
      case 'open':
        work.push({ type: 'crypto-done', id: e.id, output: this.engine.open(e.request) });
        return;
      case 'deliver':
        this.received.push({
          contentType: ContentType.applicationData,
          seq: e.seq,
          epoch: e.epoch,
          data: e.data,
        });
        return;
      case 'control':
        this.received.push({
          contentType: e.contentType,
          seq: e.seq,
          epoch: e.epoch,
          data: e.body,
        });
        return;
      case 'punt':
        this.raw.push(e.record);
        return;
      case 'state':
      case 'error':
      case 'trace':
        this.onCommonEffect(e);
        return;
      default:
        assertNever(e, 'RX effect');
    }
  };

  /** The effects both directions have: a state got out, a refusal or failure, a trace event. */
  private onCommonEffect(e: Extract<TxEffect | RxEffect, { type: 'state' | 'error' | 'trace' }>) {
    switch (e.type) {
      case 'state':
        this.lastState = e.state;
        return;
      case 'error':
        this.errors.push(e.error);
        return;
      case 'trace':
        this.emit(e.event);
        return;
      default:
        assertNever(e, 'effect');
    }
  }

  private emit(draft: TraceDraft): void {
    const event: TraceEvent = { t: this.clock.next(), ep: this.endpoint, ...draft };
    if (this.onTrace) this.onTrace(event);
    else this.events.push(event);
  }
}

/**
 * Runs one command on a machine the driver owns: steps it in place, hands each effect to `handle`
 * (which may queue follow-up inputs, such as a crypto completion, on `work`), until no work is
 * left. A trace callback that calls back into the layer runs while `reusable` is being walked: it
 * gets a list of its own. Effects of all steps pile up and are cleared once at the end.
 */
function drive<D, I, E>(
  draft: D,
  apply: (d: D, input: I, fx: E[]) => void,
  input: I,
  reusable: E[],
  handle: (effect: E, work: I[]) => void,
): void {
  const work: I[] = [input];
  const fx = reusable.length === 0 ? reusable : [];
  let seen = 0;
  try {
    for (let i = 0; i < work.length; i++) {
      apply(draft, work[i]!, fx);
      for (; seen < fx.length; seen++) handle(fx[seen]!, work);
    }
  } finally {
    fx.length = 0;
  }
}

/** Convenience for callers that want a value rather than an exception. */
export function tryRecv(layer: TlsRecordLayer, options?: RecvOptions): Result<RecvResult> {
  try {
    return ok(layer.recv(options));
  } catch (e) {
    if (e instanceof RecordLayerError) return err(e.toJSON());
    return err(recordError('invalid_argument', String(e)));
  }
}
