/**
 * The valibot schemas of the trace format (trace.ts): the definition of record of what a valid
 * header and event are. `parseTrace` runs the header schema, and the event schema to describe a bad
 * event; the hot loop checks events with traceCheck.ts, which must agree with these.
 */
import * as v from 'valibot';
import { ERROR_CATALOG, type Errno, type RecordErrorCode } from './errors.js';
import { AlertDescription, type AlertName } from './protocol.js';
import {
  LANES,
  PREVIEW_BYTES,
  TRACE_FORMAT,
  TRACE_KINDS,
  TRACE_VERSION,
  type TraceEvent,
  type TraceField,
  type TraceHeader,
  type TraceKind,
  type TraceKindSpec,
  optionalFieldsOf,
  traceKindSpec,
} from './trace.js';

// ---------------------------------------------------------------------------------------------
// Value sets. Written as records over the union so that adding a member to `Errno` or to the
// `world` union without listing it here is a compile error, not a trace that fails to load.

const ERRNO_SET: { readonly [K in Errno]: true } = {
  EBADMSG: true,
  EMSGSIZE: true,
  EINVAL: true,
  EIO: true,
  EKEYEXPIRED: true,
  EAGAIN: true,
  EBUSY: true,
  ENOKEY: true,
  EPIPE: true,
};
const WORLD_SET: { readonly [K in TraceHeader['world']]: true } = {
  sim: true,
  kernel: true,
  core: true,
  capture: true,
};

/** Every `Errno` name a trace may carry. */
export const ERRNOS = Object.keys(ERRNO_SET) as readonly Errno[];
/** Every `RecordErrorCode`, and every alert name, a trace may carry. */
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as readonly RecordErrorCode[];
export const ALERT_NAMES = Object.keys(AlertDescription) as readonly AlertName[];
const WORLDS = Object.keys(WORLD_SET) as readonly TraceHeader['world'][];

// ---------------------------------------------------------------------------------------------
// Schemas

const MAX_SEQ = (1n << 64n) - 1n;

/** Non-negative safe integers: counters and sizes; beyond 2^53 a JSON number stops being exact. */
const Count = v.pipe(
  v.number(),
  v.safeInteger('must be a non-negative integer'),
  v.minValue(0, 'must be a non-negative integer'),
);

/**
 * Lowercase hex of whole bytes. One spelling per value keeps the text, and so the hash, a function
 * of the bytes alone.
 */
const Hex = v.pipe(
  v.string(),
  v.regex(/^(?:[0-9a-f]{2})*$/, 'must be lowercase hex with an even number of digits'),
);

/** A 64-bit record sequence number as canonical decimal (RFC 8446 §5.3: it never wraps). */
const Seq = v.pipe(
  v.string(),
  v.regex(/^(?:0|[1-9][0-9]{0,19})$/, 'must be a decimal string without sign or leading zeros'),
  v.check((s) => BigInt(s) <= MAX_SEQ, 'must be below 2^64'),
);

/** RFC 8446 §5.1 ContentType is one byte. */
const ContentTypeByte = v.pipe(
  v.number(),
  v.integer('must be an integer from 0 to 255'),
  v.minValue(0, 'must be an integer from 0 to 255'),
  v.maxValue(255, 'must be an integer from 0 to 255'),
);

/** The `RecordError` of errors.ts as a trace carries it. */
export const RecordErrorSchema = v.strictObject({
  code: v.picklist(ERROR_CODES),
  errno: v.picklist(ERRNOS),
  alert: v.nullable(v.picklist(ALERT_NAMES)),
  fatal: v.boolean(),
  message: v.string(),
});

export const TraceViolationSchema = v.strictObject({
  invariant: Count,
  name: v.string(),
  message: v.string(),
});

/** `TraceHeader` exactly: unknown keys are rejected, optional keys may be absent but not null. */
export const TraceHeaderSchema = v.strictObject({
  format: v.literal(TRACE_FORMAT),
  version: v.literal(TRACE_VERSION),
  world: v.picklist(WORLDS),
  design: v.string(),
  scenario: v.exactOptional(v.string()),
  seed: v.exactOptional(v.string()),
  repro: v.exactOptional(v.string()),
  engine: v.string(),
  kernel: v.exactOptional(v.string()),
  endpoints: v.pipe(v.array(v.string()), v.readonly()),
  suite: v.exactOptional(v.string()),
});

const Preview = v.pipe(
  Hex,
  v.maxLength(
    PREVIEW_BYTES * 2,
    `must be at most ${PREVIEW_BYTES} bytes (${PREVIEW_BYTES * 2} hex digits)`,
  ),
);

/** The schema of each field but `reason`, whose set depends on the kind. */
const FIELD_SCHEMAS: { readonly [F in Exclude<TraceField, 'reason'>]: v.GenericSchema } = {
  seq: Seq,
  epoch: Count,
  type: ContentTypeByte,
  size: Count,
  wire: Count,
  req: Count,
  key: Hex,
  nonce: Hex,
  aad: Hex,
  header: Hex,
  preview: Preview,
  error: RecordErrorSchema,
  violation: TraceViolationSchema,
  note: v.string(),
};

function fieldSchema(field: TraceField, spec: TraceKindSpec): v.GenericSchema {
  if (field !== 'reason') return FIELD_SCHEMAS[field];
  return spec.reasons ? v.picklist(spec.reasons) : v.string();
}

/**
 * One kind's event exactly: its lanes, its required fields, its optional ones (and `note`), no
 * other key. Built from the table in traceEvent.ts, as the type and the fast check are.
 */
function kindSchema(kind: TraceKind): v.GenericSchema {
  const spec = traceKindSpec(kind);
  const entries: Record<string, v.GenericSchema> = {
    t: Count,
    ep: v.string(),
    lane: v.picklist(spec.lanes ?? LANES),
    kind: v.literal(kind),
  };
  for (const f of spec.required) entries[f] = fieldSchema(f, spec);
  for (const f of optionalFieldsOf(spec)) entries[f] = v.exactOptional(fieldSchema(f, spec));
  return v.strictObject(entries);
}

/** `TraceEvent` exactly: the member of its kind; unknown keys and another kind's fields rejected. */
export const TraceEventSchema: v.GenericSchema<unknown, TraceEvent> = v.variant(
  'kind',
  TRACE_KINDS.map(kindSchema) as unknown as [
    v.StrictObjectSchema<{ kind: v.LiteralSchema<string, undefined> }, undefined>,
  ],
) as unknown as v.GenericSchema<unknown, TraceEvent>;
