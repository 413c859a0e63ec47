import type { RecordError } from './errors.js';

/**
 * The one shape of a fallible record-layer call that does not throw: the value, or the
 * `RecordError` (with its errno and alert) that refused it. Tell them apart with `ok`, never by
 * looking for a field (`'code' in x`), so a value that happens to have such a field cannot be
 * mistaken for an error.
 */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: RecordError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(error: RecordError): Result<T> {
  return { ok: false, error };
}
