import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { EnvironmentError, EXIT, fsMessage, UsageError } from '../errors.js';
import { checkOutputFile } from '../files.js';

/**
 * `ktls-lab capture`: a loopback TCP relay that records both directions of one connection as raw
 * byte streams (`c2s.bin`, `s2c.bin`) and an index of chunks with their order and time. Bytes are
 * written to disk before they are forwarded, so nothing the peers saw is missing from the capture.
 */

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export function parseEndpoint(flag: string, text: string): Endpoint {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535)
    throw new UsageError(`${flag} takes HOST:PORT, for example 127.0.0.1:8443 (got "${text}")`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export interface CaptureChunk {
  readonly dir: 'c2s' | 's2c';
  readonly offset: number;
  readonly length: number;
  /** Milliseconds since the connection was accepted. */
  readonly ms: number;
}

export interface CaptureSummary {
  readonly c2s: number;
  readonly s2c: number;
  readonly chunks: number;
  readonly reason: string;
}

export interface CaptureHandle {
  /** The port the relay listens on (useful with port 0). */
  readonly port: number;
  readonly done: Promise<CaptureSummary>;
  close(reason?: string): void;
}

/** Starts the relay; it records one connection, then stops. */
export async function startCapture(o: {
  listen: Endpoint;
  connect: Endpoint;
  out: string;
  maxBytes?: number;
}): Promise<CaptureHandle> {
  try {
    mkdirSync(o.out, { recursive: true });
  } catch (e) {
    throw new UsageError(`--out: ${fsMessage('create', o.out, e)}`);
  }
  const maxBytes = o.maxBytes ?? 1024 ** 3;
  const index: CaptureChunk[] = [];
  const offsets = { c2s: 0, s2c: 0 };
  let files: { c2s: number; s2c: number } | null = null;
  let start = 0;
  let server: Server;
  let client: Socket | null = null;
  let upstream: Socket | null = null;
  let finished = false;
  let resolveDone: (s: CaptureSummary) => void = () => {};
  const done = new Promise<CaptureSummary>((r) => {
    resolveDone = r;
  });

  const finish = (reason: string) => {
    if (finished) return;
    finished = true;
    client?.destroy();
    upstream?.destroy();
    server.close();
    if (files) {
      closeSync(files.c2s);
      closeSync(files.s2c);
    }
    writeFileSync(
      join(o.out, 'index.json'),
      `${JSON.stringify({ format: 'ktls-lab-capture', version: 1, connect: o.connect, chunks: index }, null, 1)}\n`,
    );
    resolveDone({ c2s: offsets.c2s, s2c: offsets.s2c, chunks: index.length, reason });
  };

  const record = (dir: 'c2s' | 's2c', data: Buffer) => {
    writeSync(files![dir], data);
    index.push({ dir, offset: offsets[dir], length: data.length, ms: Date.now() - start });
    offsets[dir] += data.length;
    if (offsets.c2s + offsets.s2c > maxBytes) finish(`capture limit of ${maxBytes} bytes reached`);
  };

  server = createServer((socket) => {
    if (client) {
      socket.destroy();
      return;
    }
    client = socket;
    start = Date.now();
    files = {
      c2s: openSync(join(o.out, 'c2s.bin'), 'w'),
      s2c: openSync(join(o.out, 's2c.bin'), 'w'),
    };
    upstream = connect(o.connect.port, o.connect.host);
    const up = upstream;
    const pipe = (from: Socket, to: Socket, dir: 'c2s' | 's2c') => {
      from.on('data', (d: Buffer) => {
        record(dir, d);
        // Backpressure: stop reading while the other side is not draining.
        if (!to.write(d)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.on('end', () => to.end());
    };
    pipe(socket, up, 'c2s');
    pipe(up, socket, 's2c');
    let closed = 0;
    const onClose = () => {
      closed++;
      if (closed === 2) finish('both sides closed');
    };
    socket.on('close', onClose);
    up.on('close', onClose);
    up.on('error', (e) => finish(`upstream ${o.connect.host}:${o.connect.port}: ${e.message}`));
    socket.on('error', (e) => finish(`client: ${e.message}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new UsageError(`--listen ${o.listen.host}:${o.listen.port}: ${e.message}`)),
    );
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : o.listen.port,
    done,
    close: (reason = 'stopped') => finish(reason),
  };
}

export async function captureCommand(o: {
  listen: string;
  connect: string;
  out: string;
  maxBytes?: number;
}): Promise<number> {
  const listen = parseEndpoint('--listen', o.listen);
  const connect = parseEndpoint('--connect', o.connect);
  for (const name of ['c2s.bin', 's2c.bin', 'index.json'])
    checkOutputFile(join(o.out, name), '--out');
  const handle = await startCapture({
    listen,
    connect,
    out: o.out,
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
  }).catch((e: unknown) => {
    // A port in use or not ours to bind is the machine's state, not a typo (exit 5).
    if (e instanceof UsageError && /EADDRINUSE|EACCES|EADDRNOTAVAIL/.test(e.message))
      throw new EnvironmentError(e.message);
    throw e;
  });
  process.stderr.write(
    `capturing one connection: listening on ${o.listen.replace(/:\d+$/, '')}:${handle.port}, relaying to ${o.connect}\n`,
  );
  const stop = () => handle.close('interrupted');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const s = await handle.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  process.stdout.write(
    `captured ${s.c2s} bytes client→server and ${s.s2c} bytes server→client in ${s.chunks} chunks (${s.reason}); files in ${o.out}\n`,
  );
  return captureExit(s);
}

/**
 * A capture that recorded nothing because the connection failed (upstream refused or unreachable,
 * the client gone before a byte) is not a capture: exit 1. A connection that ended after bytes
 * flowed, even by a reset, recorded what the peers saw; whether the session in it is whole is
 * `decode`'s verdict. A signal exits 130.
 */
export function captureExit(s: CaptureSummary): number {
  if (s.reason === 'interrupted') return EXIT.interrupted;
  if (s.chunks === 0 && /^(upstream |client: )/.test(s.reason)) return EXIT.finding;
  return EXIT.ok;
}
