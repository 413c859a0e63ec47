import type { TraceDraftOf } from './traceEvent.js';

/**
 * The one trace format every driver writes (simulator, kernel adapter, decoder of captures):
 * NDJSON, a header line then one event per line. Keys never appear; only fingerprints do.
 */
export const TRACE_FORMAT = 'ktls-lab-trace';
export const TRACE_VERSION = 1;

export {
  DISCARD_REASONS,
  type DiscardReason,
  EOF_REASONS,
  type EofReason,
  FREEZE_REASONS,
  type FreezeReason,
  LANES,
  type Lane,
  PUNT_REASONS,
  type PuntReason,
  RESUME_REASONS,
  type ResumeReason,
  TRACE_EVENT_SPECS,
  TRACE_FIELDS,
  TRACE_KINDS,
  type TraceDraft,
  type TraceDraftOf,
  type TraceEvent,
  type TraceEventOf,
  type TraceField,
  type TraceFields,
  type TraceKind,
  type TraceKindSpec,
  type TraceViolation,
  optionalFieldsOf,
  traceKindSpec,
} from './traceEvent.js';

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

/** A header from the fields that vary; format and version are this reader's and writer's. */
export function createTraceHeader(fields: Omit<TraceHeader, 'format' | 'version'>): TraceHeader {
  return { format: TRACE_FORMAT, version: TRACE_VERSION, ...fields };
}

/** "Get the state out" (rfc-2015, getsockopt): what both directions trace. */
export function stateExportEvent(seq: bigint, epoch: number): TraceDraftOf<'state-export'> {
  return { lane: 'cp', kind: 'state-export', seq: seq.toString(), epoch };
}

/** "Reset it": userspace put a state back; what both directions trace. */
export function stateImportEvent(
  seq: bigint,
  epoch: number,
  fingerprint: string,
): TraceDraftOf<'state-import'> {
  return { lane: 'cp', kind: 'state-import', seq: seq.toString(), epoch, key: fingerprint };
}

/** The control plane installed a key (TLS_TX or TLS_RX): what both directions trace. */
export function keyInstallEvent(
  epoch: number,
  fingerprint: string,
  seq: bigint,
): TraceDraftOf<'key-install'> {
  return { lane: 'cp', kind: 'key-install', epoch, key: fingerprint, seq: seq.toString() };
}
