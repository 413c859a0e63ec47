import {
  AlertDescription,
  assertNever,
  ContentType,
  type ContentTypeByte,
  type CryptoState,
  HandshakeType,
  KeyUpdateRequest,
  type OpenRequest,
  openRecord,
  parseAlert,
  sealRecord,
} from '@ktls-lab/core';
import { HEARTBEAT_REQUEST, keyUpdateMessage } from '../scenario/messages.js';
import type { WorldContext } from './context.js';
import { rxRun, txRun } from './dataPlane.js';
import type { Endpoint } from './endpoint.js';
import { writeRecord } from './network.js';
import { upperDeliver, upperResume } from './upperLayer.js';

/**
 * The control plane: each endpoint's userspace TLS library. It sets the keys (TLS_TX at once,
 * TLS_RX when it first runs), handles the control records the data plane hands over (KeyUpdate:
 * next RX key, and answers update_requested), reads held and punted records in userspace, and
 * sends records of its own the way the design says (docs/kernel-tls.md §4, §9): with the
 * TLS_SET_RECORD_TYPE cmsg, or by taking the TX state out, sealing in userspace and putting it back.
 */

/**
 * The handshake is over: each library sets TLS_TX at once (no app data can precede it); TLS_RX
 * is set when each control plane first runs, so peer data may already be queued (`prequeue`).
 */
export function installInitialKeys(w: WorldContext): void {
  for (const ep of w.endpoints) {
    const state = w.state(ep.txSecret);
    const fx = txRun(w, ep, { type: 'install-key', state, key: w.importKey(state) });
    if (fx.errors.some((e) => e.code === 'unsupported_cipher')) {
      ep.userspaceTx = state;
      w.note(
        ep,
        'cp',
        `TLS_TX refused (${w.suite.name} not offloaded): records are sealed in userspace`,
      );
    }
    ep.inbox.push({ kind: 'install-rx' });
  }
}

/** Runs the first item of the endpoint's inbox. */
export function runControlPlane(w: WorldContext, ep: Endpoint): void {
  const item = ep.inbox.shift()!;
  switch (item.kind) {
    case 'install-rx': {
      const state = w.state(ep.rxSecret);
      const r = rxRun(w, ep, { type: 'install-key', state, key: w.importKey(state) });
      if (r.errors.some((e) => e.code === 'unsupported_cipher')) {
        w.note(
          ep,
          'cp',
          `TLS_RX refused (${w.suite.name} not offloaded): records are opened in userspace`,
        );
        ep.userspaceRx = state;
        rxRun(w, ep, { type: 'fallback', version: w.suite.version });
      }
      return;
    }
    case 'control': {
      const next = handleControl(w, ep, item.contentType, item.body);
      if (next) installRxKey(w, ep, next);
      upperResume(w, ep);
      return;
    }
    case 'held':
      handleHeld(w, ep, item.offset, item.record);
      return;
    case 'punted':
      handlePunted(w, ep, item.offset, item.record);
      return;
    case 'heartbeat':
      sendHeartbeat(w, ep);
      return;
    case 'heartbeat-import':
      txRun(w, ep, { type: 'import-state', state: item.state, key: w.importKey(item.state) });
      return;
    default:
      assertNever(item, 'control-plane item');
  }
}

/** What a TLS library does with a control record; returns the next RX state after a KeyUpdate. */
function handleControl(
  w: WorldContext,
  ep: Endpoint,
  type: ContentTypeByte,
  body: Uint8Array,
): CryptoState | null {
  if (type === ContentType.handshake && body[0] === HandshakeType.keyUpdate && w.tls13) {
    ep.rxSecret = w.nextSecret(ep.rxSecret);
    // RFC 8446 §4.6.3: update_requested → answer with our own KeyUpdate before more data.
    if (body[4] === KeyUpdateRequest.requested && !ep.txClosed) sendKeyUpdate(w, ep, false);
    return w.state(ep.rxSecret);
  }
  if (type === ContentType.alert && body.length >= 2 && body[1] !== AlertDescription.close_notify) {
    w.note(ep, 'cp', `received alert ${body[1]}`);
  }
  return null;
}

function installRxKey(w: WorldContext, ep: Endpoint, state: CryptoState): void {
  // Told first: installing the key resumes RX, which may decrypt the next record at once.
  w.monitor.rekeyed(ep.name);
  const r = rxRun(w, ep, { type: 'install-key', state, key: w.importKey(state) });
  if (r.errors.length > 0) {
    w.note(ep, 'cp', `TLS_RX re-key refused: ${r.errors[0]!.errno} (${r.errors[0]!.message})`);
  }
}

/**
 * rfc-2015: get the RX state out, read the held record in userspace, put the next state back;
 * unless the record ends the stream, which the library then closes instead (`endsStream`).
 */
function handleHeld(w: WorldContext, ep: Endpoint, offset: number, record: Uint8Array): void {
  // The app shut RX down (its fatal alert, RFC 8446 §6.2) while this record waited for the
  // control plane: the connection is closed, so the library reads nothing more from it.
  if (ep.rx.phase.tag === 'closed') return;
  const exported = rxRun(w, ep, { type: 'export-state' }).state;
  if (!exported) return;
  const result = openInUserspace(w, ep, exported, offset, record);
  if (!result.ok) {
    w.monitor.rxFailed(ep.name, result.error);
    rxRun(w, ep, { type: 'close' });
    return;
  }
  const opened = result.value;
  w.monitor.consumed(
    ep.name,
    offset,
    opened.contentType === ContentType.applicationData ? 'app' : 'cp',
    opened.content,
  );
  const next = handleControl(w, ep, opened.contentType, opened.content) ?? opened.next;
  if (endsStream(w, opened.contentType, opened.content)) {
    rxRun(w, ep, { type: 'close' });
    // Done with the record: the upper layer reads what came before it (nothing comes after).
    upperResume(w, ep);
    return;
  }
  if (next !== opened.next) w.monitor.rekeyed(ep.name);
  rxRun(w, ep, { type: 'import-state', state: next, key: w.importKey(next) });
  upperResume(w, ep);
}

/** The library opens a record itself; the monitor sees the key, nonce and AAD it used (5). */
function openInUserspace(
  w: WorldContext,
  ep: Endpoint,
  state: CryptoState,
  offset: number,
  record: Uint8Array,
): ReturnType<typeof openRecord> {
  w.engine.lastOpen = null;
  const result = openRecord(w.engine, state, record, w.importKey(state));
  const request = w.engine.lastOpen as OpenRequest | null;
  if (request)
    w.monitor.opening(ep.name, offset, request.key.fingerprint, request.nonce, request.aad);
  return result;
}

/**
 * Whether a record the library read itself (held or punted) ends its RX: close_notify (RFC 8446
 * §6.1: what follows MUST be ignored) or a fatal alert (§6.2; RFC 5246 §7.2 in TLS 1.2), as the
 * data plane ends at one it hands over itself. A malformed alert is a decode_error, fatal too.
 */
function endsStream(w: WorldContext, type: ContentTypeByte, body: Uint8Array): boolean {
  if (type !== ContentType.alert) return false;
  const alert = parseAlert(body, w.suite.version);
  return !alert.ok || alert.value.closure || alert.value.fatal;
}

/** Userspace record layer (punt): open the record with the userspace state. */
function handlePunted(w: WorldContext, ep: Endpoint, offset: number, record: Uint8Array): void {
  const state = ep.userspaceRx;
  if (!state || ep.rx.phase.tag !== 'fallback') return;
  const result = openInUserspace(w, ep, state, offset, record);
  if (!result.ok) {
    w.monitor.rxFailed(ep.name, result.error);
    rxRun(w, ep, { type: 'close' });
    return;
  }
  const opened = result.value;
  if (opened.contentType === ContentType.applicationData) {
    w.monitor.consumed(ep.name, offset, 'app', opened.content);
    upperDeliver(w, ep, opened.content);
    ep.userspaceRx = opened.next;
    return;
  }
  w.monitor.consumed(ep.name, offset, 'cp', opened.content);
  const next = handleControl(w, ep, opened.contentType, opened.content);
  ep.userspaceRx = next ?? opened.next;
  if (next) w.monitor.rekeyed(ep.name);
  if (endsStream(w, opened.contentType, opened.content)) rxRun(w, ep, { type: 'close' });
}

/** Sends a record of the library's own (alert, KeyUpdate, ticket, heartbeat) the way the design does. */
export function sendControlRecord(
  w: WorldContext,
  ep: Endpoint,
  contentType: ContentTypeByte,
  body: Uint8Array,
): boolean {
  if (ep.userspaceTx) return sealInUserspace(w, ep, contentType, body);
  if (w.options.design.design.tx.controlRecords === 'cmsg') {
    return txRun(w, ep, { type: 'send-control', contentType, body }).errors.length === 0;
  }
  // take-state: get the TX state out, seal in userspace, write, put the advanced state back.
  const exported = txRun(w, ep, { type: 'export-state' }).state;
  if (!exported) return false;
  const sealed = sealRecord(w.engine, exported, contentType, body, w.importKey(exported));
  if (!sealed.ok) return false;
  const { record, next } = sealed.value;
  writeUserspace(w, ep, exported, contentType, body, record);
  txRun(w, ep, { type: 'import-state', state: next, key: w.importKey(next) });
  return true;
}

/** Punt: TLS_TX was refused, so the library seals every record itself. */
export function sealInUserspace(
  w: WorldContext,
  ep: Endpoint,
  contentType: ContentTypeByte,
  body: Uint8Array,
): boolean {
  const state = ep.userspaceTx!;
  const sealed = sealRecord(w.engine, state, contentType, body, w.importKey(state));
  if (!sealed.ok) return false;
  writeUserspace(w, ep, state, contentType, body, sealed.value.record);
  ep.userspaceTx = sealed.value.next;
  return true;
}

function writeUserspace(
  w: WorldContext,
  ep: Endpoint,
  state: CryptoState,
  contentType: ContentTypeByte,
  body: Uint8Array,
  record: Uint8Array,
): void {
  // What `sealRecord` really sealed it with (the engine saw the request), for invariants 1 and 9.
  const { key, nonce, aad } = w.engine.lastSeal!;
  w.monitor.sealed(ep.name, key.fingerprint, nonce, state.recSeq);
  w.emit(ep.name, {
    lane: 'cp',
    kind: 'control-send',
    type: contentType,
    size: body.length,
    seq: state.recSeq.toString(),
    reason: 'userspace-seal',
  });
  writeRecord(w, ep, record, {
    seq: state.recSeq,
    epoch: 0,
    contentType,
    fingerprint: key.fingerprint,
    nonce,
    aad,
    firstByte: body.length > 0 ? body[0]! : -1,
    size: body.length,
  });
}

/** RFC 8446 §4.6.3: the KeyUpdate goes out under the old key, then TX switches to the next secret. */
export function sendKeyUpdate(w: WorldContext, ep: Endpoint, requested: boolean): void {
  if (!sendControlRecord(w, ep, ContentType.handshake, keyUpdateMessage(requested))) return;
  ep.txSecret = w.nextSecret(ep.txSecret);
  const next = w.state(ep.txSecret);
  if (ep.userspaceTx) {
    ep.userspaceTx = next;
    return;
  }
  const r = txRun(w, ep, { type: 'install-key', state: next, key: w.importKey(next) });
  if (r.errors.length > 0)
    w.note(
      ep,
      'cp',
      `TLS_TX re-key refused: ${r.errors[0]!.errno}; the data plane keeps the old key`,
    );
}

/** A heartbeat from the control plane's own timer, racing the app's sends (RFC 6520). */
function sendHeartbeat(w: WorldContext, ep: Endpoint): void {
  if (ep.txClosed) return;
  if (ep.userspaceTx || w.options.design.design.tx.controlRecords === 'cmsg') {
    sendControlRecord(w, ep, ContentType.heartbeat, HEARTBEAT_REQUEST);
    return;
  }
  // take-state, in two control-plane steps: the state is out while the app keeps writing.
  const exported = txRun(w, ep, { type: 'export-state' }).state;
  if (!exported) return;
  const sealed = sealRecord(
    w.engine,
    exported,
    ContentType.heartbeat,
    HEARTBEAT_REQUEST,
    w.importKey(exported),
  );
  if (!sealed.ok) return;
  writeUserspace(w, ep, exported, ContentType.heartbeat, HEARTBEAT_REQUEST, sealed.value.record);
  ep.inbox.push({ kind: 'heartbeat-import', state: sealed.value.next });
}
