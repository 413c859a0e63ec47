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
import {
  LANES,
  TRACE_KINDS,
  type TraceEvent,
  type TraceField,
  type TraceKind,
  type TraceKindSpec,
  optionalFieldsOf,
  traceKindSpec,
} from '../src/trace.js';
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

/** Each field's values but `reason`, whose set depends on the kind. */
const FIELD_ARBITRARIES: { readonly [F in Exclude<TraceField, 'reason'>]: fc.Arbitrary<unknown> } =
  {
    seq: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String),
    epoch: fc.nat(),
    type: fc.nat(255),
    size: fc.maxSafeNat(),
    wire: fc.nat(),
    req: fc.nat(),
    key: arbHex(8),
    nonce: arbHex(12),
    aad: arbHex(13),
    header: arbHex(),
    preview: arbHex(64),
    error: arbError,
    violation: fc.record({ invariant: fc.nat(), name: arbText, message: arbText }),
    note: arbText,
  };

function arbField(field: TraceField, spec: TraceKindSpec): fc.Arbitrary<unknown> {
  if (field !== 'reason') return FIELD_ARBITRARIES[field];
  return spec.reasons ? fc.constantFrom(...spec.reasons) : arbText;
}

/** One valid event of `kind`: on one of its lanes, every optional field present or not. */
export function arbEventOf(kind: TraceKind): fc.Arbitrary<TraceEvent> {
  const spec = traceKindSpec(kind);
  const fields: Record<string, fc.Arbitrary<unknown>> = {
    t: fc.maxSafeNat(),
    ep: arbText,
    lane: fc.constantFrom(...(spec.lanes ?? LANES)),
    kind: fc.constant(kind),
  };
  for (const f of spec.required) fields[f] = arbField(f, spec);
  for (const f of optionalFieldsOf(spec)) fields[f] = arbField(f, spec);
  return fc.record(fields, {
    requiredKeys: ['t', 'ep', 'lane', 'kind', ...spec.required],
  }) as unknown as fc.Arbitrary<TraceEvent>;
}

/** Any valid event: of any kind, every optional field of that kind present or not. */
export const arbEvent: fc.Arbitrary<TraceEvent> = fc.oneof(...TRACE_KINDS.map(arbEventOf));
