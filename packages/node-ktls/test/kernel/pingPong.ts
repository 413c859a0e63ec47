/**
 * Benchmark (not a test), part of `bench:kernel` (test/kernel/bench.ts): round-trip latency of
 * small messages over an offloaded server stream with kernel RX, and what an idle connection costs
 * the event loop. Three servers echo a Node tls client's 32-byte requests, one at a time:
 *
 *  - `node-tls`: Node's tls (the baseline);
 *  - `ktls-poll`: kernel RX waiting as it did before FdWatcher, with poll(2) on timers 1, 2, 4 … 16
 *    ms apart while idle (`PollingWatcher` below: the same back-off src/kernelRx.ts used);
 *  - `ktls-watch`: kernel RX waiting on the addon's FdWatcher (epoll through libuv).
 *
 * Under qemu TCG absolute times are distorted (docs/vm-harness.md); the ratios in one run count.
 * Idle cost: the event loop thread's voluntary context switches (each a sleep and a wake-up) and
 * the process's CPU time over an idle second with the connection open.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import tls from 'node:tls';
import { KtlsSocket, POLLIN, POLLOUT, Readiness, type ReadinessCallback } from '@ktls-lab/native';
import { accept, type KernelSocketFactory } from '../../src/index.js';
import { ScheduledWatcher } from '../scheduledWatcher.js';
import { kernelSocketOf } from './rows.js';

const ROUND_TRIPS = 300;
const ROUNDS = 5;
const IDLE_MS = 1000;
/** Requests that each come after a pause (idle → data: where a poll back-off has grown to 16 ms). */
const AFTER_PAUSE = 20;
const PAUSE_MS = 40;
/** TLS 1.2 AES-128-GCM: kernel TX and RX on both kernels (the benchmarks' one configuration). */
export const BENCH_TLS = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.2',
  ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
} as const;

type Variant = 'node-tls' | 'ktls-poll' | 'ktls-watch';
const VARIANTS: readonly Variant[] = ['node-tls', 'ktls-poll', 'ktls-watch'];

/** The old wait, as a watcher: poll(2) with no timeout on a timer back-off while idle. */
class PollingWatcher extends ScheduledWatcher {
  private delay = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  constructor(
    private readonly sock: KtlsSocket,
    private readonly callback: ReadinessCallback,
  ) {
    super();
  }
  override close(): void {
    super.close();
    this.cancel();
  }
  private cancel(): void {
    if (this.timer === null) return;
    if (this.delay === 0) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = null;
  }
  schedule(): void {
    if (this.timer !== null || this.closed || !(this.reading || this.writing)) return;
    this.timer = this.delay === 0 ? setImmediate(this.tick) : setTimeout(this.tick, this.delay);
  }
  private readonly tick = (): void => {
    this.timer = null;
    if (this.closed || !(this.reading || this.writing)) return;
    const revents = this.sock.poll((this.reading ? POLLIN : 0) | (this.writing ? POLLOUT : 0), 0);
    const events =
      (revents & POLLIN ? Readiness.readable : 0) | (revents & POLLOUT ? Readiness.writable : 0);
    // At once after a hit, as the old loop did while data flowed; 1, 2, 4 … 16 ms while idle.
    this.delay = events !== 0 ? 0 : Math.min(Math.max(1, this.delay * 2), 16);
    if (events !== 0) this.callback(null, events);
    this.schedule();
  };
}

/** What the server's kernel RX did, counted by wrapping its KernelSocket. */
interface RxStats {
  callbacks: number;
  reads: number;
  eagains: number;
  /** Microseconds from the client's write to the server's read of it, one per round trip. */
  readonly delays: number[];
  sentAt: number;
}

/**
 * The connection's KtlsSocket, counting the watcher's callbacks and the reads, and waiting either
 * on FdWatcher or on the old poll back-off.
 */
function countingSocket(stats: RxStats, polling: boolean): KernelSocketFactory {
  return (raw) => {
    const sock = KtlsSocket.fromNetSocket(raw);
    return kernelSocketOf(sock, {
      recvIfReady: (options) => {
        stats.reads++;
        const r = sock.recvIfReady(options);
        if (r === null) stats.eagains++;
        else if (r.data.length > 0 && stats.sentAt > 0) {
          stats.delays.push((performance.now() - stats.sentAt) * 1000);
          stats.sentAt = 0;
        }
        return r;
      },
      watch: (callback) => {
        const counted: ReadinessCallback = (error, events) => {
          stats.callbacks++;
          callback(error, events);
        };
        return polling ? new PollingWatcher(sock, counted) : sock.watch(counted);
      },
    });
  };
}

const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)] ?? 0;

/** The event loop thread's voluntary context switches so far (each one a sleep). */
function loopSleeps(): number {
  const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(
    readFileSync('/proc/thread-self/status', 'utf8'),
  );
  return Number(m?.[1] ?? Number.NaN);
}

interface Run {
  readonly usPerRoundTrip: number;
  readonly idleSleeps: number;
  readonly idleCpuUs: number;
  readonly rxPlane: string;
  readonly stats: RxStats;
  /** Median round trip of a request sent after PAUSE_MS of silence. */
  readonly usAfterPause: number;
  /** Median of the server's request written → read for those (ktls only). */
  readonly usReadAfterPause: number;
}

async function echoServer(
  pem: { key: Buffer; cert: Buffer },
  variant: Variant,
  planes: string[],
  stats: RxStats,
): Promise<Server> {
  const echo = (s: NodeJS.ReadWriteStream) =>
    s.on('data', (d: Buffer) => s.write(d)).on('error', () => {});
  const server =
    variant === 'node-tls'
      ? tls.createServer({ ...pem, ...BENCH_TLS }, echo)
      : createServer(async (raw: Socket) => {
          const s = await accept(
            raw,
            { ...pem, ...BENCH_TLS },
            { kernelSocket: countingSocket(stats, variant === 'ktls-poll') },
          );
          planes.push(s.offload.rx.plane);
          echo(s);
        });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function run(pem: { key: Buffer; cert: Buffer }, variant: Variant): Promise<Run> {
  const planes: string[] = [];
  const stats: RxStats = { callbacks: 0, reads: 0, eagains: 0, delays: [], sentAt: 0 };
  const server = await echoServer(pem, variant, planes, stats);
  const client = tls.connect({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    servername: 'localhost',
    ca: pem.cert,
  });
  await once(client, 'secureConnect');
  const request = Buffer.alloc(32, 0x61);
  let got = 0;
  let wake: (() => void) | null = null;
  client.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= request.length) wake?.();
  });
  const roundTrip = () =>
    new Promise<void>((resolve) => {
      got = 0;
      wake = resolve;
      stats.sentAt = performance.now();
      client.write(request);
    });
  await roundTrip(); // the server's plane is up after the first one
  Object.assign(stats, { callbacks: 0, reads: 0, eagains: 0 });
  stats.delays.length = 0;
  const t0 = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) await roundTrip();
  const usPerRoundTrip = ((performance.now() - t0) * 1000) / ROUND_TRIPS;
  const counted = { ...stats, delays: [...stats.delays] };
  const sleeps0 = loopSleeps();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const cpu = process.cpuUsage(cpu0);
  const idleSleeps = loopSleeps() - sleeps0;
  stats.delays.length = 0;
  const afterPause: number[] = [];
  for (let i = 0; i < AFTER_PAUSE; i++) {
    await new Promise((r) => setTimeout(r, PAUSE_MS));
    const t = performance.now();
    await roundTrip();
    afterPause.push((performance.now() - t) * 1000);
  }
  client.end();
  await once(client, 'close');
  server.close();
  return {
    usPerRoundTrip,
    idleSleeps,
    idleCpuUs: cpu.user + cpu.system,
    rxPlane: variant === 'node-tls' ? 'node' : (planes[0] ?? '?'),
    stats: counted,
    usAfterPause: med(afterPause),
    usReadAfterPause: med(stats.delays),
  };
}

export interface PingPongBench {
  readonly usPerRoundTrip: Record<Variant, number>;
  /** Round-trip time against Node's tls (lower is better). */
  readonly ratio: Record<Variant, number>;
  /** ktls-poll's round-trip time over ktls-watch's: how much faster the watcher is. */
  readonly watchSpeedup: number;
  /** The same for requests after a pause (idle → data). */
  readonly pausedSpeedup: number;
  readonly usAfterPause: Record<Variant, number>;
  readonly idleSleepsPerSecond: Record<Variant, number>;
  readonly idleCpuUsPerSecond: Record<Variant, number>;
  readonly text: string;
}

export async function runPingPongBenchmark(pem: {
  key: Buffer;
  cert: Buffer;
}): Promise<PingPongBench> {
  const runs = Object.fromEntries(VARIANTS.map((v) => [v, [] as Run[]])) as Record<Variant, Run[]>;
  // Alternating rounds, so drift on the shared host hits every variant alike; a warm-up first.
  for (const v of VARIANTS) await run(pem, v);
  for (let i = 0; i < ROUNDS; i++) for (const v of VARIANTS) runs[v].push(await run(pem, v));
  const per = (f: (r: Run) => number) =>
    Object.fromEntries(VARIANTS.map((v) => [v, med(runs[v].map(f))])) as Record<Variant, number>;
  const us = per((r) => r.usPerRoundTrip);
  const sleeps = per((r) => (r.idleSleeps * 1000) / IDLE_MS);
  const cpu = per((r) => (r.idleCpuUs * 1000) / IDLE_MS);
  const ratio = Object.fromEntries(VARIANTS.map((v) => [v, us[v] / us['node-tls']])) as Record<
    Variant,
    number
  >;
  const watchSpeedup = us['ktls-poll'] / us['ktls-watch'];
  const perTrip = per((r) => r.stats.callbacks / ROUND_TRIPS);
  const eagain = per((r) => r.stats.eagains / ROUND_TRIPS);
  const delay = per((r) => med(r.stats.delays));
  const paused = per((r) => r.usAfterPause);
  const pausedRead = per((r) => r.usReadAfterPause);
  const pausedSpeedup = paused['ktls-poll'] / paused['ktls-watch'];
  const pauseLine = (v: Variant) =>
    `  ${v.padEnd(11)} ${(paused[v] / paused['node-tls']).toFixed(2)}x  (${paused[v].toFixed(0)} µs${v === 'node-tls' ? '' : `; request written → server read ${pausedRead[v].toFixed(0)} µs`})`;
  const rxLine = (v: Variant) =>
    v === 'node-tls'
      ? ''
      : `; server RX per round trip: ${perTrip[v].toFixed(2)} callbacks, ${eagain[v].toFixed(2)} EAGAIN, request written → read ${delay[v].toFixed(0)} µs (median)`;
  const rx = [...new Set(VARIANTS.flatMap((v) => runs[v].map((r) => `${v}: rx ${r.rxPlane}`)))];
  const text = [
    `node-ktls ping-pong: ${ROUND_TRIPS} round trips of 32 bytes, TLS 1.2 AES-128-GCM, echo server vs a Node tls client, median of ${ROUNDS} (${rx.join(', ')}); round-trip time against Node's tls (lower is better), then an idle second with the connection open:`,
    ...VARIANTS.map(
      (v) =>
        `  ${v.padEnd(11)} ${ratio[v].toFixed(2)}x  (${us[v].toFixed(0)} µs per round trip under TCG; idle: ${sleeps[v].toFixed(0)} loop wake-ups/s, ${cpu[v].toFixed(0)} µs CPU/s${rxLine(v)})`,
    ),
    `  ktls-watch vs ktls-poll: round trips ${watchSpeedup.toFixed(2)}x faster`,
    `then ${AFTER_PAUSE} requests each after ${PAUSE_MS} ms of silence (idle → data), median round trip against Node's tls:`,
    ...VARIANTS.map(pauseLine),
    `  ktls-watch vs ktls-poll after a pause: round trips ${pausedSpeedup.toFixed(2)}x faster`,
  ].join('\n');
  return {
    usPerRoundTrip: us,
    ratio,
    watchSpeedup,
    pausedSpeedup,
    usAfterPause: paused,
    idleSleepsPerSecond: sleeps,
    idleCpuUsPerSecond: cpu,
    text,
  };
}
