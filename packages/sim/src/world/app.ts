import { assertNever, ContentType } from '@ktls-lab/core';
import { frameMessage } from '../framing.js';
import { describeAction } from '../scenario/actions.js';
import { alertMessage, HELLO_REQUEST_MESSAGE, TICKET_MESSAGE } from '../scenario/messages.js';
import type { WorldContext } from './context.js';
import { sealInUserspace, sendControlRecord, sendKeyUpdate } from './controlPlane.js';
import { rxRun, txRun } from './dataPlane.js';
import type { Endpoint } from './endpoint.js';
import { writeRaw } from './network.js';

/**
 * The app: runs its endpoint's script (`../scenario/actions.ts`) one action per step. Data goes
 * through `send()` into the data plane; the TLS library's own records (KeyUpdate, ticket, alerts)
 * through the control plane, in the app's thread; heartbeats are queued for the control plane.
 */

/**
 * The app's data: a pattern of its position in the stream, different per endpoint. The pattern
 * repeats every 2^16 bytes, so data is a view into a precomputed table (never written: core seals
 * from it and the monitor compares against it) instead of a fresh array per send.
 */
const PERIOD = 1 << 16;
const patterns = new Map<number, Uint8Array>();
function pattern(salt: number): Uint8Array {
  let p = patterns.get(salt);
  if (p === undefined) {
    p = new Uint8Array(2 * PERIOD);
    for (let x = 0; x < p.length; x++) p[x] = (x * 7 + salt + (x >>> 8)) & 0xff;
    patterns.set(salt, p);
  }
  return p;
}

function appData(ep: Endpoint, n: number): Uint8Array {
  const salt = ep.name === 'client' ? 3 : 101;
  const start = ep.dataOffset % PERIOD;
  if (n <= PERIOD) return pattern(salt).subarray(start, start + n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = ep.dataOffset + i;
    out[i] = (x * 7 + salt + (x >>> 8)) & 0xff;
  }
  return out;
}

/** `send()`: returns whether TLS accepted the bytes. */
function appSend(w: WorldContext, ep: Endpoint, data: Uint8Array, more: boolean): boolean {
  if (ep.txClosed) return false;
  if (ep.userspaceTx) {
    for (let off = 0; off < data.length || off === 0; off += 16384) {
      if (!sealInUserspace(w, ep, ContentType.applicationData, data.subarray(off, off + 16384)))
        return false;
      if (data.length === 0) break;
    }
  } else if (txRun(w, ep, { type: 'send', data, more }).errors.length > 0) {
    return false;
  }
  w.monitor.appSent(ep.name, data);
  ep.dataOffset += data.length;
  return true;
}

/** Runs the app's next action. */
export function runApp(w: WorldContext, ep: Endpoint): void {
  const action = ep.script[ep.pc++]!;
  if (w.options.trace)
    w.emit(ep.name, { lane: 'app-tx', kind: 'note', note: `app: ${describeAction(action)}` });
  switch (action.do) {
    case 'send':
      appSend(w, ep, appData(ep, action.bytes), action.more === true);
      return;
    case 'message': {
      if (!ep.message) {
        const payload = appData(ep, action.payload);
        ep.message = {
          bytes: frameMessage(w.options.scenario.framer ?? 'kcm', payload, ep.messages),
          sent: 0,
        };
        w.monitor.messageSent(ep.name, payload, ep.dataOffset + ep.message.bytes.length);
      }
      const m = ep.message;
      const upto = Math.min(action.upto ?? m.bytes.length, m.bytes.length);
      if (upto > m.sent) {
        appSend(w, ep, m.bytes.subarray(m.sent, upto), false);
        m.sent = upto;
      }
      if (m.sent === m.bytes.length) {
        ep.message = null;
        ep.messages++;
      }
      return;
    }
    case 'key-update':
      if (!ep.txClosed && w.tls13) sendKeyUpdate(w, ep, action.requestUpdate);
      return;
    case 'ticket':
      if (!ep.txClosed) sendControlRecord(w, ep, ContentType.handshake, TICKET_MESSAGE);
      return;
    case 'hello-request':
      if (!ep.txClosed) sendControlRecord(w, ep, ContentType.handshake, HELLO_REQUEST_MESSAGE);
      return;
    case 'alert':
      if (!ep.txClosed && sendControlRecord(w, ep, ContentType.alert, alertMessage(action.alert))) {
        // RFC 8446 §6.2: after a fatal alert the connection is closed, both ways (a peer that
        // keeps sending closes only its RX).
        ep.txClosed = action.keepSending !== true;
        rxRun(w, ep, { type: 'close' });
        w.monitor.closedByReceiver(ep.name);
      }
      return;
    case 'close':
      if (ep.txClosed) return;
      if (
        action.keepSending ||
        ep.userspaceTx ||
        w.options.design.design.tx.controlRecords === 'take-state'
      ) {
        // Sent as a record of its own, so the data plane stays open for what a broken peer sends next.
        sendControlRecord(w, ep, ContentType.alert, alertMessage('close_notify'));
      } else {
        txRun(w, ep, { type: 'close' });
      }
      ep.txClosed = action.keepSending !== true;
      return;
    case 'heartbeat':
      ep.inbox.push({ kind: 'heartbeat' });
      return;
    case 'empty-record':
      if (ep.txClosed) return;
      if (ep.userspaceTx) sealInUserspace(w, ep, ContentType.applicationData, new Uint8Array(0));
      else
        txRun(w, ep, {
          type: 'send-control',
          contentType: ContentType.applicationData,
          body: new Uint8Array(0),
        });
      return;
    case 'corrupt-next':
      ep.corruptNext = true;
      return;
    case 'garbage':
      writeRaw(w, ep, Uint8Array.from(action.bytes));
      return;
    default:
      assertNever(action, 'app action');
  }
}
