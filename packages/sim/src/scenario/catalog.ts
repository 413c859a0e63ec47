import { AES_GCM_ONLY_PROFILE, FULL_PROFILE } from '@ktls-lab/core';
import type { AppAction, Scenario } from './actions.js';

/**
 * The scenario catalog, as data: each entry is a suite, a capability profile and the two
 * endpoints' scripts in the vocabulary of `actions.ts`. The simulator runs all of them; the
 * real-kernel runner runs the kernel-capable ones (`kernelCapability` in `@ktls-lab/native`).
 */

const base = { profile: FULL_PROFILE, asyncDepth: 1, small: false } as const;
const send = (bytes: number, more = false): AppAction => ({
  do: 'send',
  bytes,
  ...(more ? { more } : {}),
});

export const SCENARIOS: readonly Scenario[] = [
  {
    ...base,
    name: 'bulk-both-ways',
    summary: 'Bulk data both ways over TLS 1.3 AES-128-GCM, records of every size up to 16 KiB.',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [send(20000), send(777, true), send(5000), send(16384)],
    server: [send(30000), send(1), send(16385)],
  },
  {
    ...base,
    name: 'key-update-one-way',
    summary:
      'TLS 1.3 KeyUpdate from the client in the middle of its data: the server RX must freeze until its control plane installs the next key.',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [send(300), { do: 'key-update', requestUpdate: false }, send(300)],
    server: [],
    small: true,
  },
  {
    ...base,
    name: 'key-update-both-ways',
    summary:
      'Both sides send KeyUpdate(update_requested) at once; each must answer with its own KeyUpdate (RFC 8446 §4.6.3).',
    suite: 'TLS_AES_256_GCM_SHA384',
    client: [send(200), { do: 'key-update', requestUpdate: true }, send(200)],
    server: [send(200), { do: 'key-update', requestUpdate: true }, send(200)],
  },
  {
    ...base,
    name: 'ticket-between-data',
    summary:
      'A NewSessionTicket between two data records: handed to the control plane alone, no freeze.',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [],
    server: [send(1000), { do: 'ticket' }, send(1000)],
    small: true,
  },
  {
    ...base,
    name: 'close-notify-mid-stream',
    summary:
      'The client sends close_notify with more data after it: nothing after it is delivered (RFC 8446 §6.1).',
    suite: 'TLS_CHACHA20_POLY1305_SHA256',
    client: [send(2000), { do: 'close' }, send(500)],
    server: [send(1000)],
  },
  {
    ...base,
    name: 'fatal-alert',
    summary: 'The server sends a fatal alert mid-stream and stops; the client closes RX on it.',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [send(1000), send(1000)],
    server: [send(500), { do: 'alert', alert: 'internal_error' }],
  },
  {
    ...base,
    name: 'tls12-userspace-heartbeat',
    summary:
      'TLS 1.2: the control plane sends heartbeats while the data plane sends data (the RFC\'s "get the state out, use it, reset it").',
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    client: [
      send(1500),
      { do: 'heartbeat' },
      send(1500),
      send(1500),
      { do: 'heartbeat' },
      send(1500),
    ],
    server: [send(300)],
  },
  {
    ...base,
    name: 'rds-framed-control-inside',
    summary:
      'RDS-style framed messages over TLS 1.3 with a KeyUpdate inside a message: the upper layer must freeze with the stream.',
    suite: 'TLS_AES_128_GCM_SHA256',
    framer: 'rds',
    client: [
      { do: 'message', payload: 400, upto: 150 },
      { do: 'key-update', requestUpdate: false },
      { do: 'message', payload: 400 },
      { do: 'message', payload: 60 },
    ],
    server: [send(50)],
  },
  {
    ...base,
    name: 'kcm-framed-control-inside',
    summary: 'KCM-style length-prefixed messages with a NewSessionTicket inside a message.',
    suite: 'TLS_AES_256_GCM_SHA384',
    framer: 'kcm',
    client: [],
    server: [
      { do: 'message', payload: 600, upto: 300 },
      { do: 'ticket' },
      { do: 'message', payload: 600 },
      { do: 'message', payload: 20 },
    ],
    small: true,
  },
  {
    ...base,
    name: 'punt-chacha-on-aes-profile',
    summary:
      'ChaCha20-Poly1305 on a data plane that offloads only AES-GCM: TLS_RX/TLS_TX are refused and records are processed in userspace, with the same app-visible result.',
    suite: 'TLS_CHACHA20_POLY1305_SHA256',
    profile: AES_GCM_ONLY_PROFILE,
    client: [send(3000), send(3000)],
    server: [send(2000)],
  },
  {
    ...base,
    name: 'bad-mac',
    summary:
      'The network flips a bit in a client record: the server must fail with EBADMSG (bad_record_mac), sticky, delivering nothing from that record on.',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [send(1000), { do: 'corrupt-next' }, send(1000), send(1000)],
    server: [send(500)],
  },
  {
    ...base,
    name: 'oversize-record',
    summary:
      'A record header announcing more than the kernel accepts (64 × 0x55, selftest bad_rec): EMSGSIZE, the stream stops.',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [send(1000), { do: 'garbage', bytes: Array(64).fill(0x55) }, send(1000)],
    server: [send(500)],
  },
  {
    ...base,
    name: 'zero-length-records',
    summary:
      'Empty application_data records between data (legal in TLS 1.3; the kernel skips them).',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [
      { do: 'empty-record' },
      send(100),
      { do: 'empty-record' },
      { do: 'empty-record' },
      send(100),
    ],
    server: [],
    small: true,
  },
  {
    ...base,
    name: 'async-depth-8-control-behind-data',
    summary:
      'TLS 1.2 with 8 async decryptions in flight and a handshake record right behind them: it must reach the control plane only after the data before it.',
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    asyncDepth: 8,
    client: [send(10)],
    server: [
      ...Array.from({ length: 10 }, () => send(120)),
      { do: 'hello-request' },
      send(120),
      send(120),
    ],
  },
  // Regressions for the two bugs of issue 12 that the hand-written scenarios above never reached.
  {
    ...base,
    name: 'close-notify-then-records',
    summary:
      'A broken peer sends data after its close_notify: the receiver must deliver none of it (RFC 8446 §6.1), whether its data plane or its library read the alert.',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [send(400), { do: 'close', keepSending: true }, send(400)],
    server: [],
    small: true,
  },
  {
    ...base,
    name: 'fatal-alert-then-records',
    summary:
      'TLS 1.2: a broken peer sends data after a fatal alert: the receiver must close on the alert and deliver nothing after it (RFC 5246 §7.2).',
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    client: [],
    server: [send(300), { do: 'alert', alert: 'internal_error', keepSending: true }, send(300)],
    small: true,
  },
  {
    ...base,
    name: 'msg-more-then-key-update',
    summary:
      'A KeyUpdate while a MSG_MORE record is open: the open bytes leave first, under the old key (rfc-2015 exports the TX state only with nothing pending).',
    suite: 'TLS_AES_128_GCM_SHA256',
    client: [send(300, true), { do: 'key-update', requestUpdate: false }, send(300)],
    server: [],
    small: true,
  },
  // Small enough for exhaustive DFS, which cuts a segment inside a record header once per run.
  {
    ...base,
    name: 'tls12-small-control-between-data',
    summary:
      'TLS 1.2, a HelloRequest between two data records: known as control from its header, handed over in stream order (small).',
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    client: [],
    server: [send(200), { do: 'hello-request' }, send(200)],
    small: true,
  },
  {
    ...base,
    name: 'async-small-control-behind-data',
    summary:
      'TLS 1.2 with 2 async decryptions in flight and a handshake record behind them: completions in any order, delivery in stream order (small).',
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    asyncDepth: 2,
    client: [],
    server: [send(100), send(100), { do: 'hello-request' }],
    small: true,
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
