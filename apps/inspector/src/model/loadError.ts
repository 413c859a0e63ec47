import type { TraceParseError } from '@ktls-lab/core';

/**
 * What went wrong opening a trace: one of `parseTrace`'s errors, or a problem before parsing
 * (the file could not be fetched or read). Always says where: the source, and the line when
 * there is one.
 */
export interface LoadError {
  readonly code:
    | TraceParseError['code']
    | 'fetch-failed'
    | 'read-failed'
    | 'bad-index'
    | 'sim-failed';
  /** 1-based line; 0 when the problem concerns the input as a whole. */
  readonly line: number;
  readonly column?: number;
  readonly message: string;
  readonly path?: string;
}

/** Largest trace the inspector opens, in bytes (parseTrace's limit, checked before reading). */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export function loadError(code: LoadError['code'], message: string, line = 0): LoadError {
  return { code, line, message };
}
