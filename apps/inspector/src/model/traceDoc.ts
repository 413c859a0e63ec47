import type { TraceHeader } from '@ktls-lab/core';
import type { EventTable } from './eventTable';
import type { Layout } from './layout';
import type { LoadError } from './loadError';

/** An opened trace: where it came from and what it holds. */
export interface TraceDoc {
  /** File name, URL or simulator run, for titles and error panels. */
  readonly name: string;
  /** URL it was fetched from, when it can be shared in the address bar. */
  readonly url: string | null;
  readonly header: TraceHeader;
  readonly events: EventTable;
  /** The trace laid out alone. */
  readonly layout: Layout;
  readonly bytes: number;
  /** Milliseconds from asking to having it parsed and laid out. */
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
