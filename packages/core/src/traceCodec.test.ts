import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { arbEvent, arbText } from '../test/traceArbitraries.js';
import { toHex } from './bytes.js';
import {
  ERROR_CATALOG,
  type RecordError,
  type RecordErrorCode,
  RecordLayerError,
  recordError,
} from './errors.js';
import type { AlertName } from './protocol.js';
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceEvent,
  type TraceHeader,
  type TraceViolation,
} from './trace.js';
import {
  headerLine,
  type ParsedTrace,
  parseTrace,
  serializeTrace,
  TraceReader,
  type TraceStreamOptions,
  TraceWriter,
  traceHash,
  traceLine,
} from './traceCodec.js';
import {
  ERRNOS,
  type RecordErrorSchema,
  TraceEventSchema,
  TraceHeaderSchema,
} from './traceSchema.js';

const header: TraceHeader = {
  format: TRACE_FORMAT,
  version: TRACE_VERSION,
  world: 'sim',
  design: 'kernel-6.14',
  scenario: 'rekey',
  seed: '0x5eed',
  repro: 'ktls-lab:1:sim:rekey:0x5eed',
  engine: 'model',
  kernel: '6.14.0',
  endpoints: ['client', 'server'],
  suite: 'TLS_AES_128_GCM_SHA256',
};

const events: TraceEvent[] = [
  {
    t: 0,
    ep: 'client',
    lane: 'app-tx',
    kind: 'app-send',
    size: 11,
  },
  {
    t: 1,
    ep: 'client',
    lane: 'dp-tx',
    kind: 'seal-request',
    seq: '0',
    epoch: 3,
    type: 23,
    size: 11,
    req: 7,
    key: '0123456789abcdef',
    nonce: '000102030405060708090a0b',
    aad: '1703030020',
    header: '1703030021',
    preview: toHex(new Uint8Array(11)),
  },
  {
    t: 2,
    ep: 'client',
    lane: 'wire',
    kind: 'record-out',
    type: 23,
    wire: 38,
    header: '1703030021',
  },
  {
    t: 3,
    ep: 'server',
    lane: 'dp-rx',
    kind: 'error',
    seq: '18446744073709551615',
    error: recordError('sequence_wrap', 'rec_seq would wrap'),
  },
  {
    t: 4,
    ep: 'server',
    lane: 'cp',
    kind: 'violation',
    violation: { invariant: 2, name: 'no-nonce-reuse', message: 'nonce used twice' },
  },
  { t: 5, ep: 'server', lane: 'dp-rx', kind: 'freeze', reason: 'key-update' },
  { t: 6, ep: 'server', lane: 'app-rx', kind: 'note', note: '' },
];

function parsed(text: string): Extract<ParsedTrace, { ok: true }> {
  const r = parseTrace(text);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r;
}

function failure(text: string, maxBytes?: number) {
  const r = parseTrace(text, maxBytes === undefined ? {} : { maxBytes });
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
}

const H = headerLine(header);
/** The smallest valid event of each kind the tests below edit. */
const BASES = {
  segment: { lane: 'wire', size: 0, header: '' },
  'record-open': { lane: 'dp-tx', size: 1, seq: '0' },
  'record-out': { lane: 'wire', type: 23, wire: 22 },
  'open-request': { lane: 'dp-rx', req: 1, seq: '0', epoch: 1, key: '', nonce: '', aad: '' },
  'seal-done': { lane: 'dp-tx', req: 1, seq: '0', epoch: 1 },
  'deliver-data': { lane: 'app-rx', size: 0 },
  error: { lane: 'dp-rx', error: recordError('closed', 'x') },
  violation: { lane: 'dp-rx', violation: { invariant: 1, name: 'n', message: 'm' } },
} as const;
/** One line of a valid event of `kind` (a segment by default) with fields changed or added. */
const K = (kind: keyof typeof BASES, e: Record<string, unknown> = {}) =>
  traceLine({ t: 0, ep: 'client', kind, ...BASES[kind], ...e } as TraceEvent);
const E = (e: Record<string, unknown> = {}) => K('segment', e);

describe('schemas match trace.ts', () => {
  it('inferred types are the interfaces', () => {
    expectTypeOf<v.InferOutput<typeof TraceHeaderSchema>>().toExtend<TraceHeader>();
    expectTypeOf<TraceHeader>().toExtend<v.InferOutput<typeof TraceHeaderSchema>>();
    expectTypeOf<v.InferOutput<typeof TraceEventSchema>>().toExtend<TraceEvent>();
    expectTypeOf<TraceEvent>().toExtend<v.InferOutput<typeof TraceEventSchema>>();
    expectTypeOf<v.InferOutput<typeof RecordErrorSchema>>().toEqualTypeOf<{
      code: RecordErrorCode;
      errno: RecordError['errno'];
      alert: AlertName | null;
      fatal: boolean;
      message: string;
    }>();
  });

  it('every catalogued errno is accepted', () => {
    const errnos = new Set(Object.values(ERROR_CATALOG).map((s) => s.errno));
    for (const e of errnos) expect(ERRNOS).toContain(e);
  });
});

describe('writer', () => {
  it('round trips: parse(serialize(x)) deep-equals x, and re-serializing gives the same text', () => {
    const text = serializeTrace(header, events);
    const r = parsed(text);
    expect(r.header).toEqual(header);
    expect(r.events).toEqual(events);
    expect(serializeTrace(r.header, r.events)).toBe(text);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(events.length + 2);
  });

  it('emits keys in interface order whatever order the object was built in', () => {
    const scrambled = {
      note: 'n',
      error: { message: 'm', fatal: false, alert: null, errno: 'EAGAIN', code: 'would_block' },
      kind: 'error',
      t: 9,
      lane: 'dp-rx',
      seq: '5',
      ep: 'client',
    } as const satisfies TraceEvent;
    expect(traceLine(scrambled)).toBe(
      '{"t":9,"ep":"client","lane":"dp-rx","kind":"error","seq":"5",' +
        '"error":{"code":"would_block","errno":"EAGAIN","alert":null,"fatal":false,"message":"m"},' +
        '"note":"n"}',
    );
    expect(
      headerLine({
        endpoints: ['a'],
        engine: 'e',
        design: 'd',
        world: 'core',
        version: 1,
        format: TRACE_FORMAT,
      }),
    ).toBe(
      '{"format":"ktls-lab-trace","version":1,"world":"core","design":"d","engine":"e","endpoints":["a"]}',
    );
  });

  it('omits undefined fields and unknown runtime properties', () => {
    const e = {
      t: 1,
      ep: 'c',
      lane: 'cp',
      kind: 'note',
      seq: undefined,
      extra: 1,
    } as unknown as TraceEvent;
    expect(traceLine(e)).toBe('{"t":1,"ep":"c","lane":"cp","kind":"note"}');
    const err = RecordLayerError.of('bad_record_mac', 'tag mismatch');
    const line = traceLine({ t: 1, ep: 'c', lane: 'dp-rx', kind: 'error', error: err });
    expect(line).not.toContain('stack');
    expect(parsed(`${H}\n${line}\n`).events[0]!.error).toEqual(err.toJSON());
  });

  it('a <script> in a note stays text and round trips, as do quotes, newlines and odd code points', () => {
    const notes = [
      '<script>alert("x")</script>',
      'a\nb\r\nc',
      '"\\',
      '\u2028\u2029',
      '\u0000\u001f',
      '\ud800 lone',
      'emoji 🔐',
    ];
    const evs = notes.map(
      (note, t): TraceEvent => ({ t, ep: 'client', lane: 'cp', kind: 'note', note }),
    );
    const text = serializeTrace(header, evs);
    expect(text).toContain('<script>alert(\\"x\\")</script>');
    expect(text.split('\n')).toHaveLength(notes.length + 2);
    expect(parsed(text).events.map((e) => e.note)).toEqual(notes);
  });

  it('TraceWriter builds the same text as serializeTrace and freezes pushed events', () => {
    const w = new TraceWriter(header);
    expect(w.toString()).toBe(serializeTrace(header, []));
    const mutable = { ...events[0]! } as { -readonly [K in keyof TraceEvent]: TraceEvent[K] };
    w.push(mutable as TraceEvent);
    mutable.size = 999;
    for (const e of events.slice(1)) w.push(e);
    expect(w.count).toBe(events.length);
    expect(w.toString()).toBe(serializeTrace(header, events));
    expect(w.hash()).toBe(traceHash(serializeTrace(header, events)));
  });
});

describe('traceHash', () => {
  it('is 64-bit FNV-1a (published vectors)', () => {
    expect(traceHash('')).toBe('cbf29ce484222325');
    expect(traceHash('a')).toBe('af63dc4c8601ec8c');
    expect(traceHash('foobar')).toBe('85944171f73967e8');
  });

  function reference(text: string): string {
    let h = 0xcbf29ce484222325n;
    for (const b of new TextEncoder().encode(text))
      h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
    return h.toString(16).padStart(16, '0');
  }

  it('hashes the UTF-8 bytes, lone surrogates as U+FFFD (like TextEncoder)', () => {
    const unit = fc.oneof(
      fc.nat(0xffff).map((c) => String.fromCharCode(c)),
      fc.constantFrom('\ud83d\udd10', '\ud800', '\udc00', 'é', '\u07ff', '\u0800'),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (s) => {
        expect(traceHash(s)).toBe(reference(s));
      }),
    );
    expect(traceHash(serializeTrace(header, events))).toBe(
      reference(serializeTrace(header, events)),
    );
  });
});

describe('reader errors', () => {
  it('empty: 0 bytes, or only blank lines', () => {
    expect(failure('')).toMatchObject({ code: 'empty', line: 0 });
    expect(failure('\n \n')).toMatchObject({ code: 'empty', line: 0 });
  });

  it('not-json, with line and column', () => {
    const e = failure(`${H}\n${E()}\n{"t":1\n${E()}\n`);
    expect(e).toMatchObject({ code: 'not-json', line: 3, column: 7 });
    expect(e.message).toMatch(/^line 3 is not valid JSON: .* at column 7$/);
    expect(failure(`${H}\ngarbage\n`)).toMatchObject({ code: 'not-json', line: 2 });
    expect(failure('garbage\n')).toMatchObject({ code: 'not-json', line: 1 });
    // The line is not echoed back into the message, however long it is.
    expect(failure(`${H}\nx${'y'.repeat(10_000)}\n`).message.length).toBeLessThan(300);
  });

  it('not-json: blank lines are only allowed at the end', () => {
    expect(failure(`${H}\n\n${E()}\n`)).toMatchObject({ code: 'not-json', line: 2 });
    expect(failure(`\n${H}\n`)).toMatchObject({ code: 'not-json', line: 1 });
    expect(parsed(`${H}\n${E()}\n\n  \n\r\n`).events).toHaveLength(1);
  });

  it('bad-header: not an object, a missing, unknown or ill-typed field', () => {
    expect(failure('[1]\n')).toMatchObject({ code: 'bad-header', line: 1 });
    const { engine: _, ...noEngine } = header;
    expect(failure(`${JSON.stringify(noEngine)}\n`)).toMatchObject({
      code: 'bad-header',
      line: 1,
      path: 'engine',
      message: 'line 1 (header): missing field "engine"',
    });
    expect(failure(`${JSON.stringify({ ...header, color: 'red' })}\n`)).toMatchObject({
      code: 'bad-header',
      path: 'color',
      message: 'line 1 (header): unknown field "color"',
    });
    expect(failure(`${JSON.stringify({ ...header, world: 'moon' })}\n`)).toMatchObject({
      code: 'bad-header',
      path: 'world',
    });
    expect(failure(`${JSON.stringify({ ...header, endpoints: ['a', 1] })}\n`)).toMatchObject({
      code: 'bad-header',
      path: 'endpoints.1',
    });
    expect(failure(`${JSON.stringify({ ...header, seed: null })}\n`)).toMatchObject({
      path: 'seed',
    });
    expect(failure(`${JSON.stringify({ ...header, version: '1' })}\n`)).toMatchObject({
      code: 'bad-header',
      path: 'version',
    });
  });

  it('wrong-format: another format, or no header at all', () => {
    const e = failure(`${JSON.stringify({ ...header, format: 'pcap-json' })}\n`);
    expect(e).toMatchObject({ code: 'wrong-format', line: 1, path: 'format' });
    expect(e.message).toContain('"pcap-json"');
    expect(failure(`${E()}\n`).message).toContain('is the header line missing?');
  });

  it('unsupported-version says which version it is and which is supported', () => {
    const e = failure(`${JSON.stringify({ ...header, version: 2 })}\n`);
    expect(e).toMatchObject({ code: 'unsupported-version', line: 1 });
    expect(e.message).toBe(
      'line 1: trace version 2 is not supported; this reader supports version 1',
    );
  });

  it('bad-event: names the line and the field', () => {
    const cases: [string, string, string][] = [
      [K('error', { error: { ...recordError('closed', 'x'), errno: 'EFOO' } }), 'error.errno', ''],
      [K('error', { error: { ...recordError('closed', 'x'), code: 'nope' } }), 'error.code', ''],
      [K('record-open', { seq: '18446744073709551616' }), 'seq', 'below 2^64'],
      [K('record-open', { seq: '007' }), 'seq', 'leading zeros'],
      [K('record-open', { seq: '-1' }), 'seq', ''],
      [K('open-request', { nonce: 'ABCD' }), 'nonce', 'lowercase hex'],
      [K('open-request', { key: 'abc' }), 'key', 'even number'],
      [K('deliver-data', { preview: 'aa'.repeat(65) }), 'preview', 'at most 64 bytes'],
      [E({ t: -1 }), 't', 'non-negative integer'],
      [E({ t: 1.5 }), 't', 'non-negative integer'],
      [K('record-out', { type: 256 }), 'type', '0 to 255'],
      [E({ lane: 'disk' }), 'lane', ''],
      [E({ kind: 'explode' }), 'kind', ''],
      [
        K('violation', { violation: { invariant: 1, name: 'x' } as TraceViolation }),
        'violation.message',
        'missing field',
      ],
      [E().replace('}', ',"colour":1}'), 'colour', 'unknown field "colour"'],
      [E().replace('"t":0,', ''), 't', 'missing field "t"'],
      // the closed vocabulary: a field of another kind, a lane the kind is not drawn on
      [E({ seq: '1' }), 'seq', 'unknown field "seq"'],
      [E({ lane: 'cp' }), 'lane', ''],
      [K('record-open', { seq: undefined }), 'seq', 'missing field "seq"'],
    ];
    for (const [line, path, text] of cases) {
      const e = failure(`${H}\n${E()}\n${line}\n`);
      expect(e, line).toMatchObject({ code: 'bad-event', line: 3, path });
      expect(e.message, line).toMatch(/^line 3/);
      expect(e.message, line).toContain(text);
    }
    expect(failure(`${H}\n[]\n`)).toMatchObject({ code: 'bad-event', line: 2 });
    expect(failure(`${H}\n${K('seal-done', { t: -1 })}\n`).message).toContain('(seal-done event)');
  });

  it('truncated: an unterminated last line that is not complete JSON', () => {
    const full = `${H}\n${E()}\n${E({ note: 'last' })}`;
    expect(parsed(full).events).toHaveLength(2);
    for (const cut of [full.length - 1, full.length - 8, H.length + 1 + 3]) {
      const text = full.slice(0, cut);
      const line = text.split('\n').length;
      expect(failure(text), text).toMatchObject({ code: 'truncated', line });
    }
    expect(failure(H.slice(0, 20))).toMatchObject({ code: 'truncated', line: 1 });
    // With a newline the same bytes are simply not JSON.
    expect(failure(`${full.slice(0, -3)}\n`)).toMatchObject({ code: 'not-json', line: 3 });
  });

  it('too-large counts UTF-8 bytes against maxBytes', () => {
    const text = serializeTrace(header, events);
    expect(failure(text, text.length - 1)).toMatchObject({ code: 'too-large', line: 0 });
    expect(parseTrace(text, { maxBytes: text.length }).ok).toBe(true);
    const wide = serializeTrace(header, [{ t: 0, ep: 'c', lane: 'cp', kind: 'note', note: 'é🔐' }]);
    const bytes = new TextEncoder().encode(wide).length;
    expect(bytes).toBe(wide.length + 1 + 2);
    expect(failure(wide, bytes - 1).code).toBe('too-large');
    expect(parseTrace(wide, { maxBytes: bytes }).ok).toBe(true);
  });

  it('tolerates CRLF line ends and a leading byte-order mark', () => {
    const text = serializeTrace(header, events);
    expect(parsed(text.replaceAll('\n', '\r\n')).events).toEqual(events);
    expect(parsed(`\ufeff${text}`).header).toEqual(header);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const arbHeader: fc.Arbitrary<TraceHeader> = fc
  .record(
    {
      world: fc.constantFrom('sim', 'kernel', 'core', 'capture'),
      design: arbText,
      scenario: arbText,
      seed: arbText,
      repro: arbText,
      engine: arbText,
      kernel: arbText,
      endpoints: fc.array(arbText, { maxLength: 3 }),
      suite: arbText,
    },
    { requiredKeys: ['world', 'design', 'engine', 'endpoints'] },
  )
  .map((h) => ({ format: TRACE_FORMAT, version: TRACE_VERSION, ...h }));

const CODES = [
  'empty',
  'not-json',
  'bad-header',
  'wrong-format',
  'unsupported-version',
  'bad-event',
  'truncated',
  'too-large',
];

/** The text of a valid trace: a header and events drawn under `events`. */
function arbTraceText(events: fc.ArrayConstraints): fc.Arbitrary<string> {
  return fc.tuple(arbHeader, fc.array(arbEvent, events)).map(([h, evs]) => serializeTrace(h, evs));
}

/** Edits of `text`: each an offset into it followed by what `edit` draws (what to cut or insert). */
function arbEditsIn<A, B>(
  text: string,
  edit: [fc.Arbitrary<A>, fc.Arbitrary<B>],
  count: fc.ArrayConstraints,
): fc.Arbitrary<[number, A, B][]> {
  return fc.array(fc.tuple(fc.nat(text.length), ...edit), count);
}

/** A valid trace with a few characters deleted or inserted here and there. */
const arbCorrupted = arbTraceText({ minLength: 1, maxLength: 4 })
  .chain((text) =>
    fc.tuple(
      fc.constant(text),
      arbEditsIn(
        text,
        [fc.nat(8), fc.oneof(arbText, fc.constantFrom('{', '}', ',', ':', '"', '\n', ' ', '\r\n'))],
        { minLength: 1, maxLength: 4 },
      ),
    ),
  )
  .map(([text, edits]) =>
    edits.reduce((s, [at, del, ins]) => s.slice(0, at) + ins + s.slice(at + del), text),
  );

describe('properties', () => {
  it('random valid traces round trip exactly', () => {
    fc.assert(
      fc.property(arbHeader, fc.array(arbEvent, { maxLength: 8 }), (h, evs) => {
        const text = serializeTrace(h, evs);
        const r = parsed(text);
        expect(r.header).toEqual(h);
        expect(r.events).toEqual(evs);
        expect(serializeTrace(r.header, r.events)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  function checkNeverThrows(text: string): void {
    let r: ParsedTrace | undefined;
    expect(() => {
      r = parseTrace(text);
    }).not.toThrow();
    expect(typeof r!.ok).toBe('boolean');
    if (!r!.ok) {
      const { error } = r!;
      expect(CODES).toContain(error.code);
      expect(Number.isInteger(error.line)).toBe(true);
      expect(error.line).toBeGreaterThanOrEqual(0);
      expect(error.line).toBeLessThanOrEqual(text.split('\n').length);
      expect(error.message).toMatch(/^(line \d|trace )/);
    }
  }

  it('random garbage never throws', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), checkNeverThrows), { numRuns: 500 });
    fc.assert(
      fc.property(fc.array(fc.oneof(arbText, fc.json()), { maxLength: 5 }), (lines) =>
        checkNeverThrows(`${lines.join('\n')}\n`),
      ),
      { numRuns: 300 },
    );
  });

  it('corrupted valid traces never throw', () => {
    fc.assert(fc.property(arbCorrupted, checkNeverThrows), { numRuns: 500 });
  });
});

// ---------------------------------------------------------------------------------------------
// The reader against a plain reference

type Verdict =
  | { readonly ok: true; readonly header: unknown; readonly events: unknown[] }
  | { readonly ok: false; readonly code: string; readonly line: number };

/**
 * What `parseTrace` must decide, written the plain way: split into lines, then JSON.parse and the
 * valibot schemas on every line. The reader finds lines with `indexOf` and checks events with
 * traceCheck.ts; this is the spelling it must agree with.
 */
function reference(text: string): Verdict {
  const bad = (code: string, line: number): Verdict => ({ ok: false, code, line });
  if (text.length === 0) return bad('empty', 0);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  const blank = (l: string) => /^[ \t\r]*$/.test(l);
  let last = lines.length - 1;
  while (last >= 0 && blank(lines[last]!)) last--;
  if (last < 0) return bad('empty', 0);
  let header: unknown;
  const events: unknown[] = [];
  for (let i = 0; i <= last; i++) {
    const line = lines[i]!;
    if (blank(line)) return bad('not-json', i + 1);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return bad(i === lines.length - 1 ? 'truncated' : 'not-json', i + 1);
    }
    const object = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (i === 0) {
      const h = value as Record<string, unknown>;
      if (!object) return bad('bad-header', 1);
      if (h.format !== TRACE_FORMAT) return bad('wrong-format', 1);
      if (typeof h.version === 'number' && h.version !== TRACE_VERSION)
        return bad('unsupported-version', 1);
      const r = v.safeParse(TraceHeaderSchema, value, { abortEarly: true });
      if (!r.success) return bad('bad-header', 1);
      header = r.output;
    } else {
      const r = v.safeParse(TraceEventSchema, value, { abortEarly: true });
      if (!object || !r.success) return bad('bad-event', i + 1);
      events.push(r.output);
    }
  }
  return { ok: true, header, events };
}

function verdictOf(r: ParsedTrace): Verdict {
  return r.ok
    ? { ok: true, header: r.header, events: r.events }
    : { ok: false, code: r.error.code, line: r.error.line };
}

/** Line-level damage: blank lines, split and joined lines, trailing white space, a cut end. */
const arbLineEdited = arbTraceText({ maxLength: 5 })
  .chain((text) =>
    fc.tuple(
      fc.constant(text),
      arbEditsIn(
        text,
        [
          fc.constantFrom('\n', '\n\n', ' \n', '\t\r\n', '', '\u00a0', '\ufeff', '},{', '}\n{'),
          fc.nat(2),
        ],
        { maxLength: 3 },
      ),
      fc.nat(12),
      fc.constantFrom('', '\ufeff'),
      fc.constantFrom('', '\n', ' ', '\t', '\t\n', '\r', '\n\n \t\r\n', '\u00a0\n', '\n\t'),
    ),
  )
  .map(([text, edits, cut, prefix, suffix]) => {
    let s = text;
    for (const [at, ins, del] of edits) {
      // Newlines are deleted too: joining two lines is damage as well.
      s = s.slice(0, at) + ins + s.slice(at + del);
    }
    return prefix + (cut === 0 ? s.slice(0, Math.max(0, s.length - 7)) : s) + suffix;
  });

/**
 * Whole lines mixed: events, white-space-only lines (`\r`, `\t`), garbage, a cut-off object, a
 * raw lone surrogate in a string, under a header or something else on line 1, each ended by `\n`,
 * `\r\n` or white space first, maybe after a byte-order mark, and a last piece without `\n`.
 */
const arbLineMix = fc
  .tuple(
    fc.constantFrom('', '\ufeff'),
    fc.oneof(
      { weight: 5, arbitrary: arbHeader.map(headerLine) },
      fc.constantFrom(
        '',
        ' ',
        '\r',
        '\t \r',
        E(),
        JSON.stringify({ ...header, format: 'pcap-json' }),
        JSON.stringify({ ...header, version: 2 }),
        '[]',
      ),
    ),
    fc.array(
      fc.tuple(
        fc.oneof(
          { weight: 4, arbitrary: arbEvent.map(traceLine) },
          fc.constantFrom(
            '',
            ' ',
            '\t',
            '\r',
            ' \t\r ',
            'garbage',
            '{"t":1',
            '[]',
            '\u00a0',
            '🔐',
            '"\ud800"',
            E({ note: 'n' }).replace('"n"', '"\ud83d\udd10\udc00"'),
          ),
        ),
        fc.constantFrom('\n', '\r\n', ' \n', '\t\r\n', '\r\r\n'),
      ),
      { maxLength: 8 },
    ),
    fc.constantFrom('\n', '\r\n'),
    fc.constantFrom('', ' ', '  ', '\t', '\r', '\r\n', '\n\n', ' \r\n \t', '{"t":', E(), '🔐', 'x'),
  )
  .map(
    ([bom, first, rest, firstEnd, last]) =>
      bom + first + firstEnd + rest.map(([line, end]) => line + end).join('') + last,
  );

describe('reading line by line', () => {
  it('decides as the plain reference does, on valid, corrupted and re-lined traces', () => {
    let ok = 0;
    let bad = 0;
    const agree = (text: string) => {
      const got = verdictOf(parseTrace(text));
      expect(got).toEqual(reference(text));
      if (got.ok) ok++;
      else bad++;
    };
    fc.assert(
      fc.property(arbHeader, fc.array(arbEvent, { maxLength: 6 }), (h, evs) =>
        agree(serializeTrace(h, evs)),
      ),
      { numRuns: 200 },
    );
    fc.assert(fc.property(arbCorrupted, agree), { numRuns: 600 });
    fc.assert(fc.property(arbLineEdited, agree), { numRuns: 600 });
    fc.assert(fc.property(arbLineMix, agree), { numRuns: 600 });
    // Both outcomes well represented, or agreeing proves little.
    expect(ok).toBeGreaterThan(300);
    expect(bad).toBeGreaterThan(300);
  });
});

// ---------------------------------------------------------------------------------------------
// Streaming: TraceReader against parseTrace

/**
 * Pushes `text` cut at `cuts` (sorted; a repeated cut is an empty push), then ends. Checks what
 * the reader promises along the way: `pushed` counts what it was given, a failure from `push` is
 * final (later pushes and `end`, twice, return that very object).
 */
function streamed(text: string, cuts: readonly number[], options: TraceStreamOptions = {}) {
  const reader = new TraceReader(options);
  let failure: ParsedTrace | null = null;
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    const r = reader.push(text.slice(from, cut));
    // Plain checks per push (`expect` on every one of thousands of pushes is what made this slow).
    if (failure) {
      if (r !== failure) expect.fail('a push after the failure did not return it');
    } else {
      if (reader.pushed !== cut) expect.fail(`pushed is ${reader.pushed} after ${cut} units`);
      if (r?.ok) expect.fail('push returned an ok result');
      failure = r;
    }
    from = cut;
  }
  const result = reader.end();
  if (failure) expect(result).toBe(failure);
  expect(reader.end()).toBe(result);
  expect(reader.push('{}\n')).toBe(result);
  return { result, reader };
}

/**
 * Cut points into `text`, often where a split is awkward: between `\r` and `\n`, between the
 * halves of a surrogate pair, before a byte-order mark, around line ends, at 0 (an empty first
 * push) and 1 (a lone mark); sometimes one code unit per push.
 */
function arbCuts(text: string): fc.Arbitrary<number[]> {
  const awkward = [0, 1, text.length];
  for (let i = 1; i < text.length; i++) {
    const before = text.charCodeAt(i - 1);
    const at = text.charCodeAt(i);
    if (before === 0x0d || before === 0x0a || at === 0x0a || at === 0xfeff) awkward.push(i);
    else if (before >= 0xd800 && before <= 0xdbff) awkward.push(i);
  }
  const every = Array.from({ length: text.length + 1 }, (_, i) => i);
  return fc
    .oneof(
      {
        weight: 6,
        arbitrary: fc.array(fc.oneof(fc.nat(text.length), fc.constantFrom(...awkward))),
      },
      { weight: 1, arbitrary: fc.constant(every) },
    )
    .map((cuts) => [...cuts].sort((a, b) => a - b));
}

/** Events `parseTrace` reads before the line that fails (`line` 0: none). */
function eventsBefore(text: string, line: number): readonly TraceEvent[] {
  if (line <= 1) return [];
  let start = 0;
  for (let n = 1; n < line; n++) start = text.indexOf('\n', start) + 1;
  const r = parseTrace(text.slice(0, start));
  // Every line before the failing one is a valid header or event (a blank one would have failed).
  if (!r.ok) throw new Error(`prefix of line ${line} failed: ${JSON.stringify(r.error)}`);
  return r.events;
}

const arbAnyTrace = fc.oneof(
  arbTraceText({ maxLength: 10 }),
  arbCorrupted,
  arbLineEdited,
  arbLineMix,
);

describe('streaming (TraceReader)', () => {
  it('gives exactly parseTrace’s result on the whole text, however it is pushed', () => {
    let ok = 0;
    let bad = 0;
    fc.assert(
      fc.property(
        arbAnyTrace.chain((text) => fc.tuple(fc.constant(text), arbCuts(text))),
        ([text, cuts]) => {
          const expected = parseTrace(text);
          const { result, reader } = streamed(text, cuts);
          expect(result).toStrictEqual(expected);
          if (expected.ok) ok++;
          else bad++;
          if (expected.ok) expect(reader.header).toEqual(expected.header);
          else if (expected.error.line <= 1) expect(reader.header).toBeUndefined();

          // With `onEvent`: the same events, in order and numbered, and none kept.
          const seen: TraceEvent[] = [];
          const onEvent = (event: TraceEvent, index: number) => {
            expect(index).toBe(seen.length);
            seen.push(event);
          };
          const handed = streamed(text, cuts, { onEvent }).result;
          if (expected.ok) {
            expect(handed).toStrictEqual({ ...expected, events: [] });
            expect(seen).toEqual(expected.events);
          } else {
            expect(handed).toStrictEqual(expected);
            expect(seen).toEqual(eventsBefore(text, expected.error.line));
          }
        },
      ),
      { numRuns: 1200 },
    );
    // Both outcomes well represented, or agreeing proves little.
    expect(ok).toBeGreaterThan(300);
    expect(bad).toBeGreaterThan(300);
  });

  it('blank lines: held until a line that is not blank follows, which fails at the first', () => {
    const cases: [string, string | number][] = [
      [`${H}\n${E()}\n   `, 1], // a last line of spaces without `\n` trails
      [`${H}\n${E()}\r\n \r\n\t\r\n\r`, 1],
      [`${H}\n${E()}`, 1], // a last line without `\n` that is complete JSON
      [`${H}`, 0],
      [`${H}\n \r\t\n${E()}\n`, 'not-json@2'],
      [`${H}\n\r\n\t\n{`, 'not-json@2'], // even if what follows is cut off
      [`${H}\n \u00a0\n`, 'not-json@2'], // no-break space is not JSON white space
      [`${H}\n\n\n${E()}`, 'not-json@2'],
      [`\ufeff\n${H}\n`, 'not-json@1'],
      [' \n', 'empty'],
      [`\ufeff`, 'empty'],
      [`\ufeff\r\n \t`, 'empty'],
      ['', 'empty'],
      [`\ufeff\ufeff${H}\n`, 'not-json@1'], // only one mark is ignored
    ];
    for (const [text, want] of cases) {
      const expected = parseTrace(text);
      if (typeof want === 'number') expect(expected, text).toMatchObject({ ok: true });
      if (typeof want === 'number' && expected.ok) expect(expected.events).toHaveLength(want);
      if (want === 'empty') expect(expected).toMatchObject({ ok: false, error: { code: 'empty' } });
      if (typeof want === 'string' && want.includes('@')) {
        const [code, line] = want.split('@');
        expect(expected, text).toMatchObject({ ok: false, error: { code, line: Number(line) } });
      }
      const every = Array.from({ length: text.length + 1 }, (_, i) => i);
      for (const cut of [[], every, [0], [1], [text.length - 1]]) {
        const cuts = cut.filter((c) => c >= 0 && c <= text.length);
        expect(streamed(text, cuts).result, `${JSON.stringify(text)} cut ${cuts}`).toEqual(
          expected,
        );
      }
    }
    expect(failure('')).toMatchObject({
      message: 'trace is empty (0 bytes): expected a header line',
    });
    expect(failure('\ufeff').message).toBe('trace has only blank lines: expected a header line');
    expect(new TraceReader().end()).toEqual(parseTrace(''));
  });

  it('a blank line fails as soon as a line that is not blank begins after it', () => {
    const reader = new TraceReader();
    expect(reader.push(`${H}\n${E()}\n \n`)).toBeNull();
    expect(reader.push('\r\n\t')).toBeNull();
    const r = reader.push(' {');
    expect(r).toEqual(parseTrace(`${H}\n${E()}\n \n\r\n\t {"t":0}\n`));
    expect(r).toMatchObject({ ok: false, error: { code: 'not-json', line: 3 } });
  });

  it('hands each event on as soon as its line ends, and keeps none', () => {
    const seen: [TraceEvent, number][] = [];
    const reader = new TraceReader({ onEvent: (e, i) => seen.push([e, i]) });
    expect(reader.push(`\ufeff${H.slice(0, 10)}`)).toBeNull();
    expect(reader.header).toBeUndefined();
    expect(reader.push(`${H.slice(10)}\r`)).toBeNull();
    expect(reader.header).toBeUndefined(); // line 1 has not ended yet
    expect(reader.push(`\n${traceLine(events[0]!)}\n${traceLine(events[1]!)}`)).toBeNull();
    expect(reader.header).toEqual(header);
    expect(seen).toEqual([[events[0], 0]]);
    expect(reader.pushed).toBe(
      1 + H.length + 1 + 1 + traceLine(events[0]!).length + 1 + traceLine(events[1]!).length,
    );
    // The last line needs no `\n`: it is read at the end.
    expect(reader.end()).toEqual({ ok: true, header, events: [] });
    // Nor does the reader hold them anywhere (a white-box look: the point is memory, not output).
    expect(Reflect.get(reader, 'events')).toEqual([]);
    expect(seen).toEqual([
      [events[0], 0],
      [events[1], 1],
    ]);
  });

  it('a BOM alone in the first push, or after an empty one, is still the leading mark', () => {
    const text = serializeTrace(header, events);
    for (const pieces of [
      ['\ufeff', text],
      ['', '\ufeff', text],
      ['', '', `\ufeff${text}`],
    ]) {
      const reader = new TraceReader();
      for (const p of pieces) expect(reader.push(p)).toBeNull();
      expect(reader.end()).toEqual({ ok: true, header, events });
    }
    // A mark at the start of a later push is text: not JSON.
    const reader = new TraceReader();
    expect(reader.push(`${text.slice(0, H.length + 1)}`)).toBeNull();
    expect(reader.push(`\ufeff${text.slice(H.length + 1)}`)).toMatchObject({
      ok: false,
      error: { code: 'not-json', line: 2 },
    });
  });

  it('after a failure, pushes are ignored and return it; end returns the same result each time', () => {
    const reader = new TraceReader();
    const r = reader.push(`${H}\ngarbage\n`);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-json', line: 2 } });
    const pushed = reader.pushed;
    expect(reader.push(`${E()}\n`)).toBe(r);
    expect(reader.pushed).toBe(pushed);
    expect(reader.end()).toBe(r);
    expect(reader.end()).toBe(r);

    const ok = new TraceReader();
    expect(ok.push(serializeTrace(header, events))).toBeNull();
    const result = ok.end();
    expect(result.ok).toBe(true);
    expect(ok.end()).toBe(result);
    expect(ok.push('garbage\n')).toBe(result);
  });
});

describe('streaming size limit', () => {
  it('fails with too-large in the push that passes the limit', () => {
    const text = serializeTrace(header, events);
    const third = Math.floor(text.length / 3);
    const pieces = [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)];
    const maxBytes = 2 * third + 1;
    const reader = new TraceReader({ maxBytes });
    expect(reader.push(pieces[0]!)).toBeNull();
    expect(reader.push(pieces[1]!)).toBeNull();
    const r = reader.push(pieces[2]!);
    expect(r).toEqual(parseTrace(text, { maxBytes }));
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'too-large',
        line: 0,
        message: `trace is larger than the limit of ${maxBytes} bytes`,
      },
    });
    expect(reader.push('\n')).toBe(r);
    expect(reader.end()).toBe(r);
  });

  it('a line failure found before the limit is passed wins; in one push the size comes first', () => {
    const text = `${H}\ngarbage\n${E()}\n`;
    const maxBytes = text.length - 1;
    const reader = new TraceReader({ maxBytes });
    expect(reader.push(`${H}\n`)).toBeNull();
    const r = reader.push('garbage\n');
    expect(r).toMatchObject({ ok: false, error: { code: 'not-json', line: 2 } });
    expect(reader.push(`${E()}\n`)).toBe(r);
    expect(failure(text, maxBytes).code).toBe('too-large');
  });

  it('counts astral characters split across pushes as 4 bytes, lone surrogates as 3', () => {
    const note = '🔐é\u0800🔐';
    const text = serializeTrace(header, [{ t: 0, ep: 'c', lane: 'cp', kind: 'note', note }]);
    const bytes = new TextEncoder().encode(text).length;
    const at = text.indexOf('🔐') + 1; // between the halves of the first pair
    for (const cuts of [[at], [at, at + 1, at + 3], Array.from(text, (_, i) => i)]) {
      expect(streamed(text, cuts, { maxBytes: bytes }).result.ok).toBe(true);
      expect(streamed(text, cuts, { maxBytes: bytes - 1 }).result).toMatchObject({
        ok: false,
        error: { code: 'too-large' },
      });
    }
    // JSON takes raw lone surrogates in a string: high then not low, low after low, low first.
    for (const raw of ['\ud83dx', '\udd10\udd10', '\ud83d\ud83d\udd10', '\udd10\ud83d']) {
      const lone = `${H}\n${E({ note: 'n' }).replace('"n"', `"${raw}"`)}\n`;
      const size = new TextEncoder().encode(lone).length;
      for (let cut = 0; cut <= lone.length; cut++) {
        expect(streamed(lone, [cut], { maxBytes: size }).result.ok, raw).toBe(true);
        expect(streamed(lone, [cut], { maxBytes: size - 1 }).result.ok, raw).toBe(false);
      }
    }
  });

  it('at a limit of exactly the UTF-8 size nothing changes, one byte less fails', () => {
    const unit = fc.constantFrom(
      '\ud83d',
      '\udd10',
      '\ud800',
      '\udc00',
      'a',
      'é',
      '\u07ff',
      '\u0800',
    );
    const arbRaw = fc
      .string({ unit, maxLength: 12 })
      .map((raw) => `${H}\n${E({ note: 'n' }).replace('"n"', `"${raw}"`)}\n`);
    fc.assert(
      fc.property(
        fc.oneof(arbAnyTrace, arbRaw).chain((text) => fc.tuple(fc.constant(text), arbCuts(text))),
        ([text, cuts]) => {
          const bytes = new TextEncoder().encode(text).length;
          const whole = parseTrace(text);
          expect(streamed(text, cuts, { maxBytes: bytes }).result).toEqual(whole);
          const tooLarge = parseTrace(text, { maxBytes: bytes - 1 });
          expect(tooLarge).toMatchObject({ ok: false, error: { code: 'too-large' } });
          const r = streamed(text, cuts, { maxBytes: bytes - 1 }).result;
          // Over the limit, a failure read in an earlier push may come first: it is the text's own.
          if (whole.ok) expect(r).toEqual(tooLarge);
          else expect([tooLarge, whole]).toContainEqual(r);
        },
      ),
      { numRuns: 800 },
    );
  });
});
