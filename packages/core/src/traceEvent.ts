import type { RecordError } from './errors.js';

/**
 * The trace event vocabulary as one table: for every kind, the lanes it is drawn on, the fields it
 * must carry, the fields it may carry, and (where it has one) the closed set of reasons. The
 * `TraceEvent` type, the valibot schema (traceSchema.ts), the hot-loop check (traceCheck.ts) and
 * the glossary (docs/glossary.md) all read this table, so an event of one kind cannot carry
 * another kind's fields and a new reason is one line here.
 *
 * The kind names are the wire vocabulary of trace format version 1 and stay as they are (traces
 * written since 0.1 keep loading byte for byte): `record-open` is "a pending MSG_MORE record holds
 * bytes", not an AEAD open; the AEAD open is `open-request` / `open-done`.
 */

/** Swimlanes, one set per endpoint, in the order the inspector draws them. */
export const LANES = ['app-tx', 'dp-tx', 'wire', 'dp-rx', 'cp', 'app-rx'] as const;
export type Lane = (typeof LANES)[number];

/** An invariant violation as it appears in a trace. */
export interface TraceViolation {
  readonly invariant: number;
  readonly name: string;
  readonly message: string;
}

/**
 * Every field an event may carry besides `t`, `ep`, `lane` and `kind`, with its type. `seq` is a
 * decimal string because a 64-bit sequence number does not fit a JSON number (selftest
 * `recseq_wrap` starts at 2^64 - 1).
 */
export interface TraceFields {
  readonly seq: string;
  /** Key epoch: 0 before any key, +1 at every install (and at an import of a new key). */
  readonly epoch: number;
  /** Content type (the inner type for TLS 1.3 once known). */
  readonly type: number;
  /** Plaintext bytes. */
  readonly size: number;
  /** Bytes on the wire (record header included). */
  readonly wire: number;
  /** Crypto request id, pairing request and completion. */
  readonly req: number;
  /** Why: one of the kind's closed set of reasons. */
  readonly reason: string;
  /** Key fingerprint (never the key). */
  readonly key: string;
  readonly nonce: string;
  readonly aad: string;
  /** Hex of the record header, or of the first bytes of a segment. */
  readonly header: string;
  /** Hex of up to the first 64 plaintext bytes, for the inspector's detail panel. */
  readonly preview: string;
  readonly error: RecordError;
  readonly violation: TraceViolation;
  /** Free text for a person reading the trace; every kind may carry one. */
  readonly note: string;
}
export type TraceField = keyof TraceFields;

/** Every optional field, in the order a writer emits them (the order of `TraceFields`). */
export const TRACE_FIELDS = [
  'seq',
  'epoch',
  'type',
  'size',
  'wire',
  'req',
  'reason',
  'key',
  'nonce',
  'aad',
  'header',
  'preview',
  'error',
  'violation',
  'note',
] as const satisfies readonly TraceField[];

/** Reasons, each a closed set (why a freeze, a resume, a punt, a discard, an end of stream). */
export const FREEZE_REASONS = [
  // TLS 1.3 KeyUpdate read: RX decrypts nothing until the next key (kernel ≥ 6.14: EKEYEXPIRED).
  'key-update',
  // rfc-2015: a control record is left on the stream for userspace.
  'control-record',
  // rfc-2015: userspace holds the TX state; the data plane sends nothing.
  'state-exported',
  // an upper-layer framer (RDS/KCM) waits at a control record with the stream.
  'upper-layer-at-control-record',
] as const;
export const RESUME_REASONS = ['key-installed', 'state-imported', 'control-plane-done'] as const;
export const PUNT_REASONS = [
  // rfc-2015: the held control record, raw, for userspace to read.
  'control-record',
  // TLS_RX was refused: userspace runs the record layer and gets every record raw.
  'userspace-record-layer',
] as const;
export const DISCARD_REASONS = [
  // bytes arriving after RX ended, named by the phase that ended it
  'failed',
  'eof',
  'closed',
  // bytes buffered before a punt, dropped (only a mutant does this)
  'punt',
  // decryptions in flight when a fatal error stopped RX
  'after-error',
] as const;
export const EOF_REASONS = [
  'close_notify',
  // a fatal alert ended the stream (RFC 8446 §6.2)
  'fatal-alert',
  // TCP FIN without close_notify: a truncation (RFC 8446 §6.1)
  'tcp-fin',
] as const;
export type FreezeReason = (typeof FREEZE_REASONS)[number];
export type ResumeReason = (typeof RESUME_REASONS)[number];
export type PuntReason = (typeof PUNT_REASONS)[number];
export type DiscardReason = (typeof DISCARD_REASONS)[number];
export type EofReason = (typeof EOF_REASONS)[number];

interface KindSpec {
  /** The lanes it may be drawn on (`null`: any lane). */
  readonly lanes: readonly Lane[] | null;
  readonly required: readonly TraceField[];
  /** Besides `note`, which every kind may carry. */
  readonly optional: readonly TraceField[];
  /** The closed set `reason` takes, when the kind has a reason. */
  readonly reasons?: readonly string[];
}

const RX_LANES = ['dp-rx', 'app-rx', 'dp-tx'] as const;

export const TRACE_EVENT_SPECS = {
  // app and data plane, transmit side
  /** The app handed bytes to the data plane (`reason`: MSG_MORE). */
  'app-send': {
    lanes: ['app-tx'],
    required: ['size'],
    optional: ['reason'],
    reasons: ['MSG_MORE'],
  },
  /** A pending data record holds `size` bytes, kept open by MSG_MORE. */
  'record-open': { lanes: ['dp-tx'], required: ['size', 'seq'], optional: [] },
  /** A seal was asked of the AEAD engine. */
  'seal-request': {
    lanes: ['dp-tx'],
    required: ['req', 'seq', 'epoch', 'type', 'size', 'key', 'nonce', 'aad', 'header', 'preview'],
    optional: [],
  },
  'seal-done': { lanes: ['dp-tx'], required: ['req', 'seq', 'epoch'], optional: [] },
  /** A sealed record went onto the wire. */
  'record-out': {
    lanes: ['wire'],
    required: ['type', 'wire'],
    optional: ['seq', 'epoch', 'size', 'header'],
  },
  // wire
  /** A TCP segment of the byte stream (simulator only). */
  segment: { lanes: ['wire'], required: ['size', 'header'], optional: [] },
  // data plane, receive side
  /** A whole record was framed from the stream. */
  'record-in': {
    lanes: ['dp-rx'],
    required: ['type', 'wire', 'header'],
    optional: ['seq', 'epoch', 'size'],
  },
  /** An AEAD open was asked of the engine. */
  'open-request': {
    lanes: ['dp-rx'],
    required: ['req', 'seq', 'epoch', 'key', 'nonce', 'aad'],
    optional: [],
  },
  /** An AEAD open completed: `size` of the plaintext, or `reason` auth-failed. */
  'open-done': {
    lanes: ['dp-rx'],
    required: ['req', 'seq', 'epoch'],
    optional: ['size', 'reason'],
    reasons: ['auth-failed'],
  },
  /** Plaintext handed to the app (or upper layer). */
  'deliver-data': {
    lanes: ['app-rx'],
    required: ['size'],
    optional: ['seq', 'epoch', 'type', 'wire', 'preview'],
  },
  /** A non-data record handed to the control plane. */
  'deliver-control': {
    lanes: ['cp'],
    required: ['type', 'size'],
    optional: ['seq', 'epoch', 'wire', 'preview'],
  },
  /** A raw record handed to userspace. */
  punt: {
    lanes: ['dp-rx', 'cp'],
    required: ['reason'],
    optional: ['seq', 'type', 'wire'],
    reasons: PUNT_REASONS,
  },
  freeze: {
    lanes: RX_LANES,
    required: ['reason'],
    optional: ['seq', 'epoch'],
    reasons: FREEZE_REASONS,
  },
  resume: { lanes: RX_LANES, required: ['reason'], optional: ['epoch'], reasons: RESUME_REASONS },
  /** RX delivers nothing more. */
  eof: { lanes: ['dp-rx'], required: ['reason'], optional: [], reasons: EOF_REASONS },
  /** Bytes the data plane dropped on purpose. */
  discard: {
    lanes: ['dp-rx'],
    required: ['reason'],
    optional: ['seq', 'size', 'req'],
    reasons: DISCARD_REASONS,
  },
  // control plane
  /** A key was installed (TLS_TX or TLS_RX). */
  'key-install': { lanes: ['cp'], required: ['epoch', 'key'], optional: ['seq'] },
  /** "Get the state out" (rfc-2015, getsockopt). */
  'state-export': { lanes: ['cp'], required: ['seq', 'epoch'], optional: [] },
  /** "Reset it": userspace put a state back. */
  'state-import': { lanes: ['cp'], required: ['seq', 'epoch', 'key'], optional: [] },
  /** The control plane sent a record of its own (`reason` userspace-seal: sealed by userspace). */
  'control-send': {
    lanes: ['cp'],
    required: ['type', 'size'],
    optional: ['seq', 'reason'],
    reasons: ['userspace-seal'],
  },
  /** A record the userspace TLS library read itself (before the hand-off to the data plane). */
  'control-recv': {
    lanes: ['cp'],
    required: ['type'],
    optional: ['seq', 'epoch', 'size', 'wire'],
  },
  // outcomes
  error: { lanes: null, required: ['error'], optional: ['seq', 'epoch'] },
  violation: { lanes: null, required: ['violation'], optional: [] },
  note: { lanes: null, required: ['note'], optional: ['seq'] },
} as const satisfies { readonly [kind: string]: KindSpec };

export type TraceKind = keyof typeof TRACE_EVENT_SPECS;
/** Every kind, in the order of the table. */
export const TRACE_KINDS = Object.keys(TRACE_EVENT_SPECS) as readonly TraceKind[];

type Spec<K extends TraceKind> = (typeof TRACE_EVENT_SPECS)[K];
type LaneOf<K extends TraceKind> = Spec<K>['lanes'] extends readonly (infer L)[] ? L : Lane;
type ReasonOf<K extends TraceKind> =
  Spec<K> extends { readonly reasons: readonly (infer R)[] } ? R : never;
type RequiredOf<K extends TraceKind> = Spec<K>['required'][number];
type OptionalOf<K extends TraceKind> = Spec<K>['optional'][number] | 'note';
type FieldOf<K extends TraceKind, F extends TraceField> = F extends 'reason'
  ? ReasonOf<K>
  : TraceFields[F];
type Flat<T> = { [P in keyof T]: T[P] } & {};

/** What a state machine emits for one kind: the driver adds the time and the endpoint. */
export type TraceDraftOf<K extends TraceKind> = Flat<
  { readonly lane: LaneOf<K>; readonly kind: K } & {
    readonly [F in RequiredOf<K>]: FieldOf<K, F>;
  } & { readonly [F in OptionalOf<K>]?: FieldOf<K, F> } & {
    readonly [F in Exclude<TraceField, RequiredOf<K> | OptionalOf<K>>]?: never;
  }
>;

/** One event of a kind. Fields that do not belong to the kind are typed `never`. */
export type TraceEventOf<K extends TraceKind> = Flat<
  {
    /** Logical time: the driver's step counter, never a clock. */
    readonly t: number;
    /** Endpoint name ("client", "server", ...). */
    readonly ep: string;
  } & TraceDraftOf<K>
>;

export type TraceEvent = { readonly [K in TraceKind]: TraceEventOf<K> }[TraceKind];
export type TraceDraft = { readonly [K in TraceKind]: TraceDraftOf<K> }[TraceKind];

/** The spec of one kind, as data (for checks and tools). */
export function traceKindSpec(kind: TraceKind): KindSpec {
  return TRACE_EVENT_SPECS[kind];
}

/** The fields a kind may carry but need not: its optional ones and `note` (unless required). */
export function optionalFieldsOf(spec: KindSpec): readonly TraceField[] {
  return spec.required.includes('note') ? spec.optional : [...spec.optional, 'note'];
}
export type { KindSpec as TraceKindSpec };
