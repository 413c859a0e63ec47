/**
 * Benchmark (not a test): the EVP engine's TLS record batches (EvpRecordSealer/EvpRecordOpener,
 * TLS 1.3 and 1.2) against `openssl speed -evp` for the same cipher and record sizes, in one
 * run, as ratios; the record layer (TlsRecordLayer) on the EVP engine against it on node:crypto;
 * and the bytes the JS heap grows by per record in steady state.
 *
 * openssl speed divides by CPU user time (its default; `-elapsed` would use the wall clock), so
 * the contenders here are timed by this process's user CPU time too: on a machine shared with
 * other work that is the fairer clock for both. Two openssl baselines per direction:
 * - `openssl speed -evp <cipher>` (`-decrypt` for open): the command as usually run; for GCM and
 *   ChaCha20-Poly1305 its loop re-uses one context and does not seal or check a tag per record.
 * - `openssl speed -aead -evp <cipher>` (`-decrypt`): "EVP-named AEAD cipher in TLS-like
 *   sequence": per record a nonce, 13 bytes of AAD, the data and the tag, as a record layer does.
 * The targets (≥ 0.8 at 16 KiB, ≥ 0.5 at 64 B) are taken against the first.
 * - C loop: the engine's own per-record EVP sequence (nonce, AAD, data, final, tag) run `count`
 *   times in C++ with no JS (`ceiling` in native/evp_aead.cc): what any record layer on this
 *   OpenSSL can reach. For ChaCha20-Poly1305 `openssl speed` (with or without -aead) streams one
 *   context without a nonce or tag per record, so at small sizes it is far above this ceiling.
 *
 * The opener's time includes copying each batch's wire bytes into its arena (what a recv into
 * the arena would do); openssl decrypts the same buffer over and over.
 *
 * Allocation is `heapUsed` growth over many records after warm-up, with no collection in between
 * (run with --expose-gc and a large young generation, as the `bench` script does; a collection
 * during the window is detected and reported instead of a number).
 *
 *   pnpm --filter @ktls-lab/native bench [-- --sizes 64,1024,16384 --rounds 5 --seconds 1 --ciphers aes-128-gcm,chacha20-poly1305]
 */
import { execFileSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import {
  ContentType,
  cryptoStateFromKeyIv,
  NodeCryptoAeadEngine,
  suiteFor,
  TLS_1_2,
  TLS_1_3,
  TlsRecordLayer,
} from '@ktls-lab/core';
import {
  EvpAeadEngine,
  EvpRecordOpener,
  EvpRecordSealer,
  evpAvailability,
  loadNative,
} from '../dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SIZES = String(arg('sizes', '64,1024,16384')).split(',').map(Number);
const CIPHERS = String(arg('ciphers', 'aes-128-gcm,chacha20-poly1305')).split(',');
const ROUNDS = Number(arg('rounds', 5));
const SECONDS = Number(arg('seconds', 1));
/** CPU time per measured round of one contender. */
const ROUND_US = Number(arg('round-ms', 300)) * 1000;
const TARGETS = { 64: 0.5, 16384: 0.8 };

const avail = evpAvailability();
if (!avail.ok) {
  console.error(`the EVP engine is not available: ${avail.reason}`);
  process.exit(1);
}
const engine = new EvpAeadEngine();

const HAVE_OPENSSL = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.log('openssl is not on PATH: its columns are NaN, the C loop is the baseline\n');
    return false;
  }
})();

/** `openssl speed` for one cipher and size; MB/s from its machine-readable line. */
function opensslSpeed(cipher, size, decrypt, aead) {
  if (!HAVE_OPENSSL) return Number.NaN;
  const args = ['speed', '-mr', '-seconds', String(SECONDS), '-bytes', String(size)];
  if (aead) args.push('-aead');
  if (decrypt) args.push('-decrypt');
  args.push('-evp', cipher);
  const out = execFileSync('openssl', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = out.split('\n').find((l) => l.startsWith('+F:'));
  if (!line) throw new Error(`openssl speed printed no +F line:\n${out}`);
  return Number(line.split(':')[3]) / 1e6;
}

const cpuUs = () => process.cpuUsage().user;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `batch()` (which handles `bytesPerBatch` content bytes) until ROUND_US of CPU; MB/s. */
function measure(batch, bytesPerBatch) {
  const t0 = cpuUs();
  let bytes = 0;
  let t = t0;
  do {
    batch();
    bytes += bytesPerBatch;
    t = cpuUs();
  } while (t - t0 < ROUND_US);
  return bytes / (t - t0);
}

function stateFor(version, cipher) {
  const suite = suiteFor(version, cipher);
  return cryptoStateFromKeyIv(suite, new Uint8Array(suite.keyLength).fill(7), new Uint8Array(12));
}

/** A sealer and an opener for `records` records of `size` bytes, and the batch functions. */
function contenders(version, cipher, size) {
  const records = Math.max(16, Math.min(1024, Math.floor((256 * 1024) / size)));
  const capacity = { records, bytes: records * (size + 64) };
  const state = stateFor(version, cipher);
  const payload = new Uint8Array(size).fill(0x61);
  const sealer = new EvpRecordSealer(engine, state, capacity);
  const sealBatch = () => {
    for (let i = 0; i < records; i++) sealer.add(ContentType.applicationData, payload);
    return sealer.seal();
  };
  const wire = sealer.arena.slice(0, sealBatch());
  const opener = new EvpRecordOpener(engine, state, capacity);
  const openBatch = () => {
    // Every batch opens the same records: back to their first sequence number.
    opener.recSeq = 0n;
    opener.arena.set(wire, 0);
    if (opener.open(wire.length) !== records || !opener.opened(records - 1)) {
      throw new Error('benchmark records did not open');
    }
  };
  return { records, bytes: records * size, sealBatch, openBatch };
}

/** The C++ loop of the engine's per-record sequence (no JS): MB/s. */
function ceiling(cipher, size, open) {
  const { binding } = loadNative();
  const key = new binding.EvpAead(cipher, new Uint8Array(cipher === 'aes-128-gcm' ? 16 : 32));
  const count = Math.max(16, Math.floor((64 * 1024 * 1024) / (size + 256) / 16));
  const mbps = measure(() => {
    if (key.ceiling(size, count, open) !== count) throw new Error('ceiling records failed');
  }, count * size);
  key.close();
  return mbps;
}

/** heapUsed growth per record over `n` batches after warm-up, or null if a GC ran meanwhile. */
function allocatedPerRecord(batch, recordsPerBatch, n) {
  for (let i = 0; i < 20; i++) batch();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  globalThis.gc?.();
  obs.observe({ entryTypes: ['gc'] });
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) batch();
  const h1 = process.memoryUsage().heapUsed;
  obs.disconnect();
  if (gcs > 0 || globalThis.gc === undefined) return null;
  return (h1 - h0) / (n * recordsPerBatch);
}

function layerRound(engineOf, state, payload, n) {
  const tx = new TlsRecordLayer({ engine: engineOf() });
  const rx = new TlsRecordLayer({ engine: engineOf() });
  tx.installTxKey(state);
  rx.installRxKey(state);
  return () => {
    for (let i = 0; i < n; i++) {
      rx.receive(tx.send(payload));
      rx.recv();
    }
  };
}

const pad = (s, n) => String(s).padStart(n);
const f1 = (x) => (x === null ? '-' : x.toFixed(1));
const f2 = (x) => x.toFixed(2);

const opensslVersion = HAVE_OPENSSL
  ? execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim()
  : 'not installed';
console.log(
  `EVP engine (${avail.openssl}, node ${process.version}) vs openssl speed (${opensslVersion})`,
);
console.log(
  `MB/s on CPU user time; ours: median of ${ROUNDS} rounds of ${ROUND_US / 1000} ms; openssl: -seconds ${SECONDS}\n`,
);
const results = [];
for (const cipher of CIPHERS) {
  console.log(`${cipher}`);
  console.log(
    '  size   op     openssl  -aead   C loop |  TLS1.3   ratio  r-aead r-loop |  TLS1.2   ratio  r-aead r-loop | target',
  );
  for (const size of SIZES) {
    const base = {
      seal: opensslSpeed(cipher, size, false, false),
      open: opensslSpeed(cipher, size, true, false),
      sealAead: opensslSpeed(cipher, size, false, true),
      openAead: opensslSpeed(cipher, size, true, true),
    };
    const loops = { seal: [], open: [] };
    for (let r = 0; r < ROUNDS; r++) {
      loops.seal.push(ceiling(cipher, size, false));
      loops.open.push(ceiling(cipher, size, true));
    }
    base.sealLoop = median(loops.seal);
    base.openLoop = median(loops.open);
    const ours = {};
    for (const [vname, version] of [
      ['tls13', TLS_1_3],
      ['tls12', TLS_1_2],
    ]) {
      const c = contenders(version, cipher, size);
      const seal = [];
      const open = [];
      for (let r = 0; r < ROUNDS; r++) {
        seal.push(measure(c.sealBatch, c.bytes));
        open.push(measure(c.openBatch, c.bytes));
      }
      ours[vname] = { seal: median(seal), open: median(open) };
    }
    for (const op of ['seal', 'open']) {
      const b = base[op];
      const ba = base[`${op}Aead`];
      const bl = base[`${op}Loop`];
      const t13 = ours.tls13[op];
      const t12 = ours.tls12[op];
      const target = TARGETS[size];
      const worst = Math.min(t13 / b, t12 / b);
      const verdict =
        target === undefined ? '-' : `≥ ${target} ${worst >= target ? 'met' : 'MISSED'}`;
      console.log(
        `  ${pad(size, 5)}  ${op}  ${pad(f1(b), 8)} ${pad(f1(ba), 7)} ${pad(f1(bl), 8)} | ${pad(f1(t13), 7)}  ${pad(f2(t13 / b), 6)} ${pad(f2(t13 / ba), 6)} ${pad(f2(t13 / bl), 6)} | ${pad(f1(t12), 7)}  ${pad(f2(t12 / b), 6)} ${pad(f2(t12 / ba), 6)} ${pad(f2(t12 / bl), 6)} | ${verdict}`,
      );
      results.push({
        cipher,
        size,
        op,
        openssl: b,
        opensslAead: ba,
        loop: bl,
        tls13: t13,
        tls12: t12,
      });
    }
  }
  console.log('');
}

// The record layer (TlsRecordLayer: TX machine, wire, RX machine, recv) on each engine, seal and
// open per round trip, TLS 1.3 AES-128-GCM: what a caller gets from the default engine.
console.log('TlsRecordLayer seal+open round trip, TLS 1.3 aes-128-gcm (MB/s, CPU time)');
console.log('  size   node:crypto   openssl-evp   evp/node');
const layerState = stateFor(TLS_1_3, 'aes-128-gcm');
const layers = [];
for (const size of SIZES) {
  const payload = new Uint8Array(size).fill(0x62);
  const n = Math.max(64, Math.floor((1024 * 1024) / size));
  const onNode = layerRound(() => new NodeCryptoAeadEngine(), layerState, payload, n);
  const onEvp = layerRound(() => new EvpAeadEngine(), layerState, payload, n);
  const a = [];
  const b = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(measure(onNode, n * size));
    b.push(measure(onEvp, n * size));
  }
  const x = median(a);
  const y = median(b);
  layers.push({ size, nodeCrypto: x, evp: y });
  console.log(`  ${pad(size, 5)}   ${pad(f1(x), 11)}   ${pad(f1(y), 11)}   ${pad(f2(y / x), 8)}`);
}

// Bytes the JS heap grows by per record, steady state.
console.log(
  '\nJS heap bytes allocated per record (steady state, 64 B records, TLS 1.3 aes-128-gcm)',
);
const alloc = {};
{
  const c = contenders(TLS_1_3, 'aes-128-gcm', 64);
  alloc.sealer = allocatedPerRecord(c.sealBatch, c.records, 50);
  alloc.opener = allocatedPerRecord(c.openBatch, c.records, 50);
  const payload = new Uint8Array(64);
  alloc.layerEvp = allocatedPerRecord(
    layerRound(() => new EvpAeadEngine(), layerState, payload, 100),
    100,
    50,
  );
  alloc.layerNode = allocatedPerRecord(
    layerRound(() => new NodeCryptoAeadEngine(), layerState, payload, 100),
    100,
    50,
  );
  const fmt = (x) =>
    x === null ? 'not measured (a GC ran, or no --expose-gc)' : `${x.toFixed(1)} B`;
  console.log(`  EvpRecordSealer (batch of ${c.records}, seal in place): ${fmt(alloc.sealer)}`);
  console.log(`  EvpRecordOpener (batch of ${c.records}, open in place): ${fmt(alloc.opener)}`);
  console.log(`  TlsRecordLayer on openssl-evp, seal+open:               ${fmt(alloc.layerEvp)}`);
  console.log(`  TlsRecordLayer on node:crypto, seal+open:               ${fmt(alloc.layerNode)}`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ results, layers, alloc }));
