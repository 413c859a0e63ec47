import {
  type RecordErrorCode,
  recordError,
  type TraceDraft,
  type TraceEvent,
  type TraceHeader,
  TraceWriter,
} from '@ktls-lab/core';
import type { Scenario } from '@ktls-lab/sim';
import type { EndpointObservation, KernelRunResult, Side, Wire } from './types.js';

/** The trace events of a run, in the order they happened (`t` counts them). */
export interface Recorder {
  events: TraceEvent[];
  t: number;
}

export function ev(r: Recorder, ep: Side, draft: TraceDraft): void {
  r.events.push({ t: r.t++, ep, ...draft });
}

/** The errno a kernel socket gives, as core's error catalog names it (docs/kernel-tls.md §5.4, §7). */
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

/** An `error` event for an errno core knows, else a note. */
export function errorEvent(
  r: Recorder,
  ep: Side,
  lane: 'dp-rx' | 'cp',
  errno: string,
  what: string,
): void {
  const code = ERRNO_CODE[errno];
  if (code === undefined) {
    ev(r, ep, { lane, kind: 'note', note: `${what}: ${errno}` });
    return;
  }
  ev(r, ep, { lane, kind: 'error', error: recordError(code, `${what}: ${errno}`) });
}

/** The trace header fields that vary between runs of one scenario. */
type RunHeader = Pick<TraceHeader, 'design' | 'engine'> & {
  readonly seed?: string;
  readonly kernel?: string;
};

/**
 * A world's result: the observations, the wire's records, the NDJSON trace. `where` is the kernel
 * release or the core design name.
 */
export function runResult(
  s: Scenario,
  world: KernelRunResult['world'],
  where: string,
  header: RunHeader,
  rec: Recorder,
  observed: { client: EndpointObservation; server: EndpointObservation },
  wire: Wire,
): KernelRunResult {
  const w = new TraceWriter({
    format: 'ktls-lab-trace',
    version: 1,
    world,
    design: header.design,
    scenario: s.name,
    ...(header.seed !== undefined ? { seed: header.seed } : {}),
    engine: header.engine,
    ...(header.kernel !== undefined ? { kernel: header.kernel } : {}),
    endpoints: ['client', 'server'],
    suite: s.suite,
  });
  for (const e of rec.events) w.push(e);
  return {
    scenario: s.name,
    world,
    where,
    ...observed,
    wire: wire.records(),
    trace: w.toString(),
  };
}

/** A real-socket world's result: the trace header names the kernel release. */
export function kernelRunResult(
  s: Scenario,
  kernel: string,
  header: Pick<TraceHeader, 'design' | 'engine'> & { readonly seed?: string },
  rec: Recorder,
  observed: { client: EndpointObservation; server: EndpointObservation },
  wire: Wire,
): KernelRunResult {
  return runResult(s, 'kernel', kernel, { ...header, kernel }, rec, observed, wire);
}
