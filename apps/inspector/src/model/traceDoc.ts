import type { TraceEvent, TraceHeader } from '@ktls-lab/core';
import type { LoadError } from './loadError';

/** An opened trace: where it came from and what it holds. */
export interface TraceDoc {
  /** File name, URL or simulator run, for titles and error panels. */
  readonly name: string;
  /** URL it was fetched from, when it can be shared in the address bar. */
  readonly url: string | null;
  readonly header: TraceHeader;
  readonly events: readonly TraceEvent[];
  readonly bytes: number;
  /** Milliseconds from asking to having the parsed events. */
  readonly loadMs: number;
}

export interface LoadProgress {
  readonly phase: 'reading' | 'parsing';
  /** Bytes read, or characters parsed. */
  readonly loaded: number;
  readonly total: number | null;
}

/** One trace slot of the page (the main trace, or the one it is compared with). */
export type Slot =
  | { readonly status: 'empty' }
  | { readonly status: 'loading'; readonly name: string; readonly progress: LoadProgress | null }
  | { readonly status: 'error'; readonly name: string; readonly error: LoadError }
  | { readonly status: 'ready'; readonly doc: TraceDoc };
