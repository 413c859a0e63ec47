import {
  type AeadKey,
  AlertDescription,
  alertBody,
  assertNever,
  ContentType,
  type ContentTypeByte,
  type CryptoState,
  createRx,
  createTx,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  HandshakeType,
  KeyUpdateRequest,
  ModelAeadEngine,
  nextTrafficSecret,
  type OpenRequest,
  openRecord,
  recordNonce,
  type RecordError,
  type RxEffect,
  type RxInput,
  type RxState,
  rxStep,
  sealRecord,
  suiteByName,
  TLS_1_3,
  type TraceDraft,
  type TraceEvent,
  type TxEffect,
  type TxInput,
  type TxState,
  toHex,
  txStep,
} from '@ktls-lab/core';
import type { Chooser } from './choices.js';
import type { SimDesign } from './designs.js';
import { Framer, frameMessage } from './framing.js';
import { type Violation, violation } from './invariants.js';
import { Monitor } from './monitor.js';
import type { AppAction, Scenario } from './scenarios.js';

/**
 * The simulated world: two endpoints, each with an app, a control plane (the userspace TLS
 * library) and a data plane (core's RX and TX machines), joined by one TCP byte stream per
 * direction. Every step runs one enabled action picked by the chooser; nothing else decides
 * anything, so a run is a pure function of (scenario, design, choices).
 */

export type EndpointName = 'client' | 'server';

export interface WorldOptions {
  readonly scenario: Scenario;
  readonly design: SimDesign;
  readonly chooser: Chooser;
  /** `any`: TCP segments are cut anywhere (inside record headers too); `whole`: all pending bytes at once. */
  readonly segmentation: 'any' | 'whole';
  readonly trace: boolean;
  readonly maxSteps: number;
}

type CpItem =
  | { readonly kind: 'install-rx' }
  | {
      readonly kind: 'control';
      readonly offset: number;
      readonly contentType: ContentTypeByte;
      readonly body: Uint8Array;
    }
  | { readonly kind: 'held'; readonly offset: number; readonly record: Uint8Array }
  | { readonly kind: 'punted'; readonly offset: number; readonly record: Uint8Array }
  | { readonly kind: 'heartbeat' }
  | { readonly kind: 'heartbeat-import'; readonly state: CryptoState };

interface PendingSeal {
  readonly fingerprint: string;
  readonly nonce: string;
  readonly firstByte: number;
  readonly size: number;
}

interface Endpoint {
  readonly name: EndpointName;
  readonly peer: EndpointName;
  rx: RxState;
  tx: TxState;
  /** RX decryptions in flight, completed in the order the chooser picks. */
  readonly crypto: { id: number; offset: number; request: OpenRequest }[];
  readonly seals: PendingSeal[];
  readonly script: readonly AppAction[];
  pc: number;
  dataOffset: number;
  message: { bytes: Uint8Array; sent: number } | null;
  messages: number;
  /** The library sent a fatal alert or close_notify: the app sends nothing more. */
  txClosed: boolean;
  readonly inbox: CpItem[];
  rxSecret: Uint8Array;
  txSecret: Uint8Array;
  /** Userspace record processing when the data plane refused the cipher (punt). */
  userspaceRx: CryptoState | null;
  userspaceTx: CryptoState | null;
  readonly framer: Framer | null;
  upperPaused: boolean;
  readonly upperPending: Uint8Array[];
  corruptNext: boolean;
  notes: string[];
}

interface Pipe {
  readonly from: EndpointName;
  readonly chunks: Uint8Array[];
  pending: number;
}

export interface WorldResult {
  readonly violation: Violation | null;
  readonly steps: number;
  readonly events: readonly TraceEvent[];
}

const KEY_UPDATE = (requested: boolean) =>
  Uint8Array.of(
    HandshakeType.keyUpdate,
    0,
    0,
    1,
    requested ? KeyUpdateRequest.requested : KeyUpdateRequest.notRequested,
  );
/** A minimal TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1): lifetime, age_add, nonce, ticket, no extensions. */
const TICKET = Uint8Array.of(
  HandshakeType.newSessionTicket,
  0,
  0,
  17,
  0,
  0,
  0x1c,
  0x20,
  1,
  2,
  3,
  4,
  1,
  0,
  0,
  4,
  0xaa,
  0xbb,
  0xcc,
  0xdd,
  0,
  0,
);
/** RFC 6520 heartbeat_request: type 1, payload length 4, "ping", 16 bytes of padding. */
const HEARTBEAT = Uint8Array.of(1, 0, 4, 0x70, 0x69, 0x6e, 0x67, ...new Uint8Array(16));
const HELLO_REQUEST = Uint8Array.of(HandshakeType.helloRequest, 0, 0, 0);

export class World {
  readonly monitor: Monitor;
  readonly events: TraceEvent[] = [];
  step = 0;
  private readonly engine = new ModelAeadEngine();
  private readonly endpoints: readonly [Endpoint, Endpoint];
  private readonly pipes: readonly [Pipe, Pipe];
  private readonly suite;
  private readonly tls13: boolean;
  private readonly syncCrypto: { ep: Endpoint; id: number; request: OpenRequest }[] = [];

  constructor(private readonly options: WorldOptions) {
    const { scenario, design } = options;
    this.suite = suiteByName(scenario.suite);
    this.tls13 = this.suite.version === TLS_1_3;
    this.monitor = new Monitor(
      ['client', 'server'],
      design.limitations.includes('no-rekey'),
      this.tls13,
    );
    this.endpoints = [
      this.endpoint('client', 'server', scenario.client, 0x11),
      this.endpoint('server', 'client', scenario.server, 0x22),
    ];
    this.pipes = [
      { from: 'client', chunks: [], pending: 0 },
      { from: 'server', chunks: [], pending: 0 },
    ];
    // The handshake is over: each library sets TLS_TX at once (no app data can precede it); TLS_RX
    // is set when each control plane first runs, so peer data may already be queued (`prequeue`).
    for (const ep of this.endpoints) {
      const state = this.state(ep.txSecret);
      const fx = this.txRun(ep, { type: 'install-key', state, key: this.importKey(state) });
      if (fx.errors.some((e) => e.code === 'unsupported_cipher')) {
        ep.userspaceTx = state;
        this.note(
          ep,
          'cp',
          `TLS_TX refused (${this.suite.name} not offloaded): records are sealed in userspace`,
        );
      }
      ep.inbox.push({ kind: 'install-rx' });
    }
  }

  private endpoint(
    name: EndpointName,
    peer: EndpointName,
    script: readonly AppAction[],
    fill: number,
  ): Endpoint {
    const { scenario, design, trace } = this.options;
    const hashLength = this.suite.hash === 'sha384' ? 48 : 32;
    const peerFill = fill === 0x11 ? 0x22 : 0x11;
    return {
      name,
      peer,
      rx: createRx({
        design: design.design,
        profile: scenario.profile,
        asyncDepth: scenario.asyncDepth,
        limits: 'kernel',
        trace,
      }),
      tx: createTx({ design: design.design, profile: scenario.profile, trace }),
      crypto: [],
      seals: [],
      script,
      pc: 0,
      dataOffset: 0,
      message: null,
      messages: 0,
      txClosed: false,
      inbox: [],
      // Traffic secrets as the handshake would leave them: one per direction (demo values).
      txSecret: new Uint8Array(hashLength).fill(fill),
      rxSecret: new Uint8Array(hashLength).fill(peerFill),
      userspaceRx: null,
      userspaceTx: null,
      framer: scenario.framer ? new Framer(scenario.framer) : null,
      upperPaused: false,
      upperPending: [],
      corruptNext: false,
      notes: [],
    };
  }

  /** The crypto state for a secret: TLS 1.3 derives it (RFC 8446 §7.3); TLS 1.2 uses fixed key/IV bytes. */
  private state(secret: Uint8Array): CryptoState {
    if (this.tls13) return cryptoStateFromSecret(this.suite, secret);
    return cryptoStateFromKeyIv(
      this.suite,
      secret.subarray(0, this.suite.keyLength),
      secret.subarray(0, 12),
    );
  }

  private importKey(state: CryptoState): AeadKey {
    return this.engine.importKey(state.suite.aead, state.key);
  }

  private ep(name: EndpointName): Endpoint {
    return this.endpoints[name === 'client' ? 0 : 1];
  }

  private pipeFrom(name: EndpointName): Pipe {
    return this.pipes[name === 'client' ? 0 : 1];
  }

  // ---- trace ----------------------------------------------------------------------------------

  private emit(ep: EndpointName, draft: TraceDraft): void {
    if (this.options.trace) this.events.push({ t: this.step, ep, ...draft });
  }

  private note(ep: Endpoint, lane: TraceDraft['lane'], note: string): void {
    ep.notes.push(note);
    this.emit(ep.name, { lane, kind: 'note', note });
  }

  // ---- running the machines -------------------------------------------------------------------

  private txRun(
    ep: Endpoint,
    input: TxInput,
  ): { errors: RecordError[]; state: CryptoState | null } {
    const errors: RecordError[] = [];
    let state: CryptoState | null = null;
    const work: TxInput[] = [input];
    while (work.length > 0) {
      const [next, effects] = txStep(ep.tx, work.shift()!);
      ep.tx = next;
      for (const e of effects) {
        const r = this.onTxEffect(ep, e, work);
        if (r?.error) errors.push(r.error);
        if (r?.state) state = r.state;
      }
    }
    return { errors, state };
  }

  private onTxEffect(
    ep: Endpoint,
    e: TxEffect,
    work: TxInput[],
  ): { error?: RecordError; state?: CryptoState } | undefined {
    switch (e.type) {
      case 'seal': {
        const { request } = e;
        this.monitor.sealed(ep.name, request.key.fingerprint, request.nonce, -1n);
        // The plaintext is the record's content; TLS 1.3's inner type byte travels as `trailer`.
        ep.seals.push({
          fingerprint: request.key.fingerprint,
          nonce: toHex(request.nonce),
          firstByte: request.plaintext.length > 0 ? request.plaintext[0]! : -1,
          size: request.plaintext.length,
        });
        // The kernel encrypts inside sendmsg; TX completions are immediate here.
        work.push({ type: 'crypto-done', id: e.id, output: this.engine.seal(request) });
        return undefined;
      }
      case 'wire': {
        const s = ep.seals.shift()!;
        this.write(ep, e.bytes, { seq: e.seq, epoch: e.epoch, contentType: e.contentType, ...s });
        return undefined;
      }
      case 'state':
        return { state: e.state };
      case 'error':
        return { error: e.error };
      case 'trace':
        this.emit(ep.name, e.event);
        return undefined;
      default:
        return assertNever(e, 'TX effect');
    }
  }

  /** Puts one sealed record into the byte stream (the network may corrupt it). */
  private write(
    ep: Endpoint,
    bytes: Uint8Array,
    r: {
      seq: bigint;
      epoch: number;
      contentType: ContentTypeByte;
      fingerprint: string;
      nonce: string;
      firstByte: number;
      size: number;
    },
  ): void {
    let out = bytes;
    const record = this.monitor.wrote(ep.name, {
      length: bytes.length,
      seq: r.seq,
      epoch: r.epoch,
      contentType: r.contentType,
      firstByte: r.firstByte,
      keyFingerprint: r.fingerprint,
      nonce: r.nonce,
      garbage: false,
      size: r.size,
    });
    if (ep.corruptNext) {
      // Like the selftest bad_auth: the last byte (in the tag) is changed.
      ep.corruptNext = false;
      out = Uint8Array.from(bytes);
      out[out.length - 1]! ^= 0x01;
      this.monitor.markCorrupted(ep.name, record.index);
      this.emit(ep.name, {
        lane: 'wire',
        kind: 'note',
        seq: r.seq.toString(),
        note: `network flips a bit in record #${record.index}`,
      });
    }
    const pipe = this.pipeFrom(ep.name);
    pipe.chunks.push(out);
    pipe.pending += out.length;
  }

  private rxRun(
    ep: Endpoint,
    input: RxInput,
  ): { errors: RecordError[]; state: CryptoState | null } {
    const errors: RecordError[] = [];
    let state: CryptoState | null = null;
    let next: RxInput | undefined = input;
    while (next) {
      const [after, effects] = rxStep(ep.rx, next);
      ep.rx = after;
      for (const e of effects) {
        if (e.type === 'error') errors.push(e.error);
        if (e.type === 'state') state = e.state;
        this.onRxEffect(ep, e);
      }
      const job = this.syncCrypto.shift();
      next = job
        ? { type: 'crypto-done', id: job.id, output: this.engine.open(job.request) }
        : undefined;
      if (job && job.ep !== ep) throw new Error('synchronous crypto crossed endpoints');
    }
    return { errors, state };
  }

  private onRxEffect(ep: Endpoint, e: RxEffect): void {
    switch (e.type) {
      case 'open':
        this.monitor.opening(ep.name, e.offset, e.request.key.fingerprint, e.request.nonce);
        if (this.options.scenario.asyncDepth > 1) {
          ep.crypto.push({ id: e.id, offset: e.offset, request: e.request });
        } else {
          // Synchronous crypto completes inside the same recvmsg: no schedule point of its own.
          this.syncCrypto.push({ ep, id: e.id, request: e.request });
        }
        return;
      case 'deliver':
        this.monitor.consumed(ep.name, e.offset, 'app', e.data);
        this.upperDeliver(ep, e.data);
        return;
      case 'control':
        this.monitor.consumed(ep.name, e.offset, 'cp', e.body);
        this.upperAtControl(ep);
        ep.inbox.push({
          kind: 'control',
          offset: e.offset,
          contentType: e.contentType,
          body: e.body,
        });
        return;
      case 'punt':
        if (e.reason === 'control-record') {
          this.upperAtControl(ep);
          ep.inbox.push({ kind: 'held', offset: e.offset, record: e.record });
        } else {
          ep.inbox.push({ kind: 'punted', offset: e.offset, record: e.record });
        }
        return;
      case 'error':
        if (e.error.fatal) this.monitor.rxFailed(ep.name, e.error);
        return;
      case 'state':
        return;
      case 'trace':
        this.emit(ep.name, e.event);
        return;
      default:
        assertNever(e, 'RX effect');
    }
  }

  // ---- the upper layer (RDS/KCM framer) ---------------------------------------------------------

  private upperDeliver(ep: Endpoint, data: Uint8Array): void {
    if (!ep.framer) return;
    if (ep.upperPaused) {
      ep.upperPending.push(data);
      return;
    }
    const before = ep.framer.messages.length;
    ep.framer.push(data);
    for (const m of ep.framer.messages.slice(before)) this.monitor.messageReceived(ep.name, m);
  }

  /** A control record reached the control plane while the upper layer reads the stream. */
  private upperAtControl(ep: Endpoint): void {
    if (!ep.framer) return;
    if (this.options.design.upperLayer === 'resync') {
      if (ep.framer.partial > 0)
        this.note(
          ep,
          'app-rx',
          `upper layer drops a ${ep.framer.partial}-byte partial message at a control record`,
        );
      ep.framer.resync();
      return;
    }
    // Freeze with the stream until the control plane has dealt with the record.
    ep.upperPaused = true;
    this.emit(ep.name, { lane: 'app-rx', kind: 'freeze', reason: 'upper-layer-at-control-record' });
  }

  private upperResume(ep: Endpoint): void {
    if (!ep.upperPaused) return;
    ep.upperPaused = false;
    this.emit(ep.name, { lane: 'app-rx', kind: 'resume', reason: 'control-plane-done' });
    for (const d of ep.upperPending.splice(0)) this.upperDeliver(ep, d);
  }

  // ---- the control plane ----------------------------------------------------------------------

  private runControlPlane(ep: Endpoint): void {
    const item = ep.inbox.shift()!;
    switch (item.kind) {
      case 'install-rx': {
        const state = this.state(ep.rxSecret);
        const r = this.rxRun(ep, { type: 'install-key', state, key: this.importKey(state) });
        if (r.errors.some((e) => e.code === 'unsupported_cipher')) {
          this.note(
            ep,
            'cp',
            `TLS_RX refused (${this.suite.name} not offloaded): records are opened in userspace`,
          );
          ep.userspaceRx = state;
          this.rxRun(ep, { type: 'fallback', version: this.suite.version });
        }
        return;
      }
      case 'control': {
        const next = this.handleControl(ep, item.contentType, item.body);
        if (next) this.installRxKey(ep, next);
        this.upperResume(ep);
        return;
      }
      case 'held':
        this.handleHeld(ep, item.offset, item.record);
        return;
      case 'punted':
        this.handlePunted(ep, item.offset, item.record);
        return;
      case 'heartbeat':
        this.sendHeartbeat(ep);
        return;
      case 'heartbeat-import':
        this.txRun(ep, {
          type: 'import-state',
          state: item.state,
          key: this.importKey(item.state),
        });
        return;
      default:
        assertNever(item, 'control-plane item');
    }
  }

  /** What a TLS library does with a control record; returns the next RX state after a KeyUpdate. */
  private handleControl(ep: Endpoint, type: ContentTypeByte, body: Uint8Array): CryptoState | null {
    if (type === ContentType.handshake && body[0] === HandshakeType.keyUpdate && this.tls13) {
      ep.rxSecret = nextTrafficSecret(this.suite, ep.rxSecret);
      // RFC 8446 §4.6.3: update_requested → answer with our own KeyUpdate before more data.
      if (body[4] === KeyUpdateRequest.requested && !ep.txClosed) this.sendKeyUpdate(ep, false);
      return this.state(ep.rxSecret);
    }
    if (
      type === ContentType.alert &&
      body.length >= 2 &&
      body[1] !== AlertDescription.close_notify
    ) {
      this.note(ep, 'cp', `received alert ${body[1]}`);
    }
    return null;
  }

  private installRxKey(ep: Endpoint, state: CryptoState): void {
    // Told first: installing the key resumes RX, which may decrypt the next record at once.
    this.monitor.rekeyed(ep.name);
    const r = this.rxRun(ep, { type: 'install-key', state, key: this.importKey(state) });
    if (r.errors.length > 0) {
      this.note(ep, 'cp', `TLS_RX re-key refused: ${r.errors[0]!.errno} (${r.errors[0]!.message})`);
    }
  }

  /** rfc-2015: get the RX state out, read the held record in userspace, put the next state back. */
  private handleHeld(ep: Endpoint, offset: number, record: Uint8Array): void {
    const exported = this.rxRun(ep, { type: 'export-state' }).state;
    if (!exported) return;
    const result = openRecord(this.engine, exported, record);
    if (!result.ok) {
      this.monitor.rxFailed(ep.name, result.error);
      this.rxRun(ep, { type: 'close' });
      return;
    }
    const opened = result.value;
    this.monitor.consumed(
      ep.name,
      offset,
      opened.contentType === ContentType.applicationData ? 'app' : 'cp',
      opened.content,
    );
    const next = this.handleControl(ep, opened.contentType, opened.content) ?? opened.next;
    if (next !== opened.next) this.monitor.rekeyed(ep.name);
    this.rxRun(ep, { type: 'import-state', state: next, key: this.importKey(next) });
    this.upperResume(ep);
  }

  /** Userspace record layer (punt): open the record with the userspace state. */
  private handlePunted(ep: Endpoint, offset: number, record: Uint8Array): void {
    const state = ep.userspaceRx;
    if (!state || ep.rx.phase.tag !== 'fallback') return;
    const result = openRecord(this.engine, state, record);
    if (!result.ok) {
      this.monitor.rxFailed(ep.name, result.error);
      this.rxRun(ep, { type: 'close' });
      return;
    }
    const opened = result.value;
    if (opened.contentType === ContentType.applicationData) {
      this.monitor.consumed(ep.name, offset, 'app', opened.content);
      this.upperDeliver(ep, opened.content);
      ep.userspaceRx = opened.next;
      return;
    }
    this.monitor.consumed(ep.name, offset, 'cp', opened.content);
    const next = this.handleControl(ep, opened.contentType, opened.content);
    ep.userspaceRx = next ?? opened.next;
    if (next) this.monitor.rekeyed(ep.name);
    if (
      opened.contentType === ContentType.alert &&
      opened.content[1] !== AlertDescription.user_canceled
    )
      this.rxRun(ep, { type: 'close' });
  }

  /** Sends a record of the library's own (alert, KeyUpdate, ticket, heartbeat) the way the design does. */
  private sendControlRecord(ep: Endpoint, contentType: ContentTypeByte, body: Uint8Array): boolean {
    if (ep.userspaceTx) return this.sealInUserspace(ep, contentType, body);
    if (this.options.design.design.tx.controlRecords === 'cmsg') {
      return this.txRun(ep, { type: 'send-control', contentType, body }).errors.length === 0;
    }
    // take-state: get the TX state out, seal in userspace, write, put the advanced state back.
    const exported = this.txRun(ep, { type: 'export-state' }).state;
    if (!exported) return false;
    const sealed = sealRecord(this.engine, exported, contentType, body);
    if (!sealed.ok) return false;
    const { record, next } = sealed.value;
    this.writeUserspace(ep, exported, contentType, body, record);
    this.txRun(ep, { type: 'import-state', state: next, key: this.importKey(next) });
    return true;
  }

  private sealInUserspace(ep: Endpoint, contentType: ContentTypeByte, body: Uint8Array): boolean {
    const state = ep.userspaceTx!;
    const sealed = sealRecord(this.engine, state, contentType, body);
    if (!sealed.ok) return false;
    this.writeUserspace(ep, state, contentType, body, sealed.value.record);
    ep.userspaceTx = sealed.value.next;
    return true;
  }

  private writeUserspace(
    ep: Endpoint,
    state: CryptoState,
    contentType: ContentTypeByte,
    body: Uint8Array,
    record: Uint8Array,
  ): void {
    const key = this.importKey(state);
    // The nonce the record was sealed with, for invariant 1.
    const nonce = recordNonce(state.suite, state.salt, state.iv, state.recSeq);
    this.monitor.sealed(ep.name, key.fingerprint, nonce, state.recSeq);
    this.emit(ep.name, {
      lane: 'cp',
      kind: 'control-send',
      type: contentType,
      size: body.length,
      seq: state.recSeq.toString(),
      reason: 'userspace-seal',
    });
    this.write(ep, record, {
      seq: state.recSeq,
      epoch: 0,
      contentType,
      fingerprint: key.fingerprint,
      nonce: toHex(nonce),
      firstByte: body.length > 0 ? body[0]! : -1,
      size: body.length,
    });
  }

  private sendKeyUpdate(ep: Endpoint, requested: boolean): void {
    if (!this.sendControlRecord(ep, ContentType.handshake, KEY_UPDATE(requested))) return;
    ep.txSecret = nextTrafficSecret(this.suite, ep.txSecret);
    const next = this.state(ep.txSecret);
    if (ep.userspaceTx) {
      ep.userspaceTx = next;
      return;
    }
    const r = this.txRun(ep, { type: 'install-key', state: next, key: this.importKey(next) });
    if (r.errors.length > 0)
      this.note(
        ep,
        'cp',
        `TLS_TX re-key refused: ${r.errors[0]!.errno}; the data plane keeps the old key`,
      );
  }

  /** A heartbeat from the control plane's own timer, racing the app's sends (RFC 6520). */
  private sendHeartbeat(ep: Endpoint): void {
    if (ep.txClosed) return;
    if (ep.userspaceTx || this.options.design.design.tx.controlRecords === 'cmsg') {
      this.sendControlRecord(ep, ContentType.heartbeat, HEARTBEAT);
      return;
    }
    // take-state, in two control-plane steps: the state is out while the app keeps writing.
    const exported = this.txRun(ep, { type: 'export-state' }).state;
    if (!exported) return;
    const sealed = sealRecord(this.engine, exported, ContentType.heartbeat, HEARTBEAT);
    if (!sealed.ok) return;
    this.writeUserspace(ep, exported, ContentType.heartbeat, HEARTBEAT, sealed.value.record);
    ep.inbox.push({ kind: 'heartbeat-import', state: sealed.value.next });
  }

  // ---- the app --------------------------------------------------------------------------------

  private appData(ep: Endpoint, n: number): Uint8Array {
    const salt = ep.name === 'client' ? 3 : 101;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = ep.dataOffset + i;
      out[i] = (x * 7 + salt + (x >>> 8)) & 0xff;
    }
    return out;
  }

  /** `send()`: returns whether TLS accepted the bytes. */
  private appSend(ep: Endpoint, data: Uint8Array, more: boolean): boolean {
    if (ep.txClosed) return false;
    if (ep.userspaceTx) {
      for (let off = 0; off < data.length || off === 0; off += 16384) {
        if (!this.sealInUserspace(ep, ContentType.applicationData, data.subarray(off, off + 16384)))
          return false;
        if (data.length === 0) break;
      }
    } else if (this.txRun(ep, { type: 'send', data, more }).errors.length > 0) {
      return false;
    }
    this.monitor.appSent(ep.name, data);
    ep.dataOffset += data.length;
    return true;
  }

  private runApp(ep: Endpoint): void {
    const action = ep.script[ep.pc++]!;
    this.emit(ep.name, { lane: 'app-tx', kind: 'note', note: `app: ${describeAction(action)}` });
    switch (action.do) {
      case 'send':
        this.appSend(ep, this.appData(ep, action.bytes), action.more === true);
        return;
      case 'message': {
        if (!ep.message) {
          const payload = this.appData(ep, action.payload);
          ep.message = {
            bytes: frameMessage(this.options.scenario.framer ?? 'kcm', payload, ep.messages),
            sent: 0,
          };
          this.monitor.messageSent(ep.name, payload, ep.dataOffset + ep.message.bytes.length);
        }
        const m = ep.message;
        const upto = Math.min(action.upto ?? m.bytes.length, m.bytes.length);
        if (upto > m.sent) {
          this.appSend(ep, m.bytes.subarray(m.sent, upto), false);
          m.sent = upto;
        }
        if (m.sent === m.bytes.length) {
          ep.message = null;
          ep.messages++;
        }
        return;
      }
      case 'key-update':
        if (!ep.txClosed && this.tls13) this.sendKeyUpdate(ep, action.requestUpdate);
        return;
      case 'ticket':
        if (!ep.txClosed) this.sendControlRecord(ep, ContentType.handshake, TICKET);
        return;
      case 'hello-request':
        if (!ep.txClosed) this.sendControlRecord(ep, ContentType.handshake, HELLO_REQUEST);
        return;
      case 'alert':
        if (
          !ep.txClosed &&
          this.sendControlRecord(ep, ContentType.alert, alertBody(action.alert))
        ) {
          // RFC 8446 §6.2: after a fatal alert the connection is closed, both ways.
          ep.txClosed = true;
          this.rxRun(ep, { type: 'close' });
          this.monitor.closedByReceiver(ep.name);
        }
        return;
      case 'close':
        if (ep.txClosed) return;
        if (ep.userspaceTx || this.options.design.design.tx.controlRecords === 'take-state') {
          this.sendControlRecord(ep, ContentType.alert, alertBody('close_notify'));
        } else {
          this.txRun(ep, { type: 'close' });
        }
        ep.txClosed = true;
        return;
      case 'heartbeat':
        ep.inbox.push({ kind: 'heartbeat' });
        return;
      case 'empty-record':
        if (ep.txClosed) return;
        if (ep.userspaceTx)
          this.sealInUserspace(ep, ContentType.applicationData, new Uint8Array(0));
        else
          this.txRun(ep, {
            type: 'send-control',
            contentType: ContentType.applicationData,
            body: new Uint8Array(0),
          });
        return;
      case 'corrupt-next':
        ep.corruptNext = true;
        return;
      case 'garbage': {
        const bytes = Uint8Array.from(action.bytes);
        this.monitor.wrote(ep.name, {
          length: bytes.length,
          seq: -1n,
          epoch: 0,
          contentType: bytes[0] ?? 0,
          firstByte: -1,
          keyFingerprint: '',
          nonce: '',
          garbage: true,
          size: 0,
        });
        const pipe = this.pipeFrom(ep.name);
        pipe.chunks.push(bytes);
        pipe.pending += bytes.length;
        return;
      }
      default:
        assertNever(action, 'app action');
    }
  }

  // ---- the network and the crypto queue -------------------------------------------------------

  private runNet(pipe: Pipe): void {
    const cut = this.options.segmentation === 'any' ? this.options.chooser.value(pipe.pending) : 0;
    const n = pipe.pending - cut;
    const parts: Uint8Array[] = [];
    let left = n;
    while (left > 0) {
      const head = pipe.chunks[0]!;
      if (head.length <= left) {
        parts.push(head);
        pipe.chunks.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        pipe.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    pipe.pending -= n;
    const data = parts.length === 1 ? parts[0]! : concatAll(parts);
    const to = this.ep(pipe.from === 'client' ? 'server' : 'client');
    this.emit(pipe.from, {
      lane: 'wire',
      kind: 'segment',
      size: n,
      header: toHex(data.subarray(0, 8)),
    });
    this.rxRun(to, { type: 'bytes', data });
  }

  private runCrypto(ep: Endpoint): void {
    const i = this.options.chooser.value(ep.crypto.length);
    const [job] = ep.crypto.splice(i, 1);
    this.rxRun(ep, { type: 'crypto-done', id: job!.id, output: this.engine.open(job!.request) });
  }

  // ---- the scheduler --------------------------------------------------------------------------

  /** The enabled actions, in a fixed order, named by actor. */
  enabled(): string[] {
    const out: string[] = [];
    for (const ep of this.endpoints) if (ep.pc < ep.script.length) out.push(`app:${ep.name}`);
    for (const ep of this.endpoints) if (ep.inbox.length > 0) out.push(`cp:${ep.name}`);
    for (const p of this.pipes) if (p.pending > 0) out.push(`net:${p.from}`);
    for (const ep of this.endpoints) if (ep.crypto.length > 0) out.push(`crypto:${ep.name}`);
    return out;
  }

  runAction(actor: string): void {
    const [kind, who] = actor.split(':') as [string, EndpointName];
    if (kind === 'app') this.runApp(this.ep(who));
    else if (kind === 'cp') this.runControlPlane(this.ep(who));
    else if (kind === 'net') this.runNet(this.pipeFrom(who));
    else this.runCrypto(this.ep(who));
  }

  /** Runs to the end: completion, a violation, quiescence without completion (stuck), or the step bound. */
  run(): WorldResult {
    const { chooser, maxSteps } = this.options;
    for (;;) {
      this.monitor.step = this.step;
      if (this.monitor.violation) break;
      const actors = this.enabled();
      if (actors.length === 0) {
        const stuck = this.stuckChain();
        if (stuck) this.monitor.violation = violation(8, stuck, this.step);
        else this.monitor.finish();
        break;
      }
      if (this.step >= maxSteps) {
        this.monitor.violation = violation(
          8,
          `no end after ${maxSteps} steps (bound); still enabled: ${actors.join(', ')}`,
          this.step,
        );
        break;
      }
      const actor = actors[chooser.pick(actors)]!;
      this.runAction(actor);
      this.step++;
    }
    const v = this.monitor.violation;
    if (v) {
      this.events.push({
        t: this.step,
        ep: v.message.startsWith('server') ? 'server' : 'client',
        lane: 'dp-rx',
        kind: 'violation',
        violation: { invariant: v.invariant, name: v.name, message: v.message },
      });
    }
    return { violation: v, steps: this.step, events: this.events };
  }

  /**
   * Nothing can run. If records still wait behind a frozen or held RX, the run is stuck: say who
   * waits for whom.
   */
  private stuckChain(): string | null {
    for (const ep of this.endpoints) {
      const phase = ep.rx.phase;
      const queued = ep.rx.parser.buffered;
      if (
        (phase.tag === 'frozen' || phase.tag === 'held' || phase.tag === 'keyless') &&
        queued > 0
      ) {
        const why =
          phase.tag === 'frozen'
            ? `RX frozen after a KeyUpdate, waiting for its control plane to install the next key`
            : phase.tag === 'held'
              ? 'RX holds a control record, waiting for its control plane to import the state back'
              : 'RX has no key, waiting for its control plane to set TLS_RX';
        const cp = ep.notes.at(-1)
          ? `; the control plane's last word: "${ep.notes.at(-1)}"`
          : '; the control plane has nothing queued';
        return `stuck: ${ep.name} ${why}${cp}; ${queued} bytes from ${ep.peer} wait in the RX queue (${this.monitor.describe().join('; ')})`;
      }
    }
    return null;
  }
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function describeAction(a: AppAction): string {
  switch (a.do) {
    case 'send':
      return `send ${a.bytes} bytes${a.more ? ' (MSG_MORE)' : ''}`;
    case 'message':
      return `message of ${a.payload} bytes${a.upto !== undefined ? ` (up to byte ${a.upto})` : ''}`;
    case 'key-update':
      return `KeyUpdate(${a.requestUpdate ? 'update_requested' : 'update_not_requested'})`;
    case 'alert':
      return `fatal alert ${a.alert}`;
    case 'garbage':
      return `${a.bytes.length} raw bytes into the stream`;
    default:
      return a.do;
  }
}
