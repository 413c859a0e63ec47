import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, toHex } from './bytes.js';
import { encodeHeader, encodeRecord } from './codec.js';
import type { RecordErrorCode } from './errors.js';
import {
  createParser,
  feed,
  kernelLimits,
  type ParserState,
  peekHeader,
  peekType,
  plaintextLimits,
  type RecordLimits,
  rfcLimits,
  type TakeResult,
  takeBytes,
  takeRecord,
  withLimits,
} from './parser.js';
import { TLS_1_2, TLS_1_3 } from './protocol.js';
import { SUITES, suiteFor } from './suites.js';

const FRAMING_ERRORS: readonly RecordErrorCode[] = [
  'record_overflow',
  'record_too_short',
  'bad_record_version',
];

/** Every limits profile the parser is used with, by a readable name. */
const PROFILES: readonly (readonly [string, RecordLimits])[] = [
  ...SUITES.map((s) => [`kernel ${s.name}`, kernelLimits(s)] as const),
  ['rfc TLS 1.3', rfcLimits(TLS_1_3)],
  ['rfc TLS 1.2', rfcLimits(TLS_1_2)],
  ['plaintext', plaintextLimits()],
];

function body(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * 31) & 0xff;
  return out;
}

function parserWith(limits: RecordLimits, ...chunks: Uint8Array[]): ParserState {
  return chunks.reduce(feed, createParser(limits));
}

function expectRecord(r: TakeResult): Extract<TakeResult, { kind: 'record' }> {
  if (r.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(r)}`);
  return r;
}

function expectError(r: TakeResult): Extract<TakeResult, { kind: 'error' }> {
  if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`);
  return r;
}

describe('limits', () => {
  it('kernel limits per suite match tls_rx_msg_size (docs/kernel-tls.md §5, §8)', () => {
    const table = Object.fromEntries(SUITES.map((s) => [s.name, kernelLimits(s)]));
    expect(table).toEqual({
      TLS_AES_128_GCM_SHA256: { profile: 'kernel', maxBody: 16401, minBody: 16, prepend: 5 },
      TLS_AES_256_GCM_SHA384: { profile: 'kernel', maxBody: 16401, minBody: 16, prepend: 5 },
      TLS_CHACHA20_POLY1305_SHA256: { profile: 'kernel', maxBody: 16401, minBody: 16, prepend: 5 },
      TLS_AES_128_CCM_SHA256: { profile: 'kernel', maxBody: 16401, minBody: 16, prepend: 5 },
      TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: {
        profile: 'kernel',
        maxBody: 16408,
        minBody: 24,
        prepend: 13,
      },
      TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: {
        profile: 'kernel',
        maxBody: 16408,
        minBody: 24,
        prepend: 13,
      },
      TLS_ECDHE_ECDSA_WITH_AES_128_CCM: {
        profile: 'kernel',
        maxBody: 16408,
        minBody: 24,
        prepend: 13,
      },
      TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: {
        profile: 'kernel',
        maxBody: 16400,
        minBody: 16,
        prepend: 5,
      },
    });
  });

  it('RFC and plaintext limits', () => {
    expect(rfcLimits(TLS_1_3)).toEqual({ profile: 'rfc', maxBody: 16640, minBody: 17, prepend: 5 });
    expect(rfcLimits(TLS_1_2)).toEqual({ profile: 'rfc', maxBody: 18432, minBody: 16, prepend: 5 });
    expect(plaintextLimits()).toEqual({
      profile: 'rfc',
      maxBody: 16384,
      minBody: 0,
      prepend: 5,
      legacyVersions: [0x0301],
    });
  });

  describe.each(PROFILES)('%s', (_name, limits) => {
    it('accepts maxBody and rejects maxBody + 1 with record_overflow (EMSGSIZE)', () => {
      const ok = expectRecord(
        takeRecord(parserWith(limits, encodeRecord(23, body(limits.maxBody)))),
      );
      expect(ok.record.body.length).toBe(limits.maxBody);

      const state = parserWith(limits, encodeHeader(23, limits.maxBody + 1));
      const bad = expectError(takeRecord(state));
      expect(bad.error).toMatchObject({ code: 'record_overflow', errno: 'EMSGSIZE', fatal: true });
      expect(bad.state).toBe(state);
      expect(bad.offset).toBe(0);
    });

    it('accepts minBody and rejects minBody - 1 with record_too_short (EBADMSG)', () => {
      const ok = expectRecord(
        takeRecord(parserWith(limits, encodeRecord(23, body(limits.minBody)))),
      );
      expect(ok.record.body.length).toBe(limits.minBody);
      if (limits.minBody === 0) return;

      const state = parserWith(limits, encodeRecord(23, body(limits.minBody - 1)));
      const bad = expectError(takeRecord(state));
      expect(bad.error).toMatchObject({ code: 'record_too_short', errno: 'EBADMSG', fatal: true });
      expect(bad.state).toBe(state);
    });
  });

  it('TLS 1.3 kernel limit is tighter than RFC 8446 §5.2: 16402 passes the RFC, not the kernel', () => {
    const rec = encodeRecord(23, body(16402));
    const suite = suiteFor(TLS_1_3, 'aes-128-gcm');
    expect(takeRecord(parserWith(kernelLimits(suite), rec)).kind).toBe('error');
    expect(takeRecord(parserWith(rfcLimits(TLS_1_3), rec)).kind).toBe('record');
  });
});

describe('header checks', () => {
  const gcm12 = kernelLimits(suiteFor(TLS_1_2, 'aes-128-gcm'));

  it('rejects a version other than 03 03 with bad_record_version (EINVAL) at 5 bytes', () => {
    const state = parserWith(gcm12, encodeHeader(23, 100, 0x0301));
    const r = expectError(takeRecord(state));
    expect(r.error).toMatchObject({ code: 'bad_record_version', errno: 'EINVAL' });
    expect(r.error.message).toContain('0x0301');
    expect(r.state).toBe(state);
  });

  it('TLS 1.3 records also carry 03 03: 03 04 is rejected', () => {
    const limits = kernelLimits(suiteFor(TLS_1_3, 'aes-128-gcm'));
    const r = expectError(takeRecord(parserWith(limits, encodeRecord(23, body(32), 0x0304))));
    expect(r.error.code).toBe('bad_record_version');
  });

  it('checks sizes before the version, like tls_rx_msg_size (selftest tls_err.bad_rec)', () => {
    // 64 × 0x55: version 0x5555 and length 0x5555 are both wrong; the kernel reports EMSGSIZE.
    const r = expectError(takeRecord(parserWith(gcm12, new Uint8Array(64).fill(0x55))));
    expect(r.error).toMatchObject({ code: 'record_overflow', errno: 'EMSGSIZE' });
    const short = expectError(takeRecord(parserWith(gcm12, encodeHeader(23, 3, 0x0301))));
    expect(short.error.code).toBe('record_too_short');
  });

  it('a lone 5-byte header with a tiny length fails at once instead of waiting for prepend bytes', () => {
    expect(gcm12.prepend).toBe(13);
    const r = expectError(takeRecord(parserWith(gcm12, encodeHeader(23, 0))));
    expect(r.error.code).toBe('record_too_short');
  });

  it('never reads the content type: any type byte frames', () => {
    const limits = plaintextLimits();
    for (const type of [0, 20, 21, 22, 23, 24, 255]) {
      expect(
        expectRecord(takeRecord(parserWith(limits, encodeRecord(type, body(3))))).record.type,
      ).toBe(type);
    }
  });
});

describe('streaming', () => {
  const limits = plaintextLimits();

  it('accepts a split at every position inside the header', () => {
    const rec = encodeRecord(22, body(10));
    for (let cut = 1; cut < 5; cut++) {
      let s = feed(createParser(limits), rec.subarray(0, cut));
      const wait = takeRecord(s);
      expect(wait).toMatchObject({ kind: 'need-more', missing: 5 - cut });
      expect(wait.state).toBe(s);
      s = feed(s, rec.subarray(cut));
      const r = expectRecord(takeRecord(s));
      expect(toHex(r.record.header)).toBe('1603030' + '00a');
      expect(r.record.body).toEqual(body(10));
      expect(r.state.buffered).toBe(0);
    }
  });

  it('one byte at a time', () => {
    const stream = concat([encodeRecord(23, body(7)), encodeRecord(21, body(2))]);
    let s = createParser(limits);
    const got: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      s = feed(s, stream.subarray(i, i + 1));
      for (let r = takeRecord(s); r.kind === 'record'; r = takeRecord(s)) {
        got.push(`${r.offset}:${r.record.type}:${toHex(r.record.body)}`);
        s = r.state;
      }
    }
    expect(got).toEqual([`0:23:${toHex(body(7))}`, `12:21:${toHex(body(2))}`]);
  });

  it('reports how many body bytes are missing', () => {
    const rec = encodeRecord(23, body(100));
    const r = takeRecord(parserWith(limits, rec.subarray(0, 30)));
    expect(r).toMatchObject({ kind: 'need-more', missing: 75 });
    expect(takeRecord(createParser(limits))).toMatchObject({ kind: 'need-more', missing: 5 });
  });

  it('returns stream offsets of each record and keeps the remainder', () => {
    const stream = concat([
      encodeRecord(22, body(4)),
      encodeRecord(23, body(0)),
      encodeRecord(21, body(2)),
      encodeHeader(23, 9),
    ]);
    let s = parserWith(limits, stream);
    const offsets: number[] = [];
    for (let r = takeRecord(s); r.kind === 'record'; r = takeRecord(s)) {
      offsets.push(r.offset);
      expect(r.state.offset).toBe(r.offset + 5 + r.record.body.length);
      s = r.state;
    }
    expect(offsets).toEqual([0, 9, 14]);
    expect(s).toMatchObject({ offset: 21, buffered: 5 });
  });

  it('an error reports the offset of the bad record', () => {
    const s = parserWith(limits, encodeRecord(23, body(3)), encodeHeader(23, 3, 0x0300));
    const first = expectRecord(takeRecord(s));
    const bad = expectError(takeRecord(first.state));
    expect(bad.offset).toBe(8);
    expect(bad.error.message).toContain('offset 8');
    // Stopped: asking again gives the same error, nothing is consumed.
    expect(takeRecord(bad.state)).toEqual(bad);
  });

  it('states are immutable: an old state replays the same record', () => {
    const rec = encodeRecord(23, body(20));
    const s0 = feed(createParser(limits), rec.subarray(0, 10));
    const s1 = feed(s0, rec.subarray(10));
    const s2 = feed(s0, encodeRecord(23, body(1)).subarray(0, 3));
    expect(s0.buffered).toBe(10);
    expect(s0.chunks.length).toBe(1);
    const a = expectRecord(takeRecord(s1));
    const b = expectRecord(takeRecord(s1));
    expect(a.record.body).toEqual(b.record.body);
    expect(takeRecord(s2).kind).toBe('need-more');
    expect(feed(s0, new Uint8Array(0))).toBe(s0);
  });

  it('states sharing a tail buffer each see only their own bytes', () => {
    const bytes = (s: ParserState) => [...concat([...s.chunks])];
    const s0 = feed(createParser(limits), Uint8Array.of(22, 3, 3));
    const s1 = feed(s0, Uint8Array.of(0, 2)); // grows the shared tail in place
    const s2 = feed(s0, Uint8Array.of(0, 1)); // s0 is no longer the newest: its own copy
    const s3 = feed(s1, Uint8Array.of(7, 8));
    expect(bytes(s0)).toEqual([22, 3, 3]);
    expect(bytes(s1)).toEqual([22, 3, 3, 0, 2]);
    expect(bytes(s2)).toEqual([22, 3, 3, 0, 1]);
    expect([...takeBytes(s0, 99)[1]]).toEqual([22, 3, 3]);
    expect(expectRecord(takeRecord(s3)).record.body).toEqual(Uint8Array.of(7, 8));
    expect(expectRecord(takeRecord(feed(s2, Uint8Array.of(9)))).record.body).toEqual(
      Uint8Array.of(9),
    );
    expect(takeRecord(s1).kind).toBe('need-more');
  });

  it('waits for prepend bytes like the kernel when custom limits allow shorter records', () => {
    const custom: RecordLimits = { profile: 'kernel', maxBody: 100, minBody: 0, prepend: 13 };
    const s = parserWith(custom, encodeRecord(23, body(2)));
    expect(takeRecord(s)).toMatchObject({ kind: 'need-more', missing: 6 });
    const r = expectRecord(takeRecord(feed(s, encodeRecord(23, body(8)))));
    expect(r.record.body.length).toBe(2);
    expect(r.state.buffered).toBe(13);
  });

  it('withLimits keeps buffered bytes and applies the new limits to them', () => {
    const s = parserWith(plaintextLimits(), encodeRecord(23, body(8)));
    const suite = suiteFor(TLS_1_3, 'chacha20-poly1305');
    expect(expectError(takeRecord(withLimits(s, kernelLimits(suite)))).error.code).toBe(
      'record_too_short',
    );
    const back = withLimits(withLimits(s, kernelLimits(suite)), plaintextLimits());
    expect(back).toEqual(s);
  });
});

describe('copying', () => {
  const limits = plaintextLimits();

  it('a record inside one chunk is a view of that chunk (no copy)', () => {
    const chunk = concat([new Uint8Array(7), encodeRecord(23, body(50)), new Uint8Array(3)]);
    const [s] = takeBytes(parserWith(limits, chunk), 7);
    const r = expectRecord(takeRecord(s));
    expect(r.record.body.buffer).toBe(chunk.buffer);
    expect(r.record.header.buffer).toBe(chunk.buffer);
    expect(r.record.header.byteOffset).toBe(chunk.byteOffset + 7);
    expect(r.record.body.byteOffset).toBe(chunk.byteOffset + 12);
    expect(r.state.chunks[0]!.buffer).toBe(chunk.buffer);
    expect(r.state.buffered).toBe(3);
  });

  it('a record that spans chunks is copied once, header and body from the same copy', () => {
    const rec = encodeRecord(23, body(50));
    const a = rec.slice(0, 20);
    const b = rec.slice(20);
    const r = expectRecord(takeRecord(parserWith(limits, a, b)));
    expect(r.record.body.buffer).not.toBe(a.buffer);
    expect(r.record.body.buffer).not.toBe(b.buffer);
    expect(r.record.header.buffer).toBe(r.record.body.buffer);
    expect(r.record.body).toEqual(body(50));
  });

  it('takeBytes: views within a chunk, copies across, clamps n', () => {
    // 17 bytes: above the size up to which chunks are copied into the parser's own tail buffer.
    const a = Uint8Array.from({ length: 17 }, (_, i) => i + 1);
    const b = Uint8Array.of(18, 19);
    const s = parserWith(limits, a, b);
    const [s1, two] = takeBytes(s, 2);
    expect(two.buffer).toBe(a.buffer);
    expect([...two]).toEqual([1, 2]);
    expect(s1).toMatchObject({ offset: 2, buffered: 17 });
    const [s2, rest] = takeBytes(s1, 17);
    expect([...rest]).toEqual(Array.from({ length: 17 }, (_, i) => i + 3));
    expect(s2).toMatchObject({ offset: 19, buffered: 0, chunks: [] });
    expect([...takeBytes(s, 99)[1]]).toEqual([...a, ...b]);
    for (const n of [0, -1, Number.NaN, Number.NEGATIVE_INFINITY]) {
      const [same, none] = takeBytes(s, n);
      expect(same).toBe(s);
      expect(none.length).toBe(0);
    }
    expect(takeBytes(s, 2.9)[1].length).toBe(2);
    expect(takeBytes(s, Number.POSITIVE_INFINITY)[1].length).toBe(0);
  });

  it('peekHeader: null before 5 bytes, a view or a copy, consumes nothing', () => {
    const rec = encodeRecord(21, body(2));
    expect(peekHeader(parserWith(limits, rec.subarray(0, 4)))).toBeNull();
    const big = encodeRecord(21, body(20));
    const view = peekHeader(parserWith(limits, big))!;
    expect(view.buffer).toBe(big.buffer);
    expect(toHex(view)).toBe('1503030014');
    // A chunk of 16 bytes or fewer is copied into the parser's tail buffer: never a view of it.
    const tiny = peekHeader(parserWith(limits, rec))!;
    expect(tiny.buffer).not.toBe(rec.buffer);
    expect(toHex(tiny)).toBe('1503030002');
    const split = parserWith(limits, rec.subarray(0, 2), rec.subarray(2));
    expect(toHex(peekHeader(split)!)).toBe('1503030002');
    expect(split.buffered).toBe(7);
  });

  it('peekType: -1 when empty, the type byte as soon as one byte is there, consumes nothing', () => {
    const rec = encodeRecord(22, body(2));
    expect(peekType(createParser(limits))).toBe(-1);
    const one = parserWith(limits, rec.subarray(0, 1));
    expect(peekType(one)).toBe(22);
    expect(one.buffered).toBe(1);
    const s = takeRecord(parserWith(limits, rec, encodeRecord(21, body(2)))) as Extract<
      TakeResult,
      { kind: 'record' }
    >;
    expect(peekType(s.state)).toBe(21);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

type Outcome =
  | { kind: 'need-more'; missing: number }
  | { kind: 'error'; code: RecordErrorCode; offset: number };

interface Framed {
  readonly offset: number;
  readonly type: number;
  readonly version: number;
  readonly body: string;
}

/** A one-shot reference framer over the whole input, written independently of the streaming code. */
function referenceFrame(
  input: Uint8Array,
  limits: RecordLimits,
): { records: Framed[]; end: Outcome } {
  const records: Framed[] = [];
  let pos = 0;
  for (;;) {
    const left = input.length - pos;
    if (left < 5) return { records, end: { kind: 'need-more', missing: 5 - left } };
    const version = input[pos + 1]! * 256 + input[pos + 2]!;
    const length = input[pos + 3]! * 256 + input[pos + 4]!;
    const fail = (code: RecordErrorCode) => ({
      records,
      end: { kind: 'error', code, offset: pos } as const,
    });
    if (length > limits.maxBody) return fail('record_overflow');
    if (length < limits.minBody) return fail('record_too_short');
    if (version !== 0x0303) return fail('bad_record_version');
    const need = Math.max(5 + length, limits.prepend);
    if (left < need) return { records, end: { kind: 'need-more', missing: need - left } };
    records.push({
      offset: pos,
      type: input[pos]!,
      version,
      body: toHex(input.subarray(pos + 5, pos + 5 + length)),
    });
    pos += 5 + length;
  }
}

interface Run {
  records: Framed[];
  end: Outcome;
  calls: number;
  state: ParserState;
}

/**
 * Feeds `chunks`, draining after each one (or only at the end), until need-more or an error.
 * Every drain loop is bounded by the bytes buffered + 1, so a parser that fails to make progress
 * fails the test rather than hanging it.
 */
function streamFrame(chunks: readonly Uint8Array[], limits: RecordLimits, drainEach: boolean): Run {
  const records: Framed[] = [];
  let state = createParser(limits);
  let calls = 0;
  let end: Outcome = { kind: 'need-more', missing: 5 };
  const drain = (): boolean => {
    const bound = state.buffered + 1;
    for (let i = 1; ; i++) {
      if (i > bound) throw new Error(`drain did not terminate within ${bound} calls`);
      calls++;
      const r = takeRecord(state);
      if (r.kind === 'record') {
        expect(r.offset).toBe(state.offset);
        expect(r.state.offset).toBe(state.offset + 5 + r.record.body.length);
        expect(r.state.buffered).toBe(state.buffered - 5 - r.record.body.length);
        records.push({
          offset: r.offset,
          type: r.record.type,
          version: r.record.version,
          body: toHex(r.record.body),
        });
        state = r.state;
        continue;
      }
      expect(r.state).toBe(state);
      if (r.kind === 'need-more') {
        expect(r.missing).toBeGreaterThan(0);
        end = { kind: 'need-more', missing: r.missing };
        return true;
      }
      expect(r.offset).toBe(state.offset);
      end = { kind: 'error', code: r.error.code, offset: r.offset };
      return false;
    }
  };
  for (const c of chunks) {
    state = feed(state, c);
    if (drainEach && !drain()) return { records, end, calls, state };
  }
  if (!drainEach) drain();
  return { records, end, calls, state };
}

function chunked(input: Uint8Array, cuts: readonly number[] | 'bytewise'): Uint8Array[] {
  if (cuts === 'bytewise') return Array.from(input, (_, i) => input.subarray(i, i + 1));
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, input.length]) {
    out.push(input.subarray(prev, p));
    prev = p;
  }
  return out;
}

const arbLimits = fc.constantFrom(...PROFILES.map(([, l]) => l));
const arbCuts = (maxBytewise: number, len: number) =>
  len <= maxBytewise
    ? fc.oneof(fc.array(fc.nat(), { maxLength: 40 }), fc.constant('bytewise' as const))
    : fc.array(fc.nat(), { maxLength: 40 });

describe('properties', () => {
  it('(a) any chunking of a valid record stream yields the same records and offsets', () => {
    const arb = arbLimits.chain((limits) =>
      fc
        .array(
          fc.record({
            type: fc.integer({ min: 0, max: 255 }),
            length: fc.oneof(
              {
                weight: 6,
                arbitrary: fc.integer({ min: limits.minBody, max: limits.minBody + 40 }),
              },
              { weight: 1, arbitrary: fc.constantFrom(limits.minBody, limits.maxBody) },
              { weight: 1, arbitrary: fc.integer({ min: limits.minBody, max: limits.maxBody }) },
            ),
            seed: fc.nat(255),
          }),
          { maxLength: 8 },
        )
        .chain((specs) => {
          const recs = specs.map((s) => encodeRecord(s.type, body(s.length, s.seed)));
          const stream = concat(recs.length > 0 ? recs : [new Uint8Array(0)]);
          return fc.record({
            limits: fc.constant(limits),
            specs: fc.constant(specs),
            stream: fc.constant(stream),
            cuts: arbCuts(4096, stream.length),
            drainEach: fc.boolean(),
          });
        }),
    );
    fc.assert(
      fc.property(arb, ({ limits, specs, stream, cuts, drainEach }) => {
        const run = streamFrame(chunked(stream, cuts), limits, drainEach);
        let off = 0;
        const expected = specs.map((s) => {
          const f = {
            offset: off,
            type: s.type,
            version: 0x0303,
            body: toHex(body(s.length, s.seed)),
          };
          off += 5 + s.length;
          return f;
        });
        expect(run.records).toEqual(expected);
        expect(run.end).toEqual({ kind: 'need-more', missing: 5 });
        expect(run.state).toMatchObject({ buffered: 0, offset: stream.length });
      }),
      { numRuns: 300 },
    );
  });

  /** Byte strings that reach every branch: junk, headers near each limit, good and bad versions. */
  const arbFuzzStream = (limits: RecordLimits) =>
    fc
      .array(
        fc.oneof(
          fc.uint8Array({ maxLength: 24 }),
          fc
            .record({
              type: fc.integer({ min: 0, max: 255 }),
              version: fc.oneof(
                { weight: 4, arbitrary: fc.constant(0x0303) },
                { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
              ),
              length: fc.oneof(
                fc.integer({ min: 0, max: 64 }),
                fc.constantFrom(
                  Math.max(0, limits.minBody - 1),
                  limits.minBody,
                  limits.maxBody,
                  limits.maxBody + 1,
                ),
                fc.integer({ min: 0, max: 0xffff }),
              ),
              bodyBytes: fc.integer({ min: 0, max: 80 }),
            })
            .map(({ type, version, length, bodyBytes }) =>
              concat([
                encodeHeader(type, length, version),
                body(Math.min(length, bodyBytes), type),
              ]),
            ),
        ),
        { maxLength: 10 },
      )
      .map((parts) => concat(parts.length > 0 ? parts : [new Uint8Array(0)]));

  it('(b) any bytes in any chunking: records, then need-more or a framing error; never a throw', () => {
    const arb = arbLimits.chain((limits) =>
      fc.oneof(arbFuzzStream(limits), fc.uint8Array({ maxLength: 300 })).chain((input) =>
        fc.record({
          limits: fc.constant(limits),
          input: fc.constant(input),
          cuts: arbCuts(1024, input.length),
          drainEach: fc.boolean(),
        }),
      ),
    );
    const seen = new Set<string>();
    fc.assert(
      fc.property(arb, ({ limits, input, cuts, drainEach }) => {
        const chunks = chunked(input, cuts);
        const run = streamFrame(chunks, limits, drainEach);
        const ref = referenceFrame(input, limits);
        seen.add(run.end.kind === 'error' ? run.end.code : run.end.kind);
        if (run.records.length > 1) seen.add('several records');
        expect(run.records).toEqual(ref.records);
        expect(run.end).toEqual(ref.end);
        if (run.end.kind === 'error') expect(FRAMING_ERRORS).toContain(run.end.code);
        if (!drainEach) expect(run.calls).toBeLessThanOrEqual(input.length + 1);
        else expect(run.calls).toBeLessThanOrEqual(input.length + chunks.length + 1);
        // What was framed plus what is buffered is exactly the input.
        const consumed = run.records.reduce((n, r) => n + 5 + r.body.length / 2, 0);
        expect(run.state.offset).toBe(consumed);
        if (run.end.kind === 'need-more' || !drainEach) {
          expect(run.state.offset + run.state.buffered).toBe(input.length);
        }
      }),
      { numRuns: 1000 },
    );
    // The generator reaches every outcome, so the property is not passing vacuously.
    expect([...seen].sort()).toEqual(
      [...[...FRAMING_ERRORS].sort(), 'need-more', 'several records'].sort(),
    );
  });
});

describe('legacy record versions', () => {
  it('accepts 0x0301 only where the limits allow it (the initial ClientHello, RFC 8446 §5.1)', () => {
    const ch = Uint8Array.of(22, 3, 1, 0, 1, 1);
    expect(takeRecord(feed(createParser(plaintextLimits()), ch)).kind).toBe('record');
    const strict = takeRecord(
      feed(createParser(rfcLimits(0x0304)), Uint8Array.of(23, 3, 1, 0, 17, ...new Uint8Array(17))),
    );
    expect(strict.kind === 'error' && strict.error.errno).toBe('EINVAL');
  });
});
