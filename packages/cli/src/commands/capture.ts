import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { EnvironmentError, EXIT, fsMessage, UsageError } from '../errors.js';
import { checkOutputFile } from '../files.js';
import { writeErr, writeOut } from '../output.js';
import { type DirectionEnd, type Relay, relay } from '../relay.js';

/**
 * `ktls-lab capture`: a loopback TCP relay that records both directions of one connection as raw
 * byte streams (`c2s.bin`, `s2c.bin`) and an index of chunks with their order and time. Bytes are
 * written to disk before they are forwarded, so nothing the peers saw is missing from the capture,
 * and each direction is relayed until it ends (a half-close is passed on with shutdown, a reset as
 * a reset: src/relay.ts), so nothing recorded is withheld from the peer. How each direction ended
 * is in the index (`ends`).
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

/** How a direction of the captured connection ended; `open` if the capture stopped first. */
export type CaptureEnd = DirectionEnd | 'open';

export interface CaptureSummary {
  readonly c2s: number;
  readonly s2c: number;
  readonly chunks: number;
  readonly reason: string;
  readonly ends: { readonly c2s: CaptureEnd; readonly s2c: CaptureEnd };
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
  let link: Relay | null = null;
  const ends: { c2s: CaptureEnd; s2c: CaptureEnd } = { c2s: 'open', s2c: 'open' };
  const why: string[] = [];
  let finished = false;
  let resolveDone: (s: CaptureSummary) => void = () => {};
  const done = new Promise<CaptureSummary>((r) => {
    resolveDone = r;
  });

  const finish = (reason: string) => {
    if (finished) return;
    finished = true;
    link?.destroy();
    server.close();
    if (files) {
      closeSync(files.c2s);
      closeSync(files.s2c);
    }
    writeFileSync(
      join(o.out, 'index.json'),
      `${JSON.stringify({ format: 'ktls-lab-capture', version: 1, connect: o.connect, ends, chunks: index }, null, 1)}\n`,
    );
    resolveDone({
      c2s: offsets.c2s,
      s2c: offsets.s2c,
      chunks: index.length,
      reason,
      ends: { ...ends },
    });
  };

  const record = (dir: 'c2s' | 's2c', data: Buffer) => {
    writeSync(files![dir], data);
    index.push({ dir, offset: offsets[dir], length: data.length, ms: Date.now() - start });
    offsets[dir] += data.length;
    if (offsets.c2s + offsets.s2c > maxBytes) finish(`capture limit of ${maxBytes} bytes reached`);
  };

  server = createServer({ allowHalfOpen: true }, (socket) => {
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
    const upstream = connect({ port: o.connect.port, host: o.connect.host, allowHalfOpen: true });
    const side = { c2s: 'client', s2c: 'server' } as const;
    link = relay(socket, upstream, {
      onData: record,
      onEnd: (dir, end, cause) => {
        ends[dir] = end;
        // A passed-on reset ends the direction that starts at the side the reset was sent to.
        why.push(
          end === 'fin'
            ? `${side[dir]} closed its side`
            : cause === 'passed on'
              ? `reset passed on to the ${side[dir]}`
              : `${side[dir]} reset the connection (${cause})`,
        );
      },
      onClose: () => finish(why.join(', ')),
    });
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
  writeErr(
    `capturing one connection: listening on ${o.listen.replace(/:\d+$/, '')}:${handle.port}, relaying to ${o.connect}\n`,
  );
  const stop = () => handle.close('interrupted');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const s = await handle.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  writeOut(
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
  if (s.chunks === 0 && (s.ends.c2s === 'rst' || s.ends.s2c === 'rst')) return EXIT.finding;
  return EXIT.ok;
}
