import { createHash } from 'node:crypto';
import {
  AlertDescription,
  assertNever,
  ContentType,
  cryptoStateFromSecret,
  HandshakeType,
  keyFingerprint,
  nextTrafficSecret,
  RecordLayerError,
  suiteByName,
  toHex,
} from '@ktls-lab/core';
import {
  type AppAction,
  alertMessage,
  keyUpdateMessage,
  HEARTBEAT_REQUEST,
  HELLO_REQUEST_MESSAGE,
  type Scenario,
  TICKET_MESSAGE,
} from '@ktls-lab/sim';
import { initialKeys } from './keys.js';
import { errorEvent, ev, type Recorder } from './recorder.js';
import type { Endpoint, EndpointObservation, Side, Wire } from './types.js';

/**
 * The script, the same in both worlds: sets the keys, runs each endpoint's actions of a scenario
 * (sim's vocabulary, `AppAction`) against an `Endpoint`, then drains both receivers the way a TLS
 * library's control plane reads a kTLS socket: data, control records with their type, KeyUpdate
 * followed by the next TLS_RX (docs/kernel-tls.md §7), alerts ending the stream.
 */

/** The app's data: letters, a different alphabet per side, by position in the stream. */
function payload(side: Side, offset: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const base = side === 'client' ? 0x41 : 0x61;
  for (let i = 0; i < n; i++) out[i] = base + ((offset + i) % 26);
  return out;
}

interface Observed {
  readonly data: Uint8Array[];
  readonly control: string[];
  readonly events: string[];
}

export function runScript(
  s: Scenario,
  eps: { client: Endpoint; server: Endpoint },
  wire: Wire,
  rec: Recorder,
): { client: EndpointObservation; server: EndpointObservation } {
  const suite = suiteByName(s.suite);
  const keys = initialKeys(s);
  const obs: Record<Side, Observed> = {
    client: { data: [], control: [], events: [] },
    server: { data: [], control: [], events: [] },
  };
  const ends: Record<Side, string | null> = { client: null, server: null };
  const sentBytes = { client: 0, server: 0 };
  const txClosed = { client: false, server: false };
  // Traffic secrets of each side's TX (the peer's RX follows them on KeyUpdate).
  const txSecret = { client: keys.secrets.client, server: keys.secrets.server };
  // Key epochs per side and direction, as the simulator counts them: 1 for the first key.
  const epochs = { client: { tx: 0, rx: 0 }, server: { tx: 0, rx: 0 } };
  const rxSecret = { client: keys.secrets.server, server: keys.secrets.client };

  for (const side of ['client', 'server'] as const) {
    const peer: Side = side === 'client' ? 'server' : 'client';
    for (const dir of ['tx', 'rx'] as const) {
      const st = dir === 'tx' ? keys.tx[side] : keys.tx[peer];
      const r = eps[side].install(dir, st);
      if (r === 'ok') epochs[side][dir] += 1;
      ev(rec, side, {
        lane: 'cp',
        kind: 'key-install',
        epoch: epochs[side][dir],
        key: keyFingerprint(st.key),
        note: `${dir} ${r}`,
      });
      if (r !== 'ok') obs[side].events.push(`install ${dir}: ${r}`);
    }
  }

  /** A control record of the library's own: sent, and traced on the control plane's lane. */
  const sendControl = (side: Side, type: number, body: Uint8Array) => {
    eps[side].sendControl(type, body);
    ev(rec, side, { lane: 'cp', kind: 'control-send', type, size: body.length });
  };

  const act = (side: Side, a: AppAction) => {
    const ep = eps[side];
    const refuse = (what: string) => {
      obs[side].events.push(`${what}: EPIPE (library closed)`);
      errorEvent(rec, side, 'cp', 'EPIPE', what);
    };
    switch (a.do) {
      case 'send': {
        if (txClosed[side]) return refuse('send');
        const data = payload(side, sentBytes[side], a.bytes);
        sentBytes[side] += a.bytes;
        ev(rec, side, { lane: 'app-tx', kind: 'app-send', size: a.bytes });
        ep.send(data, a.more === true);
        return;
      }
      case 'empty-record':
        if (txClosed[side]) return refuse('send');
        // send() of 0 bytes makes no record in either world; an explicit TLS_SET_RECORD_TYPE of
        // application_data with an empty body asks for one.
        ev(rec, side, { lane: 'app-tx', kind: 'app-send', size: 0 });
        ep.sendControl(ContentType.applicationData, new Uint8Array(0));
        return;
      case 'key-update': {
        if (txClosed[side]) return refuse('key-update');
        // RFC 8446 §4.6.3: KeyUpdate under the old key, then the next traffic secret on TX.
        sendControl(side, ContentType.handshake, keyUpdateMessage(a.requestUpdate));
        txSecret[side] = nextTrafficSecret(suite, txSecret[side]);
        const next = cryptoStateFromSecret(suite, txSecret[side]);
        const r = ep.install('tx', next);
        obs[side].events.push(`tx rekey: ${r}`);
        if (r === 'ok')
          ev(rec, side, {
            lane: 'cp',
            kind: 'key-install',
            epoch: ++epochs[side].tx,
            key: keyFingerprint(next.key),
            note: 'tx rekey',
          });
        else errorEvent(rec, side, 'cp', r, 'TLS_TX rekey');
        return;
      }
      case 'ticket':
        if (txClosed[side]) return refuse('ticket');
        // A NewSessionTicket (RFC 8446 §4.6.1): the vocabulary's, the simulator's bytes.
        sendControl(side, ContentType.handshake, TICKET_MESSAGE);
        return;
      case 'alert':
      case 'close':
        if (txClosed[side]) return refuse(a.do);
        sendControl(
          side,
          ContentType.alert,
          alertMessage(a.do === 'close' ? 'close_notify' : a.alert),
        );
        txClosed[side] = true;
        return;
      case 'corrupt-next':
        wire.corruptNext(side);
        return;
      case 'garbage':
        wire.inject(side, Uint8Array.from(a.bytes));
        return;
      case 'hello-request':
        // TLS 1.2 HelloRequest (RFC 5246 §7.4.1.1): a handshake record of the library's own.
        if (txClosed[side]) return refuse(a.do);
        sendControl(side, ContentType.handshake, HELLO_REQUEST_MESSAGE);
        return;
      case 'heartbeat':
        // A heartbeat request (RFC 6520) from the control plane, in line with the app's sends
        // (the simulator's control plane sends it later, on its own timer).
        if (txClosed[side]) return refuse(a.do);
        sendControl(side, ContentType.heartbeat, HEARTBEAT_REQUEST);
        return;
      // The worlds' capability checks refuse scenarios with framed messages before any socket is
      // opened.
      case 'message':
        throw RecordLayerError.of('invalid_argument', `${s.name}: action ${a.do} is sim only`);
      default:
        assertNever(a, 'app action');
    }
  };

  /** After a KeyUpdate: look once more before the next key goes in (does RX freeze?), then TLS_RX. */
  const followKeyUpdate = (side: Side) => {
    const ep = eps[side];
    const before = ep.recv();
    const freeze =
      before.kind === 'error' ? before.errno : before.kind === 'again' ? 'EAGAIN' : before.kind;
    obs[side].events.push(`after KeyUpdate: ${freeze}`);
    if (before.kind === 'error' && before.errno === 'EKEYEXPIRED') {
      ev(rec, side, {
        lane: 'dp-rx',
        kind: 'freeze',
        reason: 'key-update',
        note: 'EKEYEXPIRED until TLS_RX is set again',
      });
    } else if (before.kind === 'data') {
      // No freeze (before 6.14): the data the app read is traced as any other read.
      obs[side].data.push(before.data);
      ev(rec, side, { lane: 'app-rx', kind: 'deliver-data', size: before.data.length });
    } else if (before.kind === 'error') {
      ends[side] = before.errno;
    }
    rxSecret[side] = nextTrafficSecret(suite, rxSecret[side]);
    const next = cryptoStateFromSecret(suite, rxSecret[side]);
    const res = ep.install('rx', next);
    obs[side].events.push(`rx rekey: ${res}`);
    if (res === 'ok') {
      ev(rec, side, {
        lane: 'cp',
        kind: 'key-install',
        epoch: ++epochs[side].rx,
        key: keyFingerprint(next.key),
        note: 'rx rekey',
      });
      ev(rec, side, { lane: 'dp-rx', kind: 'resume', reason: 'key-installed' });
    } else errorEvent(rec, side, 'cp', res, 'TLS_RX rekey');
  };

  const drain = (side: Side) => {
    const ep = eps[side];
    let idle = 0;
    while (ends[side] === null && idle < 3) {
      const r = ep.recv();
      switch (r.kind) {
        case 'again':
          // Bytes may still be in flight on loopback (slow under TCG): idle only when the relay
          // moved nothing and nothing arrived while it waited.
          if (wire.pump() === 0) {
            wire.settle();
            if (wire.pump() === 0) idle++;
          }
          break;
        case 'data':
          idle = 0;
          obs[side].data.push(r.data);
          ev(rec, side, { lane: 'app-rx', kind: 'deliver-data', size: r.data.length });
          break;
        case 'control':
          idle = 0;
          obs[side].control.push(`${r.type}:${toHex(r.data)}`);
          ev(rec, side, { lane: 'cp', kind: 'deliver-control', type: r.type, size: r.data.length });
          if (r.type === ContentType.alert) {
            // close_notify or a fatal alert: the control plane stops reading (RFC 8446 §6).
            const closeNotify = r.data[1] === AlertDescription.close_notify;
            ends[side] = closeNotify ? 'close_notify' : `alert ${r.data[1]}`;
            ev(rec, side, {
              lane: 'dp-rx',
              kind: 'eof',
              reason: closeNotify ? 'close_notify' : 'fatal-alert',
              ...(closeNotify ? {} : { note: ends[side]! }),
            });
          } else if (r.type === ContentType.handshake && r.data[0] === HandshakeType.keyUpdate) {
            followKeyUpdate(side);
          }
          break;
        case 'eof':
          ends[side] = 'eof';
          // TCP FIN without close_notify: a truncation (RFC 8446 §6.1).
          ev(rec, side, { lane: 'dp-rx', kind: 'eof', reason: 'tcp-fin' });
          break;
        case 'error':
          ends[side] = r.errno;
          errorEvent(rec, side, 'dp-rx', r.errno, 'recvmsg');
          break;
        default:
          assertNever(r, 'recv outcome');
      }
    }
  };

  for (const side of ['client', 'server'] as const) {
    for (const a of side === 'client' ? s.client : s.server) {
      act(side, a);
      wire.pump();
    }
  }
  wire.pump();
  drain('server');
  drain('client');

  const done = (side: Side): EndpointObservation => {
    const data = Buffer.concat(obs[side].data);
    return {
      data: createHash('sha256').update(data).digest('hex').slice(0, 16),
      dataLength: data.length,
      control: obs[side].control,
      events: obs[side].events,
      end: ends[side],
    };
  };
  return { client: done('client'), server: done('server') };
}
