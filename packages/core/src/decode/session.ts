// Longer than the repo's ~400-line guideline: `decodeSession` is one pass over the interleaved
// chunks of both directions, and its steps (framing, handshake messages, key changes, opening
// records, the summary) read and write both directions' state (`Dir`) as they go.
import { sha256 } from '@noble/hashes/sha2.js';
import type { AeadEngine } from '../aead.js';
import { concat, toHex } from '../bytes.js';
import { recordBytes } from '../codec.js';
import {
  type CryptoState,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  keyFingerprint,
} from '../cryptoState.js';
import { recordError } from '../errors.js';
import { nextTrafficSecret, tls12KeyBlock } from '../keySchedule.js';
import {
  createParser,
  feed,
  type ParserState,
  peekHeader,
  plaintextLimits,
  rfcLimits,
  takeRecord,
  withLimits,
} from '../parser.js';
import {
  AlertDescription,
  ContentType,
  contentTypeName,
  HandshakeType,
  TLS_1_2,
  TLS_1_3,
} from '../protocol.js';
import { openRecord } from '../recordCrypto.js';
import { type CipherSuite, findSuite } from '../suites.js';
import { PREVIEW_BYTES, type TraceDraft, type TraceEvent, type TraceHeader } from '../trace.js';
import {
  HANDSHAKE_NAMES,
  parseClientHello,
  parseServerHello,
  splitHandshake,
  unsupportedSuite,
} from './hello.js';
import { type KeyLog, type KeyLogLabel, keyLogSecret } from './keylog.js';

/**
 * Decodes a captured TLS session of real peers: follows the handshake far enough to know the
 * version, the suite and where each key starts, opens every record in both directions with the
 * secrets of an NSS key log, follows KeyUpdates, and writes the standard trace: each record with
 * its plane, and where `linux-ktls` would freeze, hand a record to userspace, or fail.
 *
 * One file over 400 lines: the handshake follower, the record opener and the trace they write
 * share the per-direction state (`Dir`) and the negotiated version and suite, and split apart
 * they would pass all of it back and forth.
 */

/** A capture's two byte streams: client to server, server to client (not a key direction, see `Direction`). */
export type StreamDirection = 'c2s' | 's2c';

export interface DecodeInput {
  /**
   * The two byte streams in arrival order (one chunk per direction is enough without timing).
   * Read once, in order: a generator that reads a capture piece by piece works.
   */
  readonly chunks: Iterable<{ readonly dir: StreamDirection; readonly bytes: Uint8Array }>;
  readonly keylog: KeyLog;
  readonly engine: AeadEngine;
  /**
   * Called with each trace event as it is made; when given, the events are not kept (the result's
   * `events` is empty), so a caller that writes them out holds none of them.
   */
  readonly onEvent?: (event: TraceEvent) => void;
  /** Keep the application data for the result's `data` (default true); the summary's hashes are made either way. */
  readonly keepData?: boolean;
}

export interface DirectionSummary {
  readonly records: Record<string, number>;
  readonly handshakeMessages: Record<string, number>;
  readonly epochs: number;
  readonly keyUpdates: number;
  readonly applicationBytes: number;
  /** SHA-256 of the application data, hex. */
  readonly applicationSha256: string;
  readonly alerts: string[];
  /** Where decoding stopped early, if it did. */
  readonly stopped: string | null;
  readonly bytes: number;
}

export interface DecodeSummary {
  readonly version: 'TLS 1.2' | 'TLS 1.3' | 'unknown';
  readonly suite: string | null;
  readonly clientRandom: string | null;
  readonly c2s: DirectionSummary;
  readonly s2c: DirectionSummary;
  readonly problems: readonly string[];
}

export interface DecodeResult {
  readonly header: TraceHeader;
  readonly events: TraceEvent[];
  readonly summary: DecodeSummary;
  /** Application data per direction, in order (empty with `keepData: false`). */
  readonly data: { readonly c2s: Uint8Array; readonly s2c: Uint8Array };
}

interface Dir {
  readonly name: StreamDirection;
  readonly sender: 'client' | 'server';
  readonly receiver: 'client' | 'server';
  parser: ParserState;
  offset: number;
  /** Protected records use this state; null before keys. */
  state: CryptoState | null;
  /** TLS 1.3: the current traffic secret, to derive the next generation at KeyUpdate. */
  secret: Uint8Array | null;
  epoch: number;
  phase: 'plaintext' | 'handshake' | 'application';
  /** TLS 1.2: ChangeCipherSpec seen, records from here on are protected. */
  ccs: boolean;
  handshake: Uint8Array;
  records: Record<string, number>;
  messages: Record<string, number>;
  keyUpdates: number;
  alerts: string[];
  data: Uint8Array[];
  /** Running SHA-256 and length of the application data (kept or not). */
  dataHash: ReturnType<typeof sha256.create>;
  dataBytes: number;
  stopped: string | null;
  bytes: number;
  /** The data plane (kTLS) would have frozen after a KeyUpdate: resume is traced at the next record. */
  frozen: boolean;
}

function newDir(name: StreamDirection): Dir {
  return {
    name,
    sender: name === 'c2s' ? 'client' : 'server',
    receiver: name === 'c2s' ? 'server' : 'client',
    parser: createParser(plaintextLimits()),
    offset: 0,
    state: null,
    secret: null,
    epoch: 0,
    phase: 'plaintext',
    ccs: false,
    handshake: new Uint8Array(0),
    records: {},
    messages: {},
    keyUpdates: 0,
    alerts: [],
    data: [],
    dataHash: sha256.create(),
    dataBytes: 0,
    stopped: null,
    bytes: 0,
    frozen: false,
  };
}

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export function decodeSession(input: DecodeInput): DecodeResult {
  const dirs = { c2s: newDir('c2s'), s2c: newDir('s2c') };
  const events: TraceEvent[] = [];
  const problems: string[] = [];
  let t = 0;
  let clientRandom: Uint8Array | null = null;
  let serverRandom: Uint8Array | null = null;
  let suite: CipherSuite | null = null;
  let version = 0;
  /** A HelloRetryRequest was seen (RFC 8446 §4.1.4): a second ClientHello and ServerHello follow. */
  let helloRetry = false;

  const { onEvent } = input;
  const keepData = input.keepData ?? true;
  const emit = (ep: string, draft: TraceDraft) => {
    const event: TraceEvent = { t: t++, ep, ...draft };
    if (onEvent) onEvent(event);
    else events.push(event);
  };
  const secretOf = (label: KeyLogLabel): Uint8Array => {
    if (!clientRandom)
      throw new DecodeError(
        'no ClientHello seen: the capture does not start at the beginning of the connection',
      );
    const s = keyLogSecret(input.keylog, clientRandom, label);
    if (!s)
      throw new DecodeError(`the key log has no ${label} for client random ${toHex(clientRandom)}`);
    return s;
  };

  /** Installs the next protected state for a direction (and traces it). */
  const install = (d: Dir, state: CryptoState, secret: Uint8Array | null, phase: Dir['phase']) => {
    d.state = state;
    d.secret = secret;
    d.epoch += 1;
    d.phase = phase;
    emit(d.receiver, {
      lane: 'cp',
      kind: 'key-install',
      epoch: d.epoch,
      key: keyFingerprint(state.key),
      seq: '0',
      note:
        phase === 'application'
          ? `${d.name} application traffic keys (kTLS would take over here)`
          : `${d.name} ${phase} keys`,
    });
  };

  const onHandshakeMessage = (d: Dir, type: number, body: Uint8Array) => {
    const name = HANDSHAKE_NAMES[type] ?? `handshake type ${type}`;
    const serverHello = type === HandshakeType.serverHello ? parseServerHello(body) : null;
    const counted =
      typeof serverHello === 'object' && serverHello?.helloRetryRequest
        ? 'HelloRetryRequest'
        : name;
    d.messages[counted] = (d.messages[counted] ?? 0) + 1;
    if (type === HandshakeType.clientHello && !clientRandom) {
      // After a HelloRetryRequest the second ClientHello keeps the first one's random (RFC 8446
      // §4.1.2), which is the one the key log names; the secrets come from the key log, so the
      // transcript (with its message_hash construct, §4.4.1) need not be rebuilt here.
      const ch = parseClientHello(body);
      if (typeof ch === 'string') throw new DecodeError(ch);
      clientRandom = ch.random;
    } else if (serverHello !== null) {
      const sh = serverHello;
      if (typeof sh === 'string') throw new DecodeError(sh);
      if (sh.helloRetryRequest) {
        helloRetry = true;
        return;
      }
      serverRandom = sh.random;
      version = sh.version === TLS_1_3 ? TLS_1_3 : TLS_1_2;
      const found = findSuite(sh.cipherSuite);
      suite = found && found.version === version ? found : null;
      if (!suite) {
        throw new DecodeError(
          unsupportedSuite(sh.cipherSuite, version === TLS_1_3 ? 'TLS 1.3' : 'TLS 1.2'),
        );
      }
      // From here the ciphertext limit of the negotiated version applies (RFC 8446 §5.2, RFC 5246
      // §6.2.3); plaintext records (CCS, TLS 1.2 handshake) still come, so no minimum here: a short
      // protected record is refused when it is opened.
      const limits = { ...rfcLimits(version === TLS_1_3 ? TLS_1_3 : TLS_1_2), minBody: 0 };
      for (const x of [dirs.c2s, dirs.s2c]) x.parser = withLimits(x.parser, limits);
      if (version === TLS_1_3) {
        // RFC 8446 §7.1: both directions switch to handshake traffic keys after ServerHello.
        const cs = secretOf('CLIENT_HANDSHAKE_TRAFFIC_SECRET');
        const ss = secretOf('SERVER_HANDSHAKE_TRAFFIC_SECRET');
        install(dirs.c2s, cryptoStateFromSecret(suite, cs), cs, 'handshake');
        install(dirs.s2c, cryptoStateFromSecret(suite, ss), ss, 'handshake');
      }
    } else if (
      type === HandshakeType.finished &&
      version === TLS_1_3 &&
      d.phase === 'handshake' &&
      suite
    ) {
      // Finished ends the direction's handshake flight: application traffic secret 0 from here.
      const s = secretOf(d.name === 'c2s' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0');
      install(d, cryptoStateFromSecret(suite, s), s, 'application');
    } else if (type === HandshakeType.finished && version === TLS_1_2) {
      d.phase = 'application';
    } else if (type === HandshakeType.keyUpdate && suite && d.secret) {
      // RFC 8446 §4.6.3/§7.2: the sender's next records use the next generation.
      d.keyUpdates++;
      const next = nextTrafficSecret(suite, d.secret);
      d.frozen = true;
      emit(d.receiver, {
        lane: 'dp-rx',
        kind: 'freeze',
        reason: 'key-update',
        epoch: d.epoch,
        note: 'linux-ktls: recvmsg → EKEYEXPIRED and no POLLIN until TLS_RX is set with the next key; kernels before 6.14 cannot re-key: every later record fails with EBADMSG',
      });
      install(d, cryptoStateFromSecret(suite, next), next, 'application');
    }
  };

  const tls12Keys = () => {
    if (!suite || !clientRandom || !serverRandom)
      throw new DecodeError('ChangeCipherSpec before ServerHello');
    const master = secretOf('CLIENT_RANDOM');
    const kb = tls12KeyBlock(suite, master, clientRandom, serverRandom);
    return {
      c2s: cryptoStateFromKeyIv(suite, kb.clientKey, kb.clientIv),
      s2c: cryptoStateFromKeyIv(suite, kb.serverKey, kb.serverIv),
    };
  };

  /** Processes every whole record available in a direction. */
  const drain = (d: Dir) => {
    for (;;) {
      if (d.stopped) return;
      // Until ServerHello is known only plaintext handshake records can be read: anything else
      // waits in the stream (a capture given as two whole streams has all of c2s first).
      const head = peekHeader(d.parser);
      if (head === null) return;
      // The exception is a plaintext ChangeCipherSpec: in TLS 1.3 middlebox compatibility mode
      // (RFC 8446 §D.4) the server sends one right after a HelloRetryRequest and the client one
      // before its second ClientHello, both before the version is known; they are skipped.
      if (
        version === 0 &&
        head[0] !== ContentType.handshake &&
        !(helloRetry && head[0] === ContentType.changeCipherSpec)
      )
        return;
      const taken = takeRecord(d.parser);
      if (taken.kind === 'need-more') return;
      if (taken.kind === 'error') {
        d.stopped = `${taken.error.errno} at stream offset ${taken.offset}: ${taken.error.message}`;
        emit(d.receiver, { lane: 'dp-rx', kind: 'error', error: taken.error });
        return;
      }
      d.parser = taken.state;
      const wire = recordBytes(taken.record);
      d.offset = taken.offset + wire.length;
      onRecord(d, taken.record.type, wire, taken.offset);
    }
  };

  const onRecord = (d: Dir, outerType: number, wire: Uint8Array, offset: number) => {
    const protectedRecord =
      d.state !== null && (version === TLS_1_3 ? outerType === ContentType.applicationData : d.ccs);
    let type = outerType;
    let content = wire.subarray(5);
    let seq = -1n;
    if (outerType === ContentType.changeCipherSpec) {
      // TLS 1.3 middlebox compatibility CCS is skipped; TLS 1.2's switches the direction's keys.
      count(d, 'change_cipher_spec');
      emit(d.receiver, {
        lane: 'cp',
        kind: 'control-recv',
        type,
        wire: wire.length,
        note: 'ChangeCipherSpec (userspace, before kTLS)',
      });
      if (version === TLS_1_2) {
        const keys = tls12Keys();
        install(d, keys[d.name], null, 'handshake');
        d.ccs = true;
      }
      return;
    }
    if (protectedRecord) {
      const state = d.state!;
      seq = state.recSeq;
      const result = openRecord(input.engine, state, wire);
      if (!result.ok) {
        const { error } = result;
        d.stopped = `${error.errno} at record seq ${seq} (stream offset ${offset}): ${error.message}`;
        emit(d.receiver, {
          lane: 'dp-rx',
          kind: 'error',
          seq: seq.toString(),
          epoch: d.epoch,
          error,
        });
        problems.push(`${d.name}: ${d.stopped}`);
        return;
      }
      const opened = result.value;
      d.state = opened.next;
      type = opened.contentType;
      content = opened.content;
    } else if (version === TLS_1_3 && outerType === ContentType.applicationData) {
      d.stopped = `application_data before any key at stream offset ${offset}: the capture does not start at the beginning of the connection`;
      problems.push(`${d.name}: ${d.stopped}`);
      return;
    }
    count(d, contentTypeName(type));
    const kernel = d.phase === 'application' && protectedRecord;
    const base = {
      seq: seq >= 0n ? seq.toString() : undefined,
      epoch: d.epoch,
      type,
      size: content.length,
      wire: wire.length,
    };
    if (d.frozen && kernel) {
      d.frozen = false;
      emit(d.receiver, { lane: 'dp-rx', kind: 'resume', reason: 'key-installed', epoch: d.epoch });
    }
    emit(d.receiver, {
      lane: 'dp-rx',
      kind: 'record-in',
      ...clean(base),
      header: toHex(wire.subarray(0, 5)),
    });
    if (type === ContentType.applicationData) {
      d.dataHash.update(content);
      d.dataBytes += content.length;
      if (keepData) d.data.push(content);
      emit(d.receiver, {
        lane: 'app-rx',
        kind: 'deliver-data',
        ...clean(base),
        preview: toHex(content.subarray(0, PREVIEW_BYTES)),
        ...(kernel ? {} : { note: 'before kTLS takes over' }),
      });
      return;
    }
    const names: string[] = [];
    if (type === ContentType.handshake) {
      d.handshake = concat([d.handshake, content]);
      const { messages, rest } = splitHandshake(d.handshake);
      d.handshake = Uint8Array.from(rest);
      for (const m of messages) names.push(HANDSHAKE_NAMES[m.type] ?? `type ${m.type}`);
      emit(d.receiver, {
        lane: 'cp',
        kind: kernel ? 'deliver-control' : 'control-recv',
        ...clean(base),
        note: `${names.join(', ') || 'handshake fragment'}${kernel ? ': handed to userspace alone (cmsg TLS_GET_RECORD_TYPE = 22)' : ' (userspace handshake)'}`,
      });
      for (const m of messages) onHandshakeMessage(d, m.type, m.body);
      return;
    }
    if (type === ContentType.alert) {
      const desc = content[1] ?? -1;
      d.alerts.push(
        desc === AlertDescription.close_notify
          ? 'close_notify'
          : `alert ${desc} (level ${content[0]})`,
      );
      emit(d.receiver, {
        lane: 'cp',
        kind: kernel ? 'deliver-control' : 'control-recv',
        ...clean(base),
        note: desc === AlertDescription.close_notify ? 'close_notify' : `alert ${desc}`,
      });
      if (desc === AlertDescription.close_notify)
        emit(d.receiver, { lane: 'dp-rx', kind: 'eof', reason: 'close_notify' });
      return;
    }
    emit(d.receiver, {
      lane: 'cp',
      kind: kernel ? 'deliver-control' : 'control-recv',
      ...clean(base),
      note: contentTypeName(type),
    });
  };

  const count = (d: Dir, name: string) => {
    d.records[name] = (d.records[name] ?? 0) + 1;
  };

  let fatal: string | null = null;
  for (const chunk of input.chunks) {
    const d = dirs[chunk.dir];
    if (fatal || d.stopped) continue;
    d.bytes += chunk.bytes.length;
    d.parser = feed(d.parser, chunk.bytes);
    try {
      drain(d);
      if (chunk.dir === 's2c') drain(dirs.c2s);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      fatal = e.message;
      problems.push(e.message);
      emit(d.receiver, {
        lane: 'cp',
        kind: 'error',
        error: recordError('invalid_argument', e.message),
      });
    }
  }
  for (const d of [dirs.c2s, dirs.s2c]) {
    // After a fatal problem the bytes left are undecoded, not truncated: one problem, not three.
    if (fatal && !d.stopped && d.parser.buffered > 0) {
      d.stopped = `not decoded past stream offset ${d.offset}: ${fatal}`;
    } else if (!d.stopped && d.parser.buffered > 0) {
      d.stopped = `truncated: ${d.parser.buffered} bytes of an incomplete record at stream offset ${d.offset}`;
      problems.push(`${d.name}: ${d.stopped}`);
    }
  }
  if (!clientRandom && !fatal)
    problems.push('no ClientHello: the capture does not start at the beginning of the connection');

  const summarize = (d: Dir): DirectionSummary => {
    return {
      records: d.records,
      handshakeMessages: d.messages,
      epochs: d.epoch,
      keyUpdates: d.keyUpdates,
      applicationBytes: d.dataBytes,
      applicationSha256: toHex(d.dataHash.digest()),
      alerts: d.alerts,
      stopped: d.stopped,
      bytes: d.bytes,
    };
  };
  const chosen = suite as CipherSuite | null;
  return {
    header: {
      format: 'ktls-lab-trace',
      version: 1,
      world: 'capture',
      design: 'linux-ktls',
      engine: input.engine.name,
      endpoints: ['client', 'server'],
      ...(chosen ? { suite: chosen.name } : {}),
    },
    events,
    summary: {
      version: version === TLS_1_3 ? 'TLS 1.3' : version === TLS_1_2 ? 'TLS 1.2' : 'unknown',
      suite: chosen?.name ?? null,
      clientRandom: clientRandom ? toHex(clientRandom) : null,
      c2s: summarize(dirs.c2s),
      s2c: summarize(dirs.s2c),
      problems,
    },
    data: { c2s: concat(dirs.c2s.data), s2c: concat(dirs.s2c.data) },
  };
}

function clean<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}
