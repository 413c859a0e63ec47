import { type CryptoState, validateCryptoState } from './cryptoState.js';
import { RecordLayerError } from './errors.js';
import type { ContentTypeByte } from './protocol.js';

/**
 * Checks of the arguments a JavaScript caller hands the library's entry points: a wrong type is a
 * typed `invalid_argument` error (EINVAL, as the kernel answers a bad setsockopt or sendmsg), not a
 * TypeError from deep inside a state machine.
 */

const invalid = (message: string): RecordLayerError =>
  RecordLayerError.of('invalid_argument', message);

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : typeof value;
}

export function checkBytes(what: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw invalid(`${what} must be a Uint8Array, got ${describeValue(value)}`);
}

export function checkContentType(what: string, value: unknown): ContentTypeByte {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255)
    return value;
  throw invalid(`${what} must be a content type byte (0..255), got ${describeValue(value)}`);
}

export function checkText(what: string, value: unknown): string {
  if (typeof value === 'string') return value;
  throw invalid(`${what} must be a string, got ${describeValue(value)}`);
}

export function checkOptionsObject(what: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} must be an object, got ${describeValue(value)}`);
}

/** A `CryptoState` as `validateCryptoState` wants it (its byte fields present), then checked. */
export function checkCryptoState(what: string, value: unknown): CryptoState {
  const s = value as Partial<Record<keyof CryptoState, unknown>> | null;
  if (typeof s !== 'object' || s === null)
    throw invalid(`${what} must be a CryptoState, got ${describeValue(value)}`);
  for (const field of ['key', 'salt', 'iv'] as const)
    if (!(s[field] instanceof Uint8Array))
      throw invalid(`${what}.${field} must be a Uint8Array, got ${describeValue(s[field])}`);
  if (typeof s.suite !== 'object' || s.suite === null)
    throw invalid(`${what}.suite must be a cipher suite, got ${describeValue(s.suite)}`);
  const problem = validateCryptoState(value as CryptoState);
  if (problem !== null) throw invalid(`${what}: ${problem}`);
  return value as CryptoState;
}
