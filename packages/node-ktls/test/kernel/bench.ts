/**
 * Benchmark (not a test), run in the VM by `pnpm --filter @ktls-lab/native bench:kernel` (vm/run.mjs
 * --bench): serving the same file to a Node tls client in the same process, three ways — Node's
 * tls (the baseline), the offloaded stream (writes sealed by the kernel), and the offloaded stream
 * with sendFile (sendfile(2): the pages never enter JS). Under qemu TCG every absolute number is
 * distorted (docs/vm-harness.md), so only the ratios against the baseline in the same run count;
 * the client decrypts in userspace in every variant, which narrows the ratios. Then the ping-pong
 * of test/kernel/pingPong.ts: round trips and idle cost with kernel RX waiting on timers or on
 * FdWatcher.
 */
import { once } from 'node:events';
import { createReadStream, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import { accept, type KtlsStream } from '../../src/index.js';
import { makeCert, payload } from '../helpers.js';
import { BENCH_TLS, type PingPongBench, runPingPongBenchmark } from './pingPong.js';

const FILE_BYTES = 8 << 20;
const ROUNDS = 3;

type Variant = 'node-tls' | 'ktls-write' | 'ktls-sendfile';

export interface NodeKtlsBench {
  readonly fileBytes: number;
  readonly mbps: Record<Variant, number>;
  readonly ratio: Record<Variant, number>;
  readonly planes: string;
  readonly pingPong: PingPongBench;
  readonly text: string;
}

/** One download of the file through `serve`, timed from connect to the client's end. */
async function download(
  pem: { key: Buffer; cert: Buffer },
  variant: Variant,
  file: string,
  planes: string[],
): Promise<number> {
  const server =
    variant === 'node-tls'
      ? tls.createServer({ ...pem, ...BENCH_TLS }, (s) => {
          void pipeline(createReadStream(file), s).catch(() => {});
        })
      : createServer(async (raw) => {
          const s: KtlsStream = await accept(raw, { ...pem, ...BENCH_TLS });
          planes.push(`tx ${s.offload.tx.plane}`);
          if (variant === 'ktls-sendfile') {
            await s.sendFile(file);
            s.end();
          } else await pipeline(createReadStream(file), s);
        });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const t0 = performance.now();
  const client = tls.connect({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    servername: 'localhost',
    ca: pem.cert,
  });
  let got = 0;
  client.on('data', (d: Buffer) => {
    got += d.length;
  });
  await once(client, 'end');
  const secs = (performance.now() - t0) / 1000;
  client.destroy();
  server.close();
  if (got !== FILE_BYTES) throw new Error(`${variant}: got ${got} of ${FILE_BYTES} bytes`);
  return FILE_BYTES / 1e6 / secs;
}

export async function runNodeKtlsBenchmark(): Promise<NodeKtlsBench> {
  const pem = makeCert();
  const file = join(pem.dir, 'bench.bin');
  writeFileSync(file, payload(FILE_BYTES));
  const variants: Variant[] = ['node-tls', 'ktls-write', 'ktls-sendfile'];
  const runs: Record<Variant, number[]> = { 'node-tls': [], 'ktls-write': [], 'ktls-sendfile': [] };
  const planes: string[] = [];
  // Alternating rounds, so drift on the shared host hits every variant alike; a warm-up first.
  for (const v of variants) await download(pem, v, file, []);
  for (let i = 0; i < ROUNDS; i++)
    for (const v of variants) runs[v].push(await download(pem, v, file, planes));
  const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)] ?? 0;
  const mbps = {
    'node-tls': med(runs['node-tls']),
    'ktls-write': med(runs['ktls-write']),
    'ktls-sendfile': med(runs['ktls-sendfile']),
  };
  const ratio = {
    'node-tls': 1,
    'ktls-write': mbps['ktls-write'] / mbps['node-tls'],
    'ktls-sendfile': mbps['ktls-sendfile'] / mbps['node-tls'],
  };
  const plane = [...new Set(planes)].join(', ');
  const pingPong = await runPingPongBenchmark(pem);
  const text = [
    `node-ktls: serving a ${FILE_BYTES >> 20} MiB file over TLS 1.2 AES-128-GCM to a Node tls client, median of ${ROUNDS} (${plane}); ratios against Node's tls:`,
    ...variants.map(
      (v) => `  ${v.padEnd(14)} ${ratio[v].toFixed(2)}x  (${mbps[v].toFixed(1)} MB/s under TCG)`,
    ),
    pingPong.text,
  ].join('\n');
  return { fileBytes: FILE_BYTES, mbps, ratio, planes: plane, pingPong, text };
}
