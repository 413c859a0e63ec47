import type { RecordError } from './errors.js';

/**
 * The one trace format every driver writes (simulator, kernel adapter, decoder of captures):
 * NDJSON, a header line then one event per line. Keys never appear; only fingerprints do.
 */
export const TRACE_FORMAT = 'ktls-lab-trace';
export const TRACE_VERSION = 1;

/** Swimlanes, one set per endpoint, in the order the inspector draws them. */
export const LANES = ['app-tx', 'dp-tx', 'wire', 'dp-rx', 'cp', 'app-rx'] as const;
export type Lane = (typeof LANES)[number];

export const TRACE_KINDS = [
  // app and data plane, transmit side
  'app-send', // app handed bytes to the data plane
  'record-open', // a data record is being accumulated (MSG_MORE)
  'seal-request', // crypto request issued
  'seal-done', // crypto request completed
  'record-out', // a sealed record went onto the wire
  // wire
  'segment', // a TCP segment of the byte stream (sim only)
  // data plane, receive side
  'record-in', // a whole record was framed from the stream
  'open-request',
  'open-done',
  'deliver-data', // plaintext handed to the app (or upper layer)
  'deliver-control', // a non-data record handed to the control plane
  'punt', // record left for userspace (rfc-2015 design, or a cipher the data plane cannot run)
  'freeze',
  'resume',
  'eof', // close_notify seen; RX delivers nothing more
  'discard', // bytes the data plane dropped on purpose, with the reason
  // control plane
  'key-install',
  'state-export',
  'state-import',
  'control-send',
  'control-recv',
  // outcomes
  'error',
  'violation',
  'note',
] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

/** An invariant violation as it appears in a trace. */
export interface TraceViolation {
  readonly invariant: number;
  readonly name: string;
  readonly message: string;
}

/**
 * One event. `seq` is a decimal string because a 64-bit sequence number does not fit a JSON
 * number (the `recseq_wrap` case starts at 2^64 - 1).
 */
export interface TraceEvent {
  /** Logical time: the driver's step counter, never a clock. */
  readonly t: number;
  /** Endpoint name ("client", "server", ...). */
  readonly ep: string;
  readonly lane: Lane;
  readonly kind: TraceKind;
  readonly seq?: string;
  readonly epoch?: number;
  /** Content type (inner type for TLS 1.3 once known). */
  readonly type?: number;
  /** Plaintext bytes. */
  readonly size?: number;
  /** Bytes on the wire (record header included). */
  readonly wire?: number;
  /** Crypto request id, pairing request and completion. */
  readonly req?: number;
  /** Freeze / resume / punt / discard reason. */
  readonly reason?: string;
  /** Key fingerprint (never the key). */
  readonly key?: string;
  readonly nonce?: string;
  readonly aad?: string;
  /** Hex of the record header, or of the first bytes of a segment. */
  readonly header?: string;
  /** Hex of up to the first 64 plaintext bytes, for the inspector's detail panel. */
  readonly preview?: string;
  readonly error?: RecordError;
  readonly violation?: TraceViolation;
  readonly note?: string;
}

/** What a state machine emits: the driver adds the time and the endpoint. */
export type TraceDraft = Omit<TraceEvent, 't' | 'ep'>;

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  /** Which world produced it: the simulator, a real kernel, the plain core driver, a decoded capture. */
  readonly world: 'sim' | 'kernel' | 'core' | 'capture';
  readonly design: string;
  readonly scenario?: string;
  readonly seed?: string;
  /** Versioned repro string that reproduces this trace byte for byte. */
  readonly repro?: string;
  /** AEAD engine in use, and the kernel release for kernel runs. */
  readonly engine: string;
  readonly kernel?: string;
  readonly endpoints: readonly string[];
  readonly suite?: string;
}

export const PREVIEW_BYTES = 64;

/** "Get the state out" (rfc-2015, getsockopt): what both directions trace. */
export function stateExportEvent(seq: bigint, epoch: number): TraceDraft {
  return { lane: 'cp', kind: 'state-export', seq: seq.toString(), epoch };
}

/** "Reset it": userspace put a state back; what both directions trace. */
export function stateImportEvent(seq: bigint, epoch: number, fingerprint: string): TraceDraft {
  return { lane: 'cp', kind: 'state-import', seq: seq.toString(), epoch, key: fingerprint };
}

/** The control plane installed a key (TLS_TX or TLS_RX): what both directions trace. */
export function keyInstallEvent(epoch: number, fingerprint: string, seq: bigint): TraceDraft {
  return { lane: 'cp', kind: 'key-install', epoch, key: fingerprint, seq: seq.toString() };
}
