/**
 * Benchmark (not a test): seal+open throughput of the whole record layer (TX machine → wire →
 * RX machine → recv, node:crypto engine, trace off) against raw node:crypto
 * createCipheriv/createDecipheriv on the same data, in the same process, as a ratio.
 *
 * Rounds alternate between the two so that a noisy neighbour hurts both alike; the ratio
 * reported is the median of the per-round ratios.
 *
 * It runs the built package (dist/, what an app imports), in plain Node: a TypeScript loader would
 * put its own module glue (an export getter on every imported binding) on the measured path.
 *
 *   pnpm --filter @ktls-lab/core bench [-- --rounds 15 --bytes 8388608]
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { cryptoStateFromSecret, suiteByName, TlsRecordLayer } from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 15);
const BYTES_PER_ROUND = arg('bytes', 4 * 1024 * 1024);
const SIZES = [64, 1024, 16384];
const suite = suiteByName('TLS_AES_128_GCM_SHA256');
const state = cryptoStateFromSecret(suite, new Uint8Array(32).fill(7));

/** Raw node:crypto: one AES-128-GCM seal and one open per record, nothing else. */
function rawRound(payload, records) {
  const key = Buffer.from(state.key);
  const nonce = Buffer.alloc(12, 1);
  const aad = Buffer.from([23, 3, 3, 0, 0]);
  let check = 0;
  for (let i = 0; i < records; i++) {
    nonce.writeUInt32BE(i, 8);
    const c = createCipheriv('aes-128-gcm', key, nonce);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(payload), c.final()]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('aes-128-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(tag);
    const pt = Buffer.concat([d.update(ct), d.final()]);
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

console.log(`record layer (TLS 1.3 AES-128-GCM, node:crypto engine) vs raw node:crypto, seal+open`);
console.log(
  `node ${process.version}, ${ROUNDS} alternating rounds of ${BYTES_PER_ROUND} bytes per size\n`,
);
console.log('record size   raw MB/s   layer MB/s   ratio (median)   target');
for (const size of SIZES) {
  const payload = Buffer.alloc(size, 0x61);
  const records = Math.max(1, Math.floor(BYTES_PER_ROUND / size));
  const total = records * size;
  // warm up both paths (JIT, OpenSSL contexts)
  rawRound(payload, Math.min(records, 2000));
  layerRound(payload, Math.min(records, 2000));
  const raw = [];
  const layer = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0;
    const a = order ? time(() => rawRound(payload, records), total) : 0;
    const b = time(() => layerRound(payload, records), total);
    const c = order ? a : time(() => rawRound(payload, records), total);
    raw.push(total / c / 1e-3);
    layer.push(total / b / 1e-3);
    ratios.push(c / b);
  }
  const target = size >= 16384 ? 0.9 : size <= 64 ? 0.8 : 0.85;
  const ratio = median(ratios);
  console.log(
    `${String(size).padStart(8)} B   ${median(raw).toFixed(1).padStart(8)}   ${median(layer).toFixed(1).padStart(10)}   ${ratio.toFixed(3).padStart(14)}   ≥ ${target} ${ratio >= target ? 'met' : 'MISSED'}`,
  );
}
