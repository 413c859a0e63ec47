/**
 * A hand-written check that a parsed JSON value is a `TraceEvent`, for the hot loop of
 * `parseTrace`. The valibot schemas of traceSchema.ts stay the definition of record: this check
 * must accept exactly what `TraceEventSchema` accepts (traceCheck.test.ts holds it to that), and
 * when it rejects, `parseTrace` runs the schema anyway for the precise message. Why a second
 * implementation: the schema builds a new object per event and per nested field and walks its
 * pipes generically, which made validating a 100,000-event trace take several times longer than
 * parsing its JSON; this one reads each field once and allocates nothing.
 */
import {
  LANES,
  PREVIEW_BYTES,
  TRACE_KINDS,
  type TraceEvent,
  type TraceField,
  type TraceKindSpec,
  optionalFieldsOf,
  traceKindSpec,
} from './trace.js';
import { ALERT_NAMES, ERRNOS, ERROR_CODES } from './traceSchema.js';

const LANE_NAMES: ReadonlySet<unknown> = new Set(LANES);
const ERRNO_NAMES: ReadonlySet<unknown> = new Set(ERRNOS);
const ERROR_CODE_NAMES: ReadonlySet<unknown> = new Set(ERROR_CODES);
const ALERT_NAME_SET: ReadonlySet<unknown> = new Set(ALERT_NAMES);

/** 2^64 - 1 in decimal: a 20-digit sequence number is in range iff it sorts at or below this. */
const MAX_SEQ_DECIMAL = '18446744073709551615';

/**
 * Whether `value` is a valid trace event: exactly what `TraceEventSchema` accepts, for values
 * that `JSON.parse` returns (plain objects with own data properties). On success the value itself
 * is the event; nothing is copied.
 */
export function isTraceEvent(value: unknown): value is TraceEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  const kind = e.kind;
  const check = typeof kind === 'string' ? KIND_CHECKS.get(kind) : undefined;
  if (check === undefined) return false;
  let required = 0;
  // One pass over the keys the value has: unknown keys, and keys of another kind, fail here, as
  // in the kind's strict object.
  for (const key in e) {
    const x = e[key];
    switch (key) {
      case 't':
        if (!isCount(x)) return false;
        required++;
        break;
      case 'ep':
        if (typeof x !== 'string') return false;
        required++;
        break;
      case 'lane':
        if (!check.lanes.has(x)) return false;
        required++;
        break;
      case 'kind':
        required++;
        break;
      default: {
        const field = check.fields.get(key);
        if (field === undefined || !field.check(x)) return false;
        if (field.required) required++;
      }
    }
  }
  return required === check.required;
}

/** A non-negative safe integer (the schema's `Count`). */
function isCount(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Lowercase hex digits only; the even length is checked apart. */
const HEX_DIGITS = /^[0-9a-f]*$/;

/**
 * Lowercase hex of whole bytes (the schema's `Hex`). A regular expression rather than a loop over
 * the characters: it runs as native code from the first call, which matters on a page that parses
 * one large trace with code that has not been optimised yet.
 */
function isHex(x: unknown): x is string {
  return typeof x === 'string' && x.length % 2 === 0 && HEX_DIGITS.test(x);
}

/** Canonical decimal of a value below 2^64 (the schema's `Seq`). */
function isSeq(x: unknown): boolean {
  if (typeof x !== 'string' || x.length === 0 || x.length > MAX_SEQ_DECIMAL.length) return false;
  if (x === '0') return true;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    // No leading zero: the first digit is 1-9, the others 0-9.
    if (c > 0x39 || c < (i === 0 ? 0x31 : 0x30)) return false;
  }
  // Equal lengths of digits compare as numbers when compared as strings.
  return x.length < MAX_SEQ_DECIMAL.length || x <= MAX_SEQ_DECIMAL;
}

type FieldCheck = (y: unknown) => boolean;
const isString: FieldCheck = (y) => typeof y === 'string';

/** The schema's `RecordErrorSchema`: these five keys, no others. */
const RECORD_ERROR_FIELDS: ReadonlyMap<string, FieldCheck> = new Map([
  ['code', (y) => ERROR_CODE_NAMES.has(y)],
  ['errno', (y) => ERRNO_NAMES.has(y)],
  ['alert', (y) => y === null || ALERT_NAME_SET.has(y)],
  ['fatal', (y) => typeof y === 'boolean'],
  ['message', isString],
]);

/** The schema's `TraceViolationSchema`: these three keys, no others. */
const VIOLATION_FIELDS: ReadonlyMap<string, FieldCheck> = new Map([
  ['invariant', isCount],
  ['name', isString],
  ['message', isString],
]);

const isRecordError = (x: unknown): boolean => hasExactly(x, RECORD_ERROR_FIELDS);
const isViolation = (x: unknown): boolean => hasExactly(x, VIOLATION_FIELDS);

/** A nested object of the schema (a strict object): every key of `fields` and no other. */
function hasExactly(x: unknown, fields: ReadonlyMap<string, FieldCheck>): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  let n = 0;
  for (const key in r) {
    const check = fields.get(key);
    if (!check?.(r[key])) return false;
    n++;
  }
  return n === fields.size;
}

/** Each field's check but `reason`, whose set depends on the kind. */
const FIELD_CHECKS: { readonly [F in Exclude<TraceField, 'reason'>]: FieldCheck } = {
  seq: isSeq,
  epoch: isCount,
  size: isCount,
  wire: isCount,
  req: isCount,
  type: (x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255,
  key: isHex,
  nonce: isHex,
  aad: isHex,
  header: isHex,
  preview: (x) => isHex(x) && x.length <= PREVIEW_BYTES * 2,
  error: isRecordError,
  violation: isViolation,
  note: isString,
};

interface KindCheck {
  readonly lanes: ReadonlySet<unknown>;
  readonly fields: ReadonlyMap<string, { readonly check: FieldCheck; readonly required: boolean }>;
  /** Keys a valid event has at least: t, ep, lane, kind and the kind's required fields. */
  readonly required: number;
}

function fieldCheck(field: TraceField, spec: TraceKindSpec): FieldCheck {
  if (field !== 'reason') return FIELD_CHECKS[field];
  if (!spec.reasons) return isString;
  const reasons: ReadonlySet<unknown> = new Set(spec.reasons);
  return (x) => reasons.has(x);
}

/** The table of traceEvent.ts, turned into lookups once. */
const KIND_CHECKS: ReadonlyMap<string, KindCheck> = new Map(
  TRACE_KINDS.map((kind) => {
    const spec = traceKindSpec(kind);
    const fields = new Map<string, { check: FieldCheck; required: boolean }>();
    for (const f of spec.required) fields.set(f, { check: fieldCheck(f, spec), required: true });
    for (const f of optionalFieldsOf(spec))
      fields.set(f, { check: fieldCheck(f, spec), required: false });
    const lanes = spec.lanes === null ? LANE_NAMES : new Set<unknown>(spec.lanes);
    return [kind, { lanes, fields, required: 4 + spec.required.length }];
  }),
);
