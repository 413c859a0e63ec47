import type { AeadKey, OpenRequest } from './aead.js';
import type { WireRecord } from './codec.js';
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
import {
  createParser,
  feed,
  kernelLimits,
  type ParserState,
  plaintextLimits,
  rfcLimits,
  withLimits,
} from './parser.js';
import type { ContentTypeByte, TlsVersion } from './protocol.js';
import type { CipherSuite } from './suites.js';
import { keyInstallEvent, stateExportEvent, stateImportEvent, type TraceDraft } from './trace.js';

import { isLive, onCryptoDone, pump } from './rxRecords.js';
/**
 * The receive side of the data plane as a pure transition: `rxStep(state, input)` returns the next
 * state and the effects to carry out (crypto requests, deliveries, hand-overs, trace events). It
 * never reads a socket, a clock or a random source, and never throws for any input.
 */

export interface RxConfig {
  readonly design: Design;
  /** What the data plane can decrypt itself; install-key for anything else fails with EINVAL. */
  readonly profile: CapabilityProfile;
  /**
   * Most decryptions in flight at once. 1 is synchronous; the kernel goes async only for TLS 1.2
   * data records on an AEAD with CRYPTO_ALG_ASYNC (docs/kernel-tls.md §6).
   */
  readonly asyncDepth: number;
  /** Which length limits the framer enforces: the kernel's strparser or RFC 8446 §5. */
  readonly limits: 'kernel' | 'rfc';
  /** Emit trace effects (off for the plain driver's fast path). */
  readonly trace: boolean;
}

type RxKey = DirectionKey;

/** A decryption the data plane asked for and has not delivered yet, in stream order. */
export interface PendingOpen {
  readonly id: number;
  readonly seq: bigint;
  readonly epoch: number;
  readonly outerType: ContentTypeByte;
  readonly offset: number;
  readonly wire: number;
  readonly sync: boolean;
  /** TLS 1.2 control record that skips the in-order queue (only a mutant does this). */
  readonly bypass: boolean;
  readonly record: WireRecord;
  readonly done: boolean;
  readonly plaintext: Uint8Array | null;
}

export type RxPhase =
  | { readonly tag: 'keyless' }
  /** A key is installed and records are decrypted as they come. */
  | { readonly tag: 'running' }
  /** TLS 1.3 KeyUpdate read; nothing is decrypted until the next key is installed. */
  | { readonly tag: 'frozen'; readonly reason: 'key-update'; readonly seq: bigint }
  /** rfc-2015: a control record is left on the stream for userspace. */
  | {
      readonly tag: 'held';
      readonly record: WireRecord;
      readonly offset: number;
      readonly seq: bigint;
    }
  /** Fallback: userspace runs the record layer (cipher not offloadable); records are punted raw. */
  | { readonly tag: 'fallback' }
  | { readonly tag: 'eof' }
  | { readonly tag: 'closed'; readonly reason: string }
  | { readonly tag: 'failed'; readonly error: RecordError };

export interface RxState {
  readonly config: RxConfig;
  readonly phase: RxPhase;
  readonly parser: ParserState;
  readonly key: RxKey | null;
  /** Sequence number of the next record to decrypt. */
  readonly seq: bigint;
  /** Key epoch: 0 before any key, +1 at every install. */
  readonly epoch: number;
  readonly inFlight: readonly PendingOpen[];
  readonly nextId: number;
}

export type RxInput =
  /** Bytes arrived from the TCP stream (any chunking). */
  | { readonly type: 'bytes'; readonly data: Uint8Array }
  /** A decryption finished: plaintext, or `null` when authentication failed. */
  | { readonly type: 'crypto-done'; readonly id: number; readonly output: Uint8Array | null }
  /** The control plane installs the RX key (`setsockopt(SOL_TLS, TLS_RX)`), first or next. */
  | { readonly type: 'install-key'; readonly state: CryptoState; readonly key: AeadKey }
  /** Fallback: the control plane takes over record processing (TLS_RX was refused). */
  | { readonly type: 'fallback'; readonly version: TlsVersion }
  /** "Get the state out" (`getsockopt(SOL_TLS, TLS_RX)`). */
  | { readonly type: 'export-state' }
  /** "Reset it": put the state back; consumes a record held for userspace. */
  | { readonly type: 'import-state'; readonly state: CryptoState; readonly key: AeadKey }
  | { readonly type: 'close' };

export type RxEffect =
  /** Decrypt the record that starts at stream `offset` (as record number `seq`). */
  | {
      readonly type: 'open';
      readonly id: number;
      readonly seq: bigint;
      readonly offset: number;
      readonly request: OpenRequest;
    }
  /** Application data, in stream order (may be empty: a zero-length record). */
  | {
      readonly type: 'deliver';
      /** Stream offset of the record it came from. */
      readonly offset: number;
      readonly seq: bigint;
      readonly epoch: number;
      readonly data: Uint8Array;
    }
  /** A decrypted non-data record for the control plane, alone. */
  | {
      readonly type: 'control';
      readonly offset: number;
      readonly seq: bigint;
      readonly epoch: number;
      readonly contentType: ContentTypeByte;
      readonly body: Uint8Array;
    }
  /** A raw record punted to userspace (rfc-2015 hold, or every record after a fallback). */
  | {
      readonly type: 'punt';
      readonly reason: 'control-record' | 'userspace-record-layer';
      readonly offset: number;
      readonly record: Uint8Array;
    }
  | { readonly type: 'state'; readonly state: CryptoState }
  | { readonly type: 'error'; readonly error: RecordError }
  | { readonly type: 'trace'; readonly event: TraceDraft };

export function createRx(config: RxConfig): RxState {
  return {
    config,
    phase: { tag: 'keyless' },
    // Before TLS_RX the stream is plain TCP: bytes queue up unparsed, as in the kernel's receive
    // queue, and are framed once a key arrives (selftest `prequeue`).
    parser: createParser(plaintextLimits()),
    key: null,
    seq: 0n,
    epoch: 0,
    inFlight: [],
    nextId: 1,
  };
}

/** An RX state open for `rxApply` to step in place (machine.ts: for a driver that owns it alone). */
export type RxDraft = MachineDraft<RxState>;
type Draft = RxDraft;

/** One handler per input: a table, so an input added to `RxInput` without one does not compile. */
const ON_INPUT: { readonly [T in RxInput['type']]: Handler<Extract<RxInput, { type: T }>> } = {
  bytes: (d, fx, i) => onBytes(d, fx, i.data),
  'crypto-done': (d, fx, i) => onCryptoDone(d, fx, i.id, i.output),
  'install-key': (d, fx, i) => onInstallKey(d, fx, i.state, i.key),
  fallback: (d, fx, i) => onFallback(d, fx, i.version),
  'export-state': (d, fx) => onExport(d, fx),
  'import-state': (d, fx, i) => onImport(d, fx, i.state, i.key),
  close: (d, fx) => onClose(d, fx),
};
type Handler<I> = (d: Draft, fx: RxEffect[], input: I) => void;

/** The RX transition, in place on a draft (machine.ts: `rxStep` is this on a copy). */
export function rxApply(d: RxDraft, input: RxInput, fx: RxEffect[]): void {
  const handle = ON_INPUT[input.type] as Handler<RxInput> | undefined;
  if (handle === undefined) assertNever(input as never, 'RX input');
  handle(d, fx, input);
  pump(d, fx);
}

function onClose(d: Draft, fx: RxEffect[]): void {
  if (isLive(d.phase)) {
    d.phase = { tag: 'closed', reason: 'shutdown' };
    if (d.config.trace) trace(fx, { lane: 'dp-rx', kind: 'note', note: 'rx shut down' });
  }
}

function onBytes(d: Draft, fx: RxEffect[], data: Uint8Array): void {
  if (!isLive(d.phase)) {
    // RFC 8446 §6.1: data after a closure alert MUST be ignored; after a fatal error nothing is read.
    if (data.length > 0)
      if (d.config.trace)
        trace(fx, {
          lane: 'dp-rx',
          kind: 'discard',
          size: data.length,
          reason: d.phase.tag,
        });
    return;
  }
  if (data.length > 0) d.parser = feed(d.parser, data);
}

function limitsFor(d: Draft, suite: CipherSuite) {
  return d.config.limits === 'kernel' ? kernelLimits(suite) : rfcLimits(suite.version);
}

function onInstallKey(d: Draft, fx: RxEffect[], crypto: CryptoState, aead: AeadKey): void {
  const { design, profile } = d.config;
  const suite = crypto.suite;
  const phase = d.phase;
  // After a fallback the data plane holds no key of its own: TLS_RX may be tried afresh.
  const refused = checkKeyInstall(
    'TLS_RX',
    profile,
    design.rx.rekey,
    phase.tag === 'fallback' ? null : (d.key?.crypto ?? null),
    crypto,
  );
  if (refused) {
    fx.push({ type: 'error', error: refused });
    return;
  }
  if (!isLive(phase) || phase.tag === 'held') {
    fx.push({
      type: 'error',
      error: recordError('invalid_argument', `cannot install a key while ${phase.tag}`),
    });
    return;
  }
  const rekey = d.key !== null;
  d.epoch += 1;
  d.key = { crypto, aead, epoch: d.epoch };
  if (!rekey || design.rx.rekeyResetsSequence) d.seq = crypto.recSeq;
  if (!rekey) d.parser = withLimits(d.parser, limitsFor(d, suite));
  if (d.config.trace) trace(fx, keyInstallEvent(d.epoch, aead.fingerprint, d.seq));
  if (phase.tag === 'frozen' || phase.tag === 'keyless') {
    if (phase.tag === 'frozen')
      if (d.config.trace)
        trace(fx, {
          lane: 'dp-rx',
          kind: 'resume',
          reason: 'key-installed',
          epoch: d.epoch,
        });
    d.phase = { tag: 'running' };
  }
}

function onFallback(d: Draft, fx: RxEffect[], version: TlsVersion): void {
  if (d.phase.tag !== 'keyless') {
    fx.push({
      type: 'error',
      error: recordError('invalid_argument', `cannot fall back to userspace while ${d.phase.tag}`),
    });
    return;
  }
  if (!d.config.design.rx.fallbackKeepsBufferedBytes && d.parser.buffered > 0) {
    if (d.config.trace)
      trace(fx, {
        lane: 'dp-rx',
        kind: 'discard',
        size: d.parser.buffered,
        reason: 'punt',
      });
    d.parser = createParser(rfcLimits(version));
  } else {
    d.parser = withLimits(d.parser, rfcLimits(version));
  }
  d.phase = { tag: 'fallback' };
  if (d.config.trace) trace(fx, { lane: 'dp-rx', kind: 'punt', reason: 'userspace-record-layer' });
}

function exported(d: Draft): CryptoState | null {
  if (d.key === null) return null;
  const seq = d.phase.tag === 'held' ? d.phase.seq : d.seq;
  return { ...d.key.crypto, recSeq: seq };
}

function onExport(d: Draft, fx: RxEffect[]): void {
  const state = exported(d);
  if (state === null) {
    // getsockopt on an unconfigured direction → EBUSY (do_tls_getsockopt_conf).
    fx.push({ type: 'error', error: recordError('not_configured', 'TLS_RX is not set') });
    return;
  }
  fx.push({ type: 'state', state });
  if (d.config.trace) trace(fx, stateExportEvent(state.recSeq, d.epoch));
}

function onImport(d: Draft, fx: RxEffect[], crypto: CryptoState, aead: AeadKey): void {
  const phase = d.phase;
  if (d.key === null || !isLive(phase) || phase.tag === 'fallback') {
    fx.push({
      type: 'error',
      error: recordError('invalid_argument', `cannot import state while ${phase.tag}`),
    });
    return;
  }
  // Exported at `exported(d).recSeq` (a held record's, or the next one's): no going back.
  const mismatch = checkStateImport(d.key.crypto, crypto, exported(d)!.recSeq);
  if (mismatch) {
    fx.push({ type: 'error', error: mismatch });
    return;
  }
  d.epoch = epochAfterImport(d.key, aead, d.epoch);
  d.key = { crypto, aead, epoch: d.epoch };
  d.seq = crypto.recSeq;
  if (d.config.trace) trace(fx, stateImportEvent(d.seq, d.epoch, aead.fingerprint));
  if (phase.tag === 'held' || phase.tag === 'frozen') {
    // The control plane read the held record itself; it is consumed from the stream now.
    if (d.config.trace)
      trace(fx, {
        lane: 'dp-rx',
        kind: 'resume',
        reason: 'state-imported',
        epoch: d.epoch,
      });
    d.phase = { tag: 'running' };
  }
}

/** What a reader would see now: nothing more can come without new input when this is not null. */
export function rxBlockedReason(state: RxState): RecordError | null {
  const phase = state.phase;
  switch (phase.tag) {
    case 'frozen':
      return recordError('key_expired', 'KeyUpdate received; install the next RX key');
    case 'failed':
      return phase.error;
    case 'keyless':
    case 'running':
    case 'held':
    case 'fallback':
    case 'eof':
    case 'closed':
      return null;
    default:
      return assertNever(phase, 'RX phase');
  }
}

/** The pure RX transition: `rxStep(state, input) -> [next, effects]`; `state` is not changed. */
export const rxStep: (state: RxState, input: RxInput) => readonly [RxState, readonly RxEffect[]] =
  pureStep(rxApply);
