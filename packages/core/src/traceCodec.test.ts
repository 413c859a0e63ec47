import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { toHex } from './bytes.js';
import {
  ERROR_CATALOG,
  type RecordError,
  type RecordErrorCode,
  RecordLayerError,
  recordError,
} from './errors.js';
import { AlertDescription, type AlertName } from './protocol.js';
import {
  LANES,
  TRACE_FORMAT,
  TRACE_KINDS,
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
    preview: toHex(new Uint8Array(11)),
  },
  {
    t: 1,
    ep: 'client',
    lane: 'dp-tx',
    kind: 'seal-request',
    seq: '0',
    epoch: 3,
    type: 23,
    req: 7,
    key: '0123456789abcdef',
    nonce: '000102030405060708090a0b',
    aad: '1703030020',
  },
  { t: 2, ep: 'client', lane: 'wire', kind: 'record-out', wire: 38, header: '1703030021' },
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
  { t: 5, ep: 'server', lane: 'dp-rx', kind: 'freeze', reason: 'key_update' },
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
const E = (e: Partial<TraceEvent> = {}) =>
  traceLine({ t: 0, ep: 'client', lane: 'wire', kind: 'segment', ...e });

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
    w.push(mutable);
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
      [
        E({ error: { ...recordError('closed', 'x'), errno: 'EFOO' as 'EPIPE' } }),
        'error.errno',
        '',
      ],
      [E({ error: { ...recordError('closed', 'x'), code: 'nope' as 'closed' } }), 'error.code', ''],
      [E({ seq: '18446744073709551616' }), 'seq', 'below 2^64'],
      [E({ seq: '007' }), 'seq', 'leading zeros'],
      [E({ seq: '-1' }), 'seq', ''],
      [E({ nonce: 'ABCD' }), 'nonce', 'lowercase hex'],
      [E({ key: 'abc' }), 'key', 'even number'],
      [E({ preview: 'aa'.repeat(65) }), 'preview', 'at most 64 bytes'],
      [E({ t: -1 }), 't', 'non-negative integer'],
      [E({ t: 1.5 }), 't', 'non-negative integer'],
      [E({ type: 256 }), 'type', '0 to 255'],
      [E({ lane: 'disk' as 'wire' }), 'lane', ''],
      [E({ kind: 'explode' as 'note' }), 'kind', ''],
      [
        E({ violation: { invariant: 1, name: 'x' } as TraceViolation }),
        'violation.message',
        'missing field',
      ],
      [E().replace('}', ',"colour":1}'), 'colour', 'unknown field "colour"'],
      [E().replace('"t":0,', ''), 't', 'missing field "t"'],
    ];
    for (const [line, path, text] of cases) {
      const e = failure(`${H}\n${E()}\n${line}\n`);
      expect(e, line).toMatchObject({ code: 'bad-event', line: 3, path });
      expect(e.message, line).toMatch(/^line 3/);
      expect(e.message, line).toContain(text);
    }
    expect(failure(`${H}\n[]\n`)).toMatchObject({ code: 'bad-event', line: 2 });
    expect(failure(`${H}\n${E({ t: -1, kind: 'seal-done' })}\n`).message).toContain(
      '(seal-done event)',
    );
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

const arbText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('<', '>', '&', '"', '\\', '\n', '\r', '\u2028', '\u0000', '\ud800', '🔐'),
    fc.nat(0xffff).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 20,
});
const arbHex = (maxBytes = 24) => fc.uint8Array({ maxLength: maxBytes }).map(toHex);
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

const arbEvent: fc.Arbitrary<TraceEvent> = fc.record(
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

/** A valid trace with a few characters deleted or inserted here and there. */
const arbCorrupted = fc
  .tuple(arbHeader, fc.array(arbEvent, { minLength: 1, maxLength: 4 }))
  .map(([h, evs]) => serializeTrace(h, evs))
  .chain((text) =>
    fc.tuple(
      fc.constant(text),
      fc.array(
        fc.tuple(
          fc.nat(text.length),
          fc.nat(8),
          fc.oneof(arbText, fc.constantFrom('{', '}', ',', ':', '"', '\n', ' ', '\r\n')),
        ),
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
const arbLineEdited = fc
  .tuple(arbHeader, fc.array(arbEvent, { maxLength: 5 }))
  .map(([h, evs]) => serializeTrace(h, evs))
  .chain((text) =>
    fc.tuple(
      fc.constant(text),
      fc.array(
        fc.tuple(
          fc.nat(text.length),
          fc.constantFrom('\n', '\n\n', ' \n', '\t\r\n', '', '\u00a0', '\ufeff', '},{', '}\n{'),
          fc.nat(2),
        ),
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
    // Both outcomes well represented, or agreeing proves little.
    expect(ok).toBeGreaterThan(300);
    expect(bad).toBeGreaterThan(300);
  });

  it('position never passes length, also after an unterminated last line', () => {
    // Found by the property below (seed -84207664): a valid last line without `\n` left
    // `position` one past the end until the next read.
    const text = `${serializeTrace(header, [])}${JSON.stringify(events[0])}`;
    const reader = new TraceReader(text);
    expect(reader.read(1)).toBeNull();
    expect(reader.read(1)).toBeNull();
    expect(reader.position).toBeLessThanOrEqual(reader.length);
    expect(reader.read(1)?.ok).toBe(true);
    expect(reader.position).toBe(reader.length);
  });

  it('reads in slices of any size to exactly the same result', () => {
    const arbText = fc.oneof(
      fc
        .tuple(arbHeader, fc.array(arbEvent, { maxLength: 12 }))
        .map(([h, evs]) => serializeTrace(h, evs)),
      arbCorrupted,
      arbLineEdited,
    );
    fc.assert(
      fc.property(arbText, fc.integer({ min: 1, max: 5 }), (text, slice) => {
        const reader = new TraceReader(text);
        let steps = 0;
        let result = reader.read(slice);
        while (result === null) {
          expect(reader.position).toBeLessThanOrEqual(reader.length);
          result = reader.read(slice);
          steps++;
        }
        expect(result).toEqual(parseTrace(text));
        expect(reader.position).toBe(reader.length);
        // A trace of n lines takes about n / slice reads, never many more.
        expect(steps).toBeLessThanOrEqual(text.split('\n').length / slice + 1);
      }),
      { numRuns: 400 },
    );
  });
});
