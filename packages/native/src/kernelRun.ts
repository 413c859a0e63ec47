import { createHash } from 'node:crypto';
import {
  type AlertName,
  AlertDescription,
  ContentType,
  type CryptoState,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  type Design,
  keyFingerprint,
  LINUX_KTLS,
  LINUX_KTLS_PRE_REKEY,
  nextTrafficSecret,
  type RecordErrorCode,
  RecordLayerError,
  recordError,
  type SuiteName,
  suiteByName,
  TLS_1_3,
  type TraceDraft,
  type TraceEvent,
  TraceWriter,
  TlsRecordLayer,
  toHex,
} from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import { NativeSyscallError, native } from './errors.js';
import { KtlsSocket, POLLIN } from './ktls.js';

/**
 * The kernel-path adapter: runs a scenario of the simulator's catalog with core's control plane
 * (key schedule, KeyUpdate handling, alerts) and the REAL kernel as the data plane, on loopback
 * TCP: client kTLS socket ⇄ relay ⇄ server kTLS socket. The relay is plain TCP in userspace: it
 * forwards whole records, sees every record on the wire (for the trace), and applies the
 * scenario's network faults (`corrupt-next`, `garbage`). The same script also runs on core's
 * `TlsRecordLayer` (`runScenarioOnCore`), so the two can be compared (`compareRuns`).
 */

/** The actions of sim's `AppAction` the kernel path runs (structurally compatible with sim). */
export type KernelAction =
  | { readonly do: 'send'; readonly bytes: number; readonly more?: boolean }
  | { readonly do: 'key-update'; readonly requestUpdate: boolean }
  | { readonly do: 'ticket' }
  | { readonly do: 'alert'; readonly alert: AlertName }
  | { readonly do: 'close' }
  | { readonly do: 'empty-record' }
  | { readonly do: 'corrupt-next' }
  | { readonly do: 'garbage'; readonly bytes: readonly number[] };

/** What the adapter needs of a scenario; sim's `Scenario` has this shape. */
export interface KernelScenario {
  readonly name: string;
  readonly suite: SuiteName;
  readonly client: readonly { readonly do: string }[];
  readonly server: readonly { readonly do: string }[];
  readonly framer?: unknown;
  readonly profile?: { readonly name: string };
}

const KERNEL_ACTIONS = new Set([
  'send',
  'key-update',
  'ticket',
  'alert',
  'close',
  'empty-record',
  'corrupt-next',
  'garbage',
]);

/** Whether the kernel path can run a scenario, and if not why (framers, punt profiles, ...). */
export function kernelCapability(s: KernelScenario): { ok: true } | { ok: false; reason: string } {
  if (s.framer !== undefined) return { ok: false, reason: 'upper-layer framer (sim only)' };
  if (s.profile !== undefined && s.profile.name !== 'full') {
    return { ok: false, reason: `capability profile ${s.profile.name} (punting is sim only)` };
  }
  for (const a of [...s.client, ...s.server]) {
    if (!KERNEL_ACTIONS.has(a.do)) return { ok: false, reason: `action ${a.do} (sim only)` };
    if (a.do === 'key-update' && (a as { requestUpdate?: boolean }).requestUpdate) {
      return { ok: false, reason: 'KeyUpdate(update_requested) needs a reacting peer (sim only)' };
    }
  }
  return { ok: true };
}

type Side = 'client' | 'server';

/** What one endpoint's app and control plane observed. */
export interface EndpointObservation {
  /** Every application byte the app read, in order. */
  readonly data: string;
  readonly dataLength: number;
  /** Control records handed to the control plane: `<type>:<hex body>`. */
  readonly control: readonly string[];
  /** Control-plane events: key installs and their result, freezes, refused sends. */
  readonly events: readonly string[];
  /** The error that ended reading, as an errno name, or 'eof' / 'closed' / null. */
  readonly end: string | null;
}

export interface KernelRunResult {
  readonly scenario: string;
  readonly world: 'kernel' | 'core';
  /** The kernel release, or the core design name. */
  readonly where: string;
  readonly client: EndpointObservation;
  readonly server: EndpointObservation;
  /** Records the relay saw on the wire, per direction: `<outer type>/<length>`. */
  readonly wire: { readonly c2s: readonly string[]; readonly s2c: readonly string[] };
  /** The NDJSON trace (core's format). */
  readonly trace: string;
}

export interface KernelRunOptions {
  /** Core design for the reference run (`runScenarioOnCore`). */
  readonly design?: Design;
  /**
   * Core design of the client only (default: `design`): a peer whose TLS stack differs, e.g. a
   * userspace library that does rekey talking to a kernel that cannot.
   */
  readonly clientDesign?: Design;
  /**
   * Kernel run: the client is the kernel (default), or a userspace TLS stack (core's
   * `TlsRecordLayer` in `clientDesign`, default `linux-ktls`) writing records to plain TCP, so the
   * server's kernel faces a peer that really switches keys on KeyUpdate.
   */
  readonly clientPeer?: 'kernel' | 'userspace';
  /** Written into the trace header. */
  readonly seed?: string;
}

// ---------------------------------------------------------------------------------------------
// the script, shared by both worlds

type RecvOutcome =
  | { kind: 'data'; data: Uint8Array }
  | { kind: 'control'; type: number; data: Uint8Array }
  | { kind: 'eof' }
  | { kind: 'again' }
  | { kind: 'error'; errno: string };

/** One endpoint's socket-level operations, implemented by the kernel and by core. */
interface Endpoint {
  send(data: Uint8Array, more: boolean): void;
  sendControl(type: number, body: Uint8Array): void;
  /** setsockopt(TLS_TX/TLS_RX); returns 'ok' or the errno. */
  install(dir: 'tx' | 'rx', state: CryptoState): string;
  recv(): RecvOutcome;
}

/** Moves bytes between the endpoints, record by record, applying faults. */
interface Wire {
  /** Forwards what is there; returns the bytes moved. */
  pump(): number;
  /** Waits briefly for bytes in flight (kernel: poll the relay's sockets); no-op for core. */
  settle(): void;
  corruptNext(from: Side): void;
  inject(from: Side, bytes: Uint8Array): void;
  records(): { c2s: string[]; s2c: string[] };
}

interface Keys {
  readonly tx: { client: CryptoState; server: CryptoState };
  secrets: { client: Uint8Array; server: Uint8Array };
}

function deterministic(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let off = 0;
  for (let i = 0; off < n; i++) {
    const h = createHash('sha256').update(`${label}/${i}`).digest();
    out.set(h.subarray(0, Math.min(32, n - off)), off);
    off += 32;
  }
  return out;
}

function initialKeys(s: KernelScenario): Keys {
  const suite = suiteByName(s.suite);
  const hashLen = suite.hash === 'sha384' ? 48 : 32;
  const secrets = {
    client: deterministic(`${s.name}/client`, hashLen),
    server: deterministic(`${s.name}/server`, hashLen),
  };
  const state = (side: Side) =>
    suite.version === TLS_1_3
      ? cryptoStateFromSecret(suite, secrets[side])
      : cryptoStateFromKeyIv(
          suite,
          deterministic(`${s.name}/${side}/key`, suite.keyLength),
          deterministic(`${s.name}/${side}/iv`, 12),
        );
  return { tx: { client: state('client'), server: state('server') }, secrets };
}

const payload = (side: Side, offset: number, n: number) => {
  const out = new Uint8Array(n);
  const base = side === 'client' ? 0x41 : 0x61;
  for (let i = 0; i < n; i++) out[i] = base + ((offset + i) % 26);
  return out;
};

interface Recorder {
  events: TraceEvent[];
  t: number;
}

function ev(r: Recorder, ep: Side, draft: TraceDraft): void {
  r.events.push({ t: r.t++, ep, ...draft });
}

const ERRNO_CODE: Record<string, RecordErrorCode> = {
  EBADMSG: 'bad_record_mac',
  EMSGSIZE: 'record_overflow',
  EINVAL: 'bad_record_version',
  EIO: 'control_needs_cmsg',
  EKEYEXPIRED: 'key_expired',
  EAGAIN: 'would_block',
  EBUSY: 'rekey_unsupported',
  EPIPE: 'closed',
};

function errorEvent(r: Recorder, ep: Side, lane: 'dp-rx' | 'cp', errno: string, what: string) {
  const code = ERRNO_CODE[errno];
  if (code === undefined) {
    ev(r, ep, { lane, kind: 'note', note: `${what}: ${errno}` });
    return;
  }
  ev(r, ep, { lane, kind: 'error', error: recordError(code, `${what}: ${errno}`) });
}

function runScript(
  s: KernelScenario,
  eps: { client: Endpoint; server: Endpoint },
  wire: Wire,
  rec: Recorder,
): { client: EndpointObservation; server: EndpointObservation } {
  const suite = suiteByName(s.suite);
  const keys = initialKeys(s);
  const obs = {
    client: { data: [] as Uint8Array[], control: [] as string[], events: [] as string[] },
    server: { data: [] as Uint8Array[], control: [] as string[], events: [] as string[] },
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

  const act = (side: Side, a: KernelAction) => {
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
        ep.sendControl(ContentType.handshake, Uint8Array.of(24, 0, 0, 1, a.requestUpdate ? 1 : 0));
        ev(rec, side, { lane: 'cp', kind: 'control-send', type: ContentType.handshake, size: 5 });
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
      case 'ticket': {
        if (txClosed[side]) return refuse('ticket');
        // A NewSessionTicket (RFC 8446 §4.6.1) with a 16-byte opaque body: handshake type 4.
        const body = Uint8Array.of(4, 0, 0, 16, ...deterministic(`${s.name}/ticket`, 16));
        ep.sendControl(ContentType.handshake, body);
        ev(rec, side, {
          lane: 'cp',
          kind: 'control-send',
          type: ContentType.handshake,
          size: body.length,
        });
        return;
      }
      case 'alert':
      case 'close': {
        if (txClosed[side]) return refuse(a.do);
        const body =
          a.do === 'close' ? Uint8Array.of(1, 0) : Uint8Array.of(2, AlertDescription[a.alert]);
        ep.sendControl(ContentType.alert, body);
        ev(rec, side, { lane: 'cp', kind: 'control-send', type: ContentType.alert, size: 2 });
        txClosed[side] = true;
        return;
      }
      case 'corrupt-next':
        wire.corruptNext(side);
        return;
      case 'garbage':
        wire.inject(side, Uint8Array.from(a.bytes));
        return;
    }
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
        case 'control': {
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
          } else if (r.type === ContentType.handshake && r.data[0] === 24) {
            // KeyUpdate: look once more before the next key goes in (does RX freeze?), then
            // install the peer's next traffic secret on RX.
            const before = ep.recv();
            const freeze =
              before.kind === 'error'
                ? before.errno
                : before.kind === 'again'
                  ? 'EAGAIN'
                  : before.kind;
            obs[side].events.push(`after KeyUpdate: ${freeze}`);
            if (before.kind === 'error' && before.errno === 'EKEYEXPIRED') {
              ev(rec, side, {
                lane: 'dp-rx',
                kind: 'freeze',
                reason: 'key-update',
                note: 'EKEYEXPIRED until TLS_RX is set again',
              });
            } else if (before.kind === 'data') {
              obs[side].data.push(before.data);
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
          }
          break;
        }
        case 'eof':
          ends[side] = 'eof';
          // TCP FIN without close_notify: a truncation (RFC 8446 §6.1).
          ev(rec, side, { lane: 'dp-rx', kind: 'eof', reason: 'tcp-fin' });
          break;
        case 'error':
          ends[side] = r.errno;
          errorEvent(rec, side, 'dp-rx', r.errno, 'recvmsg');
          break;
      }
    }
  };

  for (const side of ['client', 'server'] as const) {
    for (const a of (side === 'client' ? s.client : s.server) as readonly KernelAction[]) {
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

// ---------------------------------------------------------------------------------------------
// record framing shared by both relays

class Framer {
  buf: Uint8Array = new Uint8Array(0);
  corrupt = false;
  readonly seen: string[] = [];
  /** Called for each whole record that crosses the relay (for the trace's wire lane). */
  constructor(private readonly onRecord: (header: Uint8Array, length: number) => void = () => {}) {}
  /** Appends bytes; returns the whole records now complete, faults applied. */
  push(bytes: Uint8Array): Uint8Array {
    this.buf = Buffer.concat([this.buf, bytes]);
    let end = 0;
    while (this.buf.length - end >= 5) {
      const len = (this.buf[end + 3]! << 8) | this.buf[end + 4]!;
      if (this.buf.length - end < 5 + len) break;
      this.seen.push(`${this.buf[end]}/${len}`);
      this.onRecord(this.buf.subarray(end, end + 5), len);
      if (this.corrupt) {
        // Flip one bit of the tag: the peer's AEAD must refuse the record (bad_record_mac).
        this.buf[end + 5 + len - 1]! ^= 1;
        this.corrupt = false;
      }
      end += 5 + len;
    }
    const out = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    return Uint8Array.from(out);
  }
}

/** A `record-out` event on the sender's wire lane for each record the relay forwards. */
function wireEvent(rec: Recorder, from: Side) {
  return (header: Uint8Array, length: number) =>
    ev(rec, from, {
      lane: 'wire',
      kind: 'record-out',
      type: header[0]!,
      wire: 5 + length,
      header: toHex(header),
    });
}

// ---------------------------------------------------------------------------------------------
// kernel world

function errnoOf(e: unknown): string {
  if (e instanceof NativeSyscallError) return e.errno;
  throw e;
}

function kernelEndpoint(sock: KtlsSocket): Endpoint {
  return {
    send: (data, more) => {
      let off = 0;
      while (off < data.length) off += sock.send(data.subarray(off), { more });
    },
    sendControl: (type, body) => {
      sock.sendRecord(type, body);
    },
    install: (dir, state) => {
      try {
        sock.setCryptoState(dir, state);
        return 'ok';
      } catch (e) {
        return errnoOf(e);
      }
    },
    recv: () => {
      try {
        const r = sock.recv({ maxBytes: 65536, cmsg: true, dontwait: true });
        if (r.data.length === 0 && (r.recordType === null || r.recordType === 23)) {
          // 0 with a data cmsg is an empty record before a control record (zero_len); without a
          // cmsg it is the end of the stream.
          return r.recordType === null ? { kind: 'eof' } : { kind: 'again' };
        }
        if (r.recordType !== null && r.recordType !== 23) {
          return { kind: 'control', type: r.recordType, data: r.data };
        }
        return { kind: 'data', data: r.data };
      } catch (e) {
        const errno = errnoOf(e);
        return errno === 'EAGAIN' ? { kind: 'again' } : { kind: 'error', errno };
      }
    },
  };
}

/** core's record layer over a plain TCP socket: a userspace TLS peer of a kernel endpoint. */
function userspaceEndpoint(layer: TlsRecordLayer, sock: KtlsSocket): Endpoint {
  const inner = coreEndpoint(layer, (bytes) => {
    if (bytes.length > 0) sock.sendAll(bytes);
  });
  return {
    ...inner,
    recv: () => {
      for (;;) {
        try {
          const chunk = sock.recv({ maxBytes: 65536, cmsg: false, dontwait: true }).data;
          if (chunk.length === 0) break;
          layer.receive(chunk);
        } catch (e) {
          if (errnoOf(e) === 'EAGAIN') break;
          throw e;
        }
      }
      return inner.recv();
    },
  };
}

/** Runs a scenario on the running kernel's TLS (needs the TLS ULP: check `probe()` first). */
export function runScenarioOnKernel(
  s: KernelScenario,
  options: KernelRunOptions = {},
): KernelRunResult {
  const cap = kernelCapability(s);
  if (!cap.ok)
    throw RecordLayerError.of('invalid_argument', `${s.name}: not kernel-capable: ${cap.reason}`);
  const kernel = native((b) => b.uname().release);
  const opened: KtlsSocket[] = [];
  try {
    const [c, rc] = KtlsSocket.pair(5000);
    const [rs, sv] = KtlsSocket.pair(5000);
    opened.push(c, rc, rs, sv);
    const userspaceClient = options.clientPeer === 'userspace';
    if (!userspaceClient) c.attachUlp();
    sv.attachUlp();
    const rec: Recorder = { events: [], t: 0 };
    const c2s = new Framer(wireEvent(rec, 'client'));
    const s2c = new Framer(wireEvent(rec, 'server'));
    const forward = (from: KtlsSocket, to: KtlsSocket, f: Framer): number => {
      let moved = 0;
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = from.recv({ maxBytes: 65536, cmsg: false, dontwait: true }).data;
        } catch (e) {
          if (errnoOf(e) === 'EAGAIN') return moved;
          throw e;
        }
        if (chunk.length === 0) return moved;
        moved += chunk.length;
        const out = f.push(chunk);
        if (out.length > 0) to.sendAll(out);
      }
    };
    const wire: Wire = {
      pump: () => forward(rc, rs, c2s) + forward(rs, rc, s2c),
      settle: () => {
        rc.poll(POLLIN, 30);
        rs.poll(POLLIN, 30);
      },
      corruptNext: (from) => {
        (from === 'client' ? c2s : s2c).corrupt = true;
      },
      inject: (from, bytes) => {
        wire.pump();
        (from === 'client' ? rs : rc).sendAll(bytes);
      },
      records: () => ({ c2s: c2s.seen, s2c: s2c.seen }),
    };
    const client = userspaceClient
      ? userspaceEndpoint(
          new TlsRecordLayer({
            engine: new NodeCryptoAeadEngine(),
            design: options.clientDesign ?? LINUX_KTLS,
            endpoint: 'client',
          }),
          c,
        )
      : kernelEndpoint(c);
    const o = runScript(s, { client, server: kernelEndpoint(sv) }, wire, rec);
    const header = {
      format: 'ktls-lab-trace',
      version: 1,
      world: 'kernel',
      design: userspaceClient
        ? `linux-kernel+userspace-client(${(options.clientDesign ?? LINUX_KTLS).name})`
        : 'linux-kernel',
      scenario: s.name,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      engine: 'kernel-tls',
      kernel,
      endpoints: ['client', 'server'],
      suite: s.suite,
    } as const;
    const w = new TraceWriter(header);
    for (const e of rec.events) w.push(e);
    return {
      scenario: s.name,
      world: 'kernel',
      where: kernel,
      ...o,
      wire: wire.records(),
      trace: w.toString(),
    };
  } finally {
    for (const x of opened) {
      try {
        x.close();
      } catch {}
    }
  }
}

// ---------------------------------------------------------------------------------------------
// core world

function coreEndpoint(layer: TlsRecordLayer, out: (bytes: Uint8Array) => void): Endpoint {
  const errno = (e: unknown) => {
    if (e instanceof RecordLayerError) return e.errno;
    throw e;
  };
  return {
    send: (data, more) => out(layer.send(data, { more })),
    sendControl: (type, body) => out(layer.sendControl(type, body)),
    install: (dir, state) => {
      try {
        if (dir === 'tx') layer.installTxKey(state);
        else layer.installRxKey(state);
        return 'ok';
      } catch (e) {
        return errno(e);
      }
    },
    recv: () => {
      try {
        const r = layer.recv({ cmsg: true });
        if (r.eof) return { kind: 'eof' };
        if (r.contentType !== ContentType.applicationData) {
          return { kind: 'control', type: r.contentType, data: r.data };
        }
        if (r.data.length === 0) return { kind: 'again' };
        return { kind: 'data', data: r.data };
      } catch (e) {
        const n = errno(e);
        return n === 'EAGAIN' ? { kind: 'again' } : { kind: 'error', errno: n };
      }
    },
  };
}

/** The same script on core's `TlsRecordLayer` (node:crypto), in the design of your choice. */
export function runScenarioOnCore(
  s: KernelScenario,
  options: KernelRunOptions = {},
): KernelRunResult {
  const design = options.design ?? LINUX_KTLS;
  const engine = new NodeCryptoAeadEngine();
  const client = new TlsRecordLayer({
    engine,
    design: options.clientDesign ?? design,
    endpoint: 'client',
  });
  const server = new TlsRecordLayer({ engine, design, endpoint: 'server' });
  const rec: Recorder = { events: [], t: 0 };
  const c2s = new Framer(wireEvent(rec, 'client'));
  const s2c = new Framer(wireEvent(rec, 'server'));
  const pending = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  const wire: Wire = {
    pump: () => {
      const a = c2s.push(Buffer.concat(pending.client.splice(0)));
      if (a.length > 0) server.receive(a);
      const b = s2c.push(Buffer.concat(pending.server.splice(0)));
      if (b.length > 0) client.receive(b);
      return a.length + b.length;
    },
    settle: () => undefined,
    corruptNext: (from) => {
      (from === 'client' ? c2s : s2c).corrupt = true;
    },
    inject: (from, bytes) => {
      wire.pump();
      (from === 'client' ? server : client).receive(bytes);
    },
    records: () => ({ c2s: c2s.seen, s2c: s2c.seen }),
  };
  const o = runScript(
    s,
    {
      client: coreEndpoint(client, (b) => pending.client.push(b)),
      server: coreEndpoint(server, (b) => pending.server.push(b)),
    },
    wire,
    rec,
  );
  const w = new TraceWriter({
    format: 'ktls-lab-trace',
    version: 1,
    world: 'core',
    design: design.name,
    scenario: s.name,
    engine: engine.name,
    endpoints: ['client', 'server'],
    suite: s.suite,
  });
  for (const e of rec.events) w.push(e);
  return {
    scenario: s.name,
    world: 'core',
    where: design.name,
    ...o,
    wire: wire.records(),
    trace: w.toString(),
  };
}

/** The core design a kernel should match: `linux-ktls` with TLS 1.3 rekey, else the pre-6.14 one. */
export function designForKernel(hasRekey: boolean): Design {
  return hasRekey ? LINUX_KTLS : LINUX_KTLS_PRE_REKEY;
}

/** Differences between what the apps and control planes observed in two runs ([] = none). */
export function compareRuns(a: KernelRunResult, b: KernelRunResult): string[] {
  const diffs: string[] = [];
  for (const side of ['client', 'server'] as const) {
    const x = a[side];
    const y = b[side];
    if (x.dataLength !== y.dataLength || x.data !== y.data) {
      diffs.push(
        `${side} app data: ${x.dataLength} B (${x.data}) vs ${y.dataLength} B (${y.data})`,
      );
    }
    if (JSON.stringify(x.control) !== JSON.stringify(y.control)) {
      diffs.push(
        `${side} control records: ${JSON.stringify(x.control)} vs ${JSON.stringify(y.control)}`,
      );
    }
    if (JSON.stringify(x.events) !== JSON.stringify(y.events)) {
      diffs.push(
        `${side} control plane: ${JSON.stringify(x.events)} vs ${JSON.stringify(y.events)}`,
      );
    }
    if (x.end !== y.end) diffs.push(`${side} end: ${x.end} vs ${y.end}`);
  }
  return diffs;
}
