import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { arbEvent } from '../test/traceArbitraries.js';
import { ERROR_CATALOG, recordError } from './errors.js';
import { AlertDescription } from './protocol.js';
import { LANES, optionalFieldsOf, TRACE_FIELDS, TRACE_KINDS, traceKindSpec } from './trace.js';
import { isTraceEvent } from './traceCheck.js';
import { traceLine } from './traceCodec.js';
import { ERRNOS, TraceEventSchema } from './traceSchema.js';

/** The schema of record's verdict, run as `parseTrace` runs it (its `Seq` check needs that). */
const schemaAccepts = (x: unknown): boolean =>
  v.safeParse(TraceEventSchema, x, { abortEarly: true }).success;

/** Values on both sides of the edges of what each kind of field accepts. */
const COUNT_EDGES = [-1, -0, 0, 0.5, 1, 2 ** 53 - 1, 2 ** 53, 1e300, '1'];
const BYTE_EDGES = [-1, -0, 0, 0.5, 255, 255.5, 256, '23'];
const SEQ_EDGES = [
  '0',
  '00',
  '01',
  '-1',
  '+1',
  '1.0',
  ' 1',
  '1e3',
  '18446744073709551615',
  '18446744073709551616',
  '18446744073709551614',
  '99999999999999999999',
  '09999999999999999999',
  '100000000000000000000',
  1,
];
const HEX_EDGES = ['', 'ab', 'AB', 'abc', 'g0', '0x', 'ab\n', 'a'.repeat(128), 'a'.repeat(130), 12];
const NAME_EDGES = [
  ...LANES,
  ...TRACE_KINDS,
  ...ERRNOS,
  ...Object.keys(AlertDescription),
  ...Object.keys(ERROR_CATALOG),
  ...TRACE_KINDS.flatMap((k) => traceKindSpec(k).reasons ?? []),
  'toString',
  '__proto__',
  'constructor',
  'WIRE',
  '',
];
const OBJECT_EDGES: unknown[] = [
  null,
  true,
  false,
  [],
  ['wire'],
  {},
  { invariant: 1, name: 'n', message: 'm' },
  { invariant: 1, name: 'n' },
  { invariant: -1, name: 'n', message: 'm' },
  recordError('bad_record_mac', 'x'),
  { ...recordError('bad_record_mac', 'x'), alert: null },
  { ...recordError('bad_record_mac', 'x'), alert: 'nope' },
  { ...recordError('bad_record_mac', 'x'), errno: 'ENOENT' },
  { ...recordError('bad_record_mac', 'x'), fatal: 0 },
  { ...recordError('bad_record_mac', 'x'), extra: 1 },
];
const ALL_EDGES: unknown[] = [
  ...COUNT_EDGES,
  ...BYTE_EDGES,
  ...SEQ_EDGES,
  ...HEX_EDGES,
  ...NAME_EDGES,
  ...OBJECT_EDGES,
];

/** The edge values worth trying first for a field. */
function edgesOf(key: string): readonly unknown[] {
  switch (key) {
    case 't':
    case 'epoch':
    case 'size':
    case 'wire':
    case 'req':
    case 'invariant':
      return COUNT_EDGES;
    case 'type':
      return BYTE_EDGES;
    case 'seq':
      return SEQ_EDGES;
    case 'key':
    case 'nonce':
    case 'aad':
    case 'header':
    case 'preview':
      return HEX_EDGES;
    case 'error':
    case 'violation':
      return OBJECT_EDGES;
    default:
      return NAME_EDGES;
  }
}

const EVENT_KEYS = ['t', 'ep', 'lane', 'kind', ...TRACE_FIELDS];
const ODD_KEYS = ['x', 'T', 'kind ', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];

const arbValueFor = (key: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...edgesOf(key)) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_EDGES) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );

type Edit =
  | { readonly op: 'delete'; readonly key: string }
  | { readonly op: 'set'; readonly key: string; readonly value: unknown };

const arbEdit = (keys: readonly string[]): fc.Arbitrary<Edit> =>
  fc.oneof(
    fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...keys) }),
    fc
      .constantFrom(...keys, ...ODD_KEYS)
      .chain((key) => arbValueFor(key).map((value): Edit => ({ op: 'set', key, value }))),
  );

/** JSON text to put into an object as it is (an edited nested object). */
class RawJson {
  constructor(readonly text: string) {}
}

/**
 * The object's JSON text after the edits, written key by key so that keys such as `__proto__`
 * become own properties when parsed, as they would from a trace file.
 */
function editedJson(obj: Record<string, unknown>, edits: readonly Edit[]): string {
  const entries: [string, unknown][] = Object.entries(obj);
  for (const edit of edits) {
    const at = entries.findIndex(([k]) => k === edit.key);
    if (edit.op === 'delete') {
      if (at >= 0) entries.splice(at, 1);
    } else if (at >= 0) entries[at] = [edit.key, edit.value];
    else entries.push([edit.key, edit.value]);
  }
  const json = (x: unknown) => (x instanceof RawJson ? x.text : JSON.stringify(x));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${json(x)}`).join(',')}}`;
}

/** A valid event's JSON with edits to the event, or to its nested error or violation. */
const arbMutant: fc.Arbitrary<unknown> = fc
  .tuple(
    arbEvent,
    fc.constantFrom('event', 'error', 'violation'),
    fc.array(arbEdit(EVENT_KEYS), { minLength: 1, maxLength: 3 }),
    fc.array(arbEdit(['code', 'errno', 'alert', 'fatal', 'message']), { minLength: 1 }),
    fc.array(arbEdit(['invariant', 'name', 'message']), { minLength: 1, maxLength: 2 }),
  )
  .map(([event, where, topEdits, errorEdits, violationEdits]) => {
    const obj = JSON.parse(traceLine(event)) as Record<string, unknown>;
    if (where === 'event') return JSON.parse(editedJson(obj, topEdits));
    const nested = (obj[where] ?? {}) as Record<string, unknown>;
    const inner = editedJson(nested, where === 'error' ? errorEdits : violationEdits);
    return JSON.parse(editedJson(obj, [{ op: 'set', key: where, value: new RawJson(inner) }]));
  });

describe('isTraceEvent agrees with TraceEventSchema', () => {
  it('accepts every valid event, as the schema does', () => {
    fc.assert(
      fc.property(arbEvent, (event) => {
        const parsed = JSON.parse(traceLine(event));
        expect(isTraceEvent(parsed)).toBe(true);
        expect(schemaAccepts(parsed)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the schema verdict on mutated events, both ways', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(arbMutant, (x) => {
        const verdict = schemaAccepts(x);
        expect(isTraceEvent(x)).toBe(verdict);
        if (verdict) accepted++;
        else rejected++;
      }),
      { numRuns: 4000 },
    );
    // Both verdicts must be well represented, or the agreement above proves little.
    expect(accepted).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(200);
  });

  it('gives the schema verdict on every single edit of a full event of every kind, nested fields too', () => {
    let cases = 0;
    for (const kind of TRACE_KINDS) cases += editEveryField(fullEvent(kind));
    expect(cases).toBeGreaterThan(20_000);
  });

  function editEveryField(full: Record<string, unknown>): number {
    const nested = {
      error: ['code', 'errno', 'alert', 'fatal', 'message'],
      violation: ['invariant', 'name', 'message'],
    };
    let cases = 0;
    const agree = (x: unknown) => {
      expect(isTraceEvent(x), JSON.stringify(x)).toBe(schemaAccepts(x));
      cases++;
    };
    for (const key of [...EVENT_KEYS, ...ODD_KEYS]) {
      agree(JSON.parse(editedJson(full, [{ op: 'delete', key }])));
      for (const value of new Set([...edgesOf(key), ...ALL_EDGES]))
        agree(JSON.parse(editedJson(full, [{ op: 'set', key, value }])));
    }
    for (const [where, keys] of Object.entries(nested)) {
      const inner = full[where] as Record<string, unknown> | undefined;
      if (inner === undefined) continue;
      for (const key of [...keys, ...ODD_KEYS]) {
        const edits: Edit[][] = [[{ op: 'delete', key }]];
        for (const value of new Set([...edgesOf(key), ...ALL_EDGES]))
          edits.push([{ op: 'set', key, value }]);
        for (const edit of edits) {
          const value = new RawJson(editedJson(inner, edit));
          agree(JSON.parse(editedJson(full, [{ op: 'set', key: where, value }])));
        }
      }
    }
    return cases;
  }

  it('gives the schema verdict on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (x) => {
        expect(isTraceEvent(x)).toBe(schemaAccepts(x));
      }),
      { numRuns: 1000 },
    );
  });

  it('draws the edges where the schema does', () => {
    const base = { t: 0, ep: 'c', lane: 'wire', kind: 'segment', size: 1, header: '17' };
    const pending = { t: 0, ep: 'c', lane: 'dp-tx', kind: 'record-open', size: 1, seq: '0' };
    const out = { t: 0, ep: 'c', lane: 'wire', kind: 'record-out', type: 23, wire: 22 };
    const key = { t: 0, ep: 'c', lane: 'cp', kind: 'key-install', epoch: 1, key: 'ab' };
    const data = { t: 0, ep: 'c', lane: 'app-rx', kind: 'deliver-data', size: 1 };
    const error = { t: 0, ep: 'c', lane: 'dp-rx', kind: 'error' };
    const violation = { t: 0, ep: 'c', lane: 'dp-rx', kind: 'violation' };
    const freeze = { t: 0, ep: 'c', lane: 'dp-rx', kind: 'freeze', reason: 'key-update' };
    const cases: [Record<string, unknown>, boolean][] = [
      [base, true],
      [{ ...pending, seq: '18446744073709551615' }, true],
      [{ ...pending, seq: '18446744073709551616' }, false],
      [{ ...pending, seq: '007' }, false],
      [{ ...out, type: 255 }, true],
      [{ ...out, type: 256 }, false],
      [{ ...base, t: 2 ** 53 - 1 }, true],
      [{ ...base, t: 2 ** 53 }, false],
      [{ ...key, key: 'ABCD' }, false],
      [{ ...data, preview: 'a'.repeat(128) }, true],
      [{ ...data, preview: 'a'.repeat(130) }, false],
      [{ ...error, error: { ...recordError('bad_record_mac', 'x'), alert: null } }, true],
      [{ ...violation, violation: { invariant: 1, name: 'n', message: 'm', more: 1 } }, false],
      // closed vocabulary: another kind's field, a missing required field, a lane the kind is
      // never drawn on, a reason outside the kind's set
      [{ ...base, seq: '1' }, false],
      [{ ...base, header: undefined }, false],
      [{ ...base, lane: 'cp' }, false],
      [freeze, true],
      [{ ...freeze, lane: 'cp' }, false],
      [{ ...freeze, reason: 'key_update' }, false],
      [{ ...freeze, reason: 'key-installed' }, false],
      [{ ...freeze, size: 1 }, false],
    ];
    for (const [x, want] of cases) {
      expect(schemaAccepts(x)).toBe(want);
      expect(isTraceEvent(x)).toBe(want);
    }
    const proto = JSON.parse('{"t":0,"ep":"c","lane":"wire","kind":"segment","__proto__":{}}');
    expect(schemaAccepts(proto)).toBe(false);
    expect(isTraceEvent(proto)).toBe(false);
  });
});

/** An event of `kind` with every field it may carry, values that stress the check. */
function fullEvent(kind: (typeof TRACE_KINDS)[number]): Record<string, unknown> {
  const spec = traceKindSpec(kind);
  const values: Record<string, unknown> = {
    seq: '1',
    epoch: 2,
    type: 23,
    size: 3,
    wire: 4,
    req: 5,
    reason: spec.reasons?.[0] ?? 'r',
    key: '00ff',
    nonce: 'ab',
    aad: '',
    header: '1703',
    preview: '61',
    error: recordError('bad_record_mac', 'x'),
    violation: { invariant: 1, name: 'n', message: 'm' },
    note: 'n',
  };
  const e: Record<string, unknown> = { t: 1, ep: 'client', lane: spec.lanes?.[0] ?? 'cp', kind };
  for (const f of [...spec.required, ...optionalFieldsOf(spec)]) e[f] = values[f];
  return JSON.parse(traceLine(e as never)) as Record<string, unknown>;
}
