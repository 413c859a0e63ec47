/**
 * Benchmark (not a test): the parser's `feed()`/`takeRecord()` cost per byte by chunk size, on a
 * stream of full-size plaintext records (16 MiB by default), in the same process, as ratios.
 *
 * `feed()` used to copy its chunk list on every call, so bytes arriving one at a time into a 16 KiB
 * record cost O(record²): 1-byte chunks over 16 MiB took hours. Now each feed appends in place,
 * and chunks of 16 bytes or fewer are copied into a tail buffer instead of being kept as views
 * (packages/core/src/parser.ts, `Store`). The figures that show it:
 * - linearity: 1-byte chunks over the whole stream against 1-byte chunks over 1/16 of it, scaled ×16
 *   (1.0 = linear; the old code grew with the record size, not the stream);
 * - 1-byte chunks against whole-buffer feeding (one feed, records taken as views: 1 call per record
 *   instead of 2 per byte, so this is the price of 16 M calls, not of the parser);
 * - 1-byte chunks against the least a per-byte framer can do: one call per byte that appends the
 *   byte into a record buffer and reads the header when it has 5 bytes (hand-written here).
 *
 * Every contender makes its chunks as views of one buffer while it runs, as a reader would hand
 * them over (16 M views made up front would put the garbage collector on every path). Runs dist/.
 *
 *   pnpm --filter @ktls-lab/core bench:feed [-- --mib 16 --rounds 3]
 */
import { createParser, feed, plaintextLimits, takeRecord } from '@ktls-lab/core';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = arg('mib', 16);
const ROUNDS = arg('rounds', 3);
const BODY = 16384;

/** `bytes` of back-to-back handshake records with 2^14-byte bodies (the last one shorter). */
function stream(bytes) {
  const out = new Uint8Array(bytes);
  for (let p = 0; p < bytes; ) {
    const len = Math.min(BODY, bytes - p - 5);
    out.set([22, 3, 3, len >> 8, len & 0xff], p);
    for (let i = 0; i < len; i++) out[p + 5 + i] = (p + i) & 0xff;
    p += 5 + len;
  }
  return out;
}

function viaParser(buf, size) {
  let s = createParser(plaintextLimits());
  let records = 0;
  let sum = 0;
  for (let at = 0; at < buf.length; at += size) {
    s = feed(s, buf.subarray(at, at + size));
    for (;;) {
      const r = takeRecord(s);
      if (r.kind !== 'record') break;
      s = r.state;
      records++;
      sum += r.record.body[r.record.body.length - 1];
    }
  }
  return records + sum;
}

/** The floor for a per-byte framer: a call per byte, the byte stored, the header read once. */
function handWritten(input) {
  const buf = new Uint8Array(5 + BODY);
  let fill = 0;
  let need = 5;
  let records = 0;
  let sum = 0;
  const push = (c) => {
    buf[fill++] = c[0];
    if (fill === 5) need = 5 + ((buf[3] << 8) | buf[4]);
    if (fill === need) {
      records++;
      sum += buf[fill - 1];
      fill = 0;
      need = 5;
    }
  };
  for (let at = 0; at < input.length; at++) push(input.subarray(at, at + 1));
  return records + sum;
}

const bytes = MIB * 1024 * 1024;
const whole = stream(bytes);
const part = whole.subarray(0, (5 + BODY) * Math.ceil(bytes / 16 / (5 + BODY)));

function time(f) {
  const t0 = process.hrtime.bigint();
  const check = f();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, check };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = { whole: [], bytes: [], part: [], floor: [] };
for (let r = 0; r < ROUNDS; r++) {
  rows.whole.push(time(() => viaParser(whole, whole.length)).ms);
  const one = time(() => viaParser(whole, 1));
  const ref = time(() => viaParser(whole, whole.length));
  if (one.check !== ref.check) throw new Error('1-byte chunks gave other records than one chunk');
  rows.bytes.push(one.ms);
  rows.part.push(time(() => viaParser(part, 1)).ms);
  rows.floor.push(time(() => handWritten(whole)).ms);
}
const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
const scale = whole.length / part.length;
console.log(`feed() on ${MIB} MiB of 16 KiB records, median of ${ROUNDS} rounds`);
console.log(`  whole buffer            ${m.whole.toFixed(2)} ms`);
console.log(
  `  1-byte chunks           ${m.bytes.toFixed(1)} ms (${((m.bytes * 1e6) / whole.length).toFixed(1)} ns/byte)`,
);
console.log(`  1-byte, 1/${scale.toFixed(0)} of stream  ${m.part.toFixed(1)} ms`);
console.log(`  hand-written per-byte   ${m.floor.toFixed(1)} ms`);
console.log(
  `linearity (1-byte whole / (1-byte part × ${scale.toFixed(1)})): ${(m.bytes / (m.part * scale)).toFixed(2)}`,
);
console.log(`1-byte / hand-written per-byte floor: ${(m.bytes / m.floor).toFixed(2)}`);
console.log(`1-byte / whole buffer: ${(m.bytes / m.whole).toFixed(0)}`);
