import {
  type RecordErrorCode,
  recordError,
  type TraceDraft,
  type TraceEvent,
} from '@ktls-lab/core';
import type { Side } from './types.js';

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
