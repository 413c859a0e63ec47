/** Messages between the page and the trace validators. Structured-cloneable data only. */
import type { TraceParseError } from '@ktls-lab/core';

export type TraceSource =
  | { readonly kind: 'file'; readonly file: File }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'text'; readonly text: string; readonly name: string };

/** Validate `text` (a whole trace, or the header line plus a slice of its events). */
export interface ValidateRequest {
  readonly id: number;
  readonly text: string;
  readonly maxBytes: number;
}

export type ValidateReply =
  | { readonly id: number; readonly ok: true; readonly events: number }
  | { readonly id: number; readonly ok: false; readonly error: TraceParseError };
