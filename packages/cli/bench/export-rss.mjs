/**
 * Benchmark (not a test): peak memory of `ktls-lab export --format perfetto` against the size of
 * the trace. It writes two synthetic traces, one 10× the other (default 20 MB and 200 MB), exports
 * each in a fresh process under `/usr/bin/time -v` (peak RSS of the child: "Maximum resident set
 * size"), checks the output is valid JSON with one instant per input event (by streaming it back
 * through a line count, not by parsing it whole), and prints the RSS ratio. A flat exporter stays
 * within 2×; one that holds the trace (or its JSON) grows with it, and past V8's string limit dies.
 *
 *   pnpm --filter @ktls-lab/cli bench:export-rss [-- --mb 20 --factor 10]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MB = arg('mb', 20);
const FACTOR = arg('factor', 10);
const BIN = join(import.meta.dirname, '..', 'bin', 'ktls-lab.js');
const dir = mkdtempSync(join(tmpdir(), 'ktls-lab-export-rss-'));

const HEADER = {
  format: 'ktls-lab-trace',
  version: 1,
  world: 'sim',
  design: 'linux-ktls',
  scenario: 'bench',
  engine: 'model',
  endpoints: ['client', 'server'],
  suite: 'TLS_AES_128_GCM_SHA256',
};

/** A trace of about `bytes`: sealed and opened records, with a KeyUpdate freeze now and then. */
function writeTrace(path, bytes) {
  const fd = openSync(path, 'w');
  let size = 0;
  let t = 0;
  let events = 0;
  let batch = `${JSON.stringify(HEADER)}\n`;
  const key = { key: 'aa', nonce: 'bb', aad: 'cc' };
  for (let req = 1; size < bytes; req++) {
    const seq = String(req);
    const lines = [
      {
        t: t++,
        ep: 'client',
        lane: 'dp-tx',
        kind: 'seal-request',
        seq,
        epoch: 1,
        type: 23,
        size: 300,
        req,
        ...key,
        header: '1703030120',
        preview: '00',
      },
      { t: t++, ep: 'client', lane: 'dp-tx', kind: 'seal-done', seq, epoch: 1, req },
      { t: t++, ep: 'server', lane: 'dp-rx', kind: 'open-request', seq, epoch: 1, req, ...key },
      { t: t++, ep: 'server', lane: 'dp-rx', kind: 'open-done', seq, epoch: 1, size: 300, req },
    ];
    if (req % 100 === 0) {
      lines.push({
        t: t++,
        ep: 'server',
        lane: 'dp-rx',
        kind: 'freeze',
        epoch: 1,
        reason: 'key-update',
      });
      lines.push({
        t: t++,
        ep: 'server',
        lane: 'dp-rx',
        kind: 'resume',
        epoch: 1,
        reason: 'key-installed',
      });
    }
    for (const l of lines) batch += `${JSON.stringify(l)}\n`;
    events += lines.length;
    if (batch.length > 1 << 20) {
      size += writeSync(fd, batch);
      batch = '';
    }
  }
  size += writeSync(fd, batch);
  closeSync(fd);
  return events;
}

/** Counts `"ph":"i"` in the output, reading it in pieces (the output may be larger than a string). */
function countInstants(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let count = 0;
  let carry = '';
  for (;;) {
    const n = readSync(fd, buf);
    if (n === 0) break;
    const text = carry + buf.toString('latin1', 0, n);
    count += text.split('"ph":"i"').length - 1;
    carry = text.slice(-8);
    count -= carry.split('"ph":"i"').length - 1;
  }
  count += carry.split('"ph":"i"').length - 1;
  closeSync(fd);
  return count;
}

function run(mb) {
  const trace = join(dir, `trace-${mb}.ndjson`);
  const out = join(dir, `trace-${mb}.json`);
  const events = writeTrace(trace, mb * 1e6);
  const child = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, BIN, 'export', trace, '--out', out],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`export failed: ${child.stderr}`);
  const report = child.stderr;
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)[1]);
  const seconds = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(report)?.[1] ?? '?';
  const instants = countInstants(out);
  if (instants !== events) throw new Error(`${out}: ${instants} instants for ${events} events`);
  const row = {
    mb,
    traceBytes: statSync(trace).size,
    outBytes: statSync(out).size,
    events,
    rssMb: rssKb / 1024,
    seconds,
  };
  rmSync(trace);
  rmSync(out);
  return row;
}

try {
  const small = run(MB);
  const large = run(MB * FACTOR);
  for (const r of [small, large]) {
    console.log(
      `${(r.traceBytes / 1e6).toFixed(0)} MB trace (${r.events} events) → ${(r.outBytes / 1e6).toFixed(0)} MB JSON: peak RSS ${r.rssMb.toFixed(0)} MiB, ${r.seconds}`,
    );
  }
  const ratio = large.rssMb / small.rssMb;
  console.log(`peak RSS ${FACTOR}× input / 1× input: ${ratio.toFixed(2)} (target ≤ 2)`);
  process.exitCode = ratio <= 2 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
