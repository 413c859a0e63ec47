/**
 * fast-check arbitraries of trace text and events, shared by the trace codec's and the event
 * check's property tests: any valid event, with strings that are hard to write as JSON.
 */
import fc from 'fast-check';
import { toHex } from '../src/bytes.js';
import {
  ERROR_CATALOG,
  type RecordError,
  type RecordErrorCode,
  recordError,
} from '../src/errors.js';
import { AlertDescription, type AlertName } from '../src/protocol.js';
import { LANES, TRACE_KINDS, type TraceEvent } from '../src/trace.js';
import { ERRNOS } from '../src/traceSchema.js';

/** Strings with what JSON must escape, lone surrogates and astral characters. */
export const arbText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('<', '>', '&', '"', '\\', '\n', '\r', '\u2028', '\u0000', '\ud800', '🔐'),
    fc.nat(0xffff).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 20,
});
export const arbHex = (maxBytes = 24) => fc.uint8Array({ maxLength: maxBytes }).map(toHex);
const arbCode = fc.constantFrom(...(Object.keys(ERROR_CATALOG) as RecordErrorCode[]));

const arbError: fc.Arbitrary<RecordError> = fc.oneof(
  fc.tuple(arbCode, arbText).map(([c, m]) => recordError(c, m)),
  fc.record({
    code: arbCode,
    errno: fc.constantFrom(...ERRNOS),
    alert: fc.option(fc.constantFrom(...(Object.keys(AlertDescription) as AlertName[])), {
      nil: null,
    }),
    fatal: fc.boolean(),
    message: arbText,
  }),
);

/** Any valid event: every optional field present or not. */
export const arbEvent: fc.Arbitrary<TraceEvent> = fc.record(
  {
    t: fc.maxSafeNat(),
    ep: arbText,
    lane: fc.constantFrom(...LANES),
    kind: fc.constantFrom(...TRACE_KINDS),
    seq: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String),
    epoch: fc.nat(),
    type: fc.nat(255),
    size: fc.maxSafeNat(),
    wire: fc.nat(),
    req: fc.nat(),
    reason: arbText,
    key: arbHex(8),
    nonce: arbHex(12),
    aad: arbHex(13),
    header: arbHex(),
    preview: arbHex(64),
    error: arbError,
    violation: fc.record({ invariant: fc.nat(), name: arbText, message: arbText }),
    note: arbText,
  },
  { requiredKeys: ['t', 'ep', 'lane', 'kind'] },
);
