/**
 * Benchmark (not a test): seal+open throughput of the whole record layer (TX machine → wire →
 * RX machine → recv, node:crypto engine, trace off) against raw node:crypto
 * createCipheriv/createDecipheriv on the same data, in the same process, as ratios.
 *
 * Two raw baselines:
 * - raw: node:crypto as its documentation shows it, `Buffer.concat([update(), final()])` on both
 *   sides; the targets (0.8 at 64 B, 0.9 at 16 KiB) are taken against this one.
 * - raw, no copies: the fastest node:crypto allows, ciphertext and tag handed from cipher to
 *   decipher as returned. A record layer must put header, ciphertext and tag in one buffer, so
 *   it makes one copy this baseline does not: the ratio against it is the price of framing.
 *
 * Per size, one fresh process runs warm-up rounds and then measured rounds, each contender once per
 * round in rotating order; each ratio is the median of the per-round ratios. Large records make
 * every contender allocate fresh 16 KiB buffers per record, and in a VM the page faults on memory
 * malloc hands back and regrows dominate until the process settles: short runs, or a process
 * shared with another size, moved 16 KiB results by up to 2×, raw and layer unequally.
 *
 * It runs the built package (dist/, what an app imports), in plain Node: a TypeScript loader would
 * put its own module glue (an export getter on every imported binding) on the measured path.
 *
 *   pnpm --filter @ktls-lab/core bench [-- --rounds 15 --warmup 4 --bytes 4194304 --sizes 64,1024,16384]
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { cryptoStateFromSecret, suiteByName, TlsRecordLayer } from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const DEFAULTS = { rounds: 15, warmup: 4, bytes: 4 * 1024 * 1024 };
const ROUNDS = Number(arg('rounds', DEFAULTS.rounds));
const WARMUP = Number(arg('warmup', DEFAULTS.warmup));
const BYTES_PER_ROUND = Number(arg('bytes', DEFAULTS.bytes));
/** Big records need more than 4 MiB per round to reach the allocator's steady state. */
const MIN_RECORDS = 1024;
const SIZES = String(arg('sizes', '64,1024,16384')).split(',').map(Number);
const TARGETS = { 64: 0.8, 16384: 0.9 };
const suite = suiteByName('TLS_AES_128_GCM_SHA256');
const state = cryptoStateFromSecret(suite, new Uint8Array(32).fill(7));

/** Raw node:crypto, one AES-128-GCM seal and one open per record; `copies`: the documented idiom. */
function rawRound(payload, records, copies) {
  const key = Buffer.from(state.key);
  const nonce = Buffer.alloc(12, 1);
  const aad = Buffer.from([23, 3, 3, 0, 0]);
  let check = 0;
  for (let i = 0; i < records; i++) {
    nonce.writeUInt32BE(i, 8);
    const c = createCipheriv('aes-128-gcm', key, nonce);
    c.setAAD(aad);
    let ct = c.update(payload);
    const sealTail = c.final();
    if (copies) ct = Buffer.concat([ct, sealTail]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('aes-128-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(tag);
    let pt = d.update(ct);
    const openTail = d.final();
    if (copies) pt = Buffer.concat([pt, openTail]);
    check += pt.length;
  }
  return check;
}

function layerRound(payload, records) {
  const engine = new NodeCryptoAeadEngine();
  const tx = new TlsRecordLayer({ engine });
  const rx = new TlsRecordLayer({ engine });
  tx.installTxKey(state);
  rx.installRxKey(state);
  let check = 0;
  for (let i = 0; i < records; i++) {
    rx.receive(tx.send(payload));
    check += rx.recv().data.length;
  }
  return check;
}

function time(f, expected) {
  const t0 = process.hrtime.bigint();
  const n = f();
  const ns = Number(process.hrtime.bigint() - t0);
  if (n !== expected) throw new Error(`benchmark lost bytes: ${n} != ${expected}`);
  return ns;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const CONTENDERS = {
  raw: (payload, records) => rawRound(payload, records, true),
  lean: (payload, records) => rawRound(payload, records, false),
  layer: (payload, records) => layerRound(payload, records),
};
const NAMES = Object.keys(CONTENDERS);

/** One size in this process: warm-up rounds, then each contender once per round, rotating. */
function measure(size) {
  const payload = Buffer.alloc(size, 0x61);
  const records = Math.max(MIN_RECORDS, Math.floor(BYTES_PER_ROUND / size));
  const total = records * size;
  const ns = { raw: [], lean: [], layer: [] };
  for (let r = -WARMUP; r < ROUNDS; r++) {
    for (let k = 0; k < NAMES.length; k++) {
      const name = NAMES[(r + WARMUP + k) % NAMES.length];
      const t = time(() => CONTENDERS[name](payload, records), total);
      if (r >= 0) ns[name].push(t);
    }
  }
  const mbps = (xs) => median(xs.map((t) => total / t / 1e-3));
  const ratio = (base) => median(ns.layer.map((t, r) => ns[base][r] / t));
  return {
    raw: mbps(ns.raw),
    lean: mbps(ns.lean),
    layer: mbps(ns.layer),
    vsRaw: ratio('raw'),
    vsLean: ratio('lean'),
  };
}

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(measure(Number(arg('size', 64)))));
} else {
  console.log(
    `record layer (TLS 1.3 AES-128-GCM, node:crypto engine) vs raw node:crypto, seal+open`,
  );
  console.log(
    `node ${process.version}; per size a fresh process: ${WARMUP} warm-up and ${ROUNDS} measured ` +
      `rounds of ≥ ${BYTES_PER_ROUND} bytes (≥ ${MIN_RECORDS} records), contenders rotating; medians\n`,
  );
  const pad = (s, n) => String(s).padStart(n);
  console.log(
    'record size   raw MB/s   no-copy MB/s   layer MB/s   layer/raw   layer/no-copy   target (layer/raw)',
  );
  for (const size of SIZES) {
    const out = execFileSync(process.execPath, [
      fileURLToPath(import.meta.url),
      '--child',
      '--size',
      String(size),
      ...['rounds', 'warmup', 'bytes'].flatMap((k) => [`--${k}`, String(arg(k, DEFAULTS[k]))]),
    ]);
    const r = JSON.parse(out.toString());
    const target = TARGETS[size];
    const verdict =
      target === undefined ? '-' : `≥ ${target} ${r.vsRaw >= target ? 'met' : 'MISSED'}`;
    console.log(
      `${pad(size, 8)} B   ${pad(r.raw.toFixed(1), 8)}   ${pad(r.lean.toFixed(1), 12)}   ${pad(r.layer.toFixed(1), 10)}   ${pad(r.vsRaw.toFixed(3), 9)}   ${pad(r.vsLean.toFixed(3), 13)}   ${verdict}`,
    );
  }
}
