import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CaptureSummary, startCapture } from '../src/commands/capture.js';
import { tempDir } from './helpers.js';

/**
 * `capture` relays each direction until it ends: what the relay recorded must be exactly what the
 * other peer received, through half-closes from either side, resets from either side and
 * transfers of several MiB against slow readers (backpressure).
 */

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** What one peer saw: every byte it received, and how its connection ended. */
interface Seen {
  bytes: Buffer;
  end: 'fin' | 'reset' | 'none';
}

function watch(socket: Socket, slow = false): { seen: Seen; closed: Promise<void> } {
  const seen: Seen = { bytes: Buffer.alloc(0), end: 'none' };
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => {
    parts.push(d);
    // A slow reader: the relay must stop reading the sender rather than buffer without limit.
    if (slow && parts.length % 8 === 0) {
      socket.pause();
      setTimeout(() => socket.resume(), 2);
    }
  });
  socket.on('end', () => {
    seen.end = 'fin';
  });
  socket.on('error', (e: Error & { code?: string }) => {
    if (e.code === 'ECONNRESET') seen.end = 'reset';
  });
  const closed = new Promise<void>((r) =>
    socket.on('close', () => {
      seen.bytes = Buffer.concat(parts);
      r();
    }),
  );
  return { seen, closed };
}

/**
 * A server whose connection handler `onServer` drives, a capture in front of it, and a client
 * driven by `onClient`; resolves when both peers' sockets and the capture are closed.
 */
async function session(
  onServer: (s: Socket) => void,
  onClient: (c: Socket) => void,
  slow = false,
): Promise<{ server: Seen; client: Seen; summary: CaptureSummary; c2s: Buffer; s2c: Buffer }> {
  let serverSide!: { seen: Seen; closed: Promise<void> };
  let accepted!: () => void;
  const gotConnection = new Promise<void>((r) => {
    accepted = r;
  });
  const server = createServer({ allowHalfOpen: true }, (s) => {
    serverSide = watch(s, slow);
    onServer(s);
    accepted();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const out = tempDir();
  const cap = await startCapture({
    listen: { host: '127.0.0.1', port: 0 },
    connect: { host: '127.0.0.1', port: (server.address() as { port: number }).port },
    out,
  });
  const client = connect({ port: cap.port, host: '127.0.0.1', allowHalfOpen: true });
  const clientSide = watch(client, slow);
  await new Promise((r) => client.once('connect', r));
  onClient(client);
  await gotConnection;
  await Promise.all([clientSide.closed, serverSide.closed]);
  const summary = await cap.done;
  return {
    server: serverSide.seen,
    client: clientSide.seen,
    summary,
    c2s: readFileSync(join(out, 'c2s.bin')),
    s2c: readFileSync(join(out, 's2c.bin')),
  };
}

describe('capture relays each direction until it ends', () => {
  it('client half-closes after its request: the answer still reaches it', async () => {
    const r = await session(
      (s) => s.on('end', () => s.end('ok')),
      (c) => c.end('hello'),
    );
    expect(r.c2s.toString()).toBe('hello');
    expect(r.s2c.toString()).toBe('ok');
    expect(r.server.bytes.toString()).toBe('hello');
    expect(r.client.bytes.toString()).toBe('ok');
    expect([r.server.end, r.client.end]).toEqual(['fin', 'fin']);
    expect(r.summary.ends).toEqual({ c2s: 'fin', s2c: 'fin' });
    expect(r.summary.reason).toBe('client closed its side, server closed its side');
  });

  it('server half-closes first: the client keeps sending and the server gets all of it', async () => {
    const later = randomBytes(300_000);
    const r = await session(
      (s) => s.end('bye early'),
      (c) => c.on('end', () => c.end(later)),
    );
    expect(r.client.bytes.toString()).toBe('bye early');
    expect(sha(r.server.bytes)).toBe(sha(later));
    expect(sha(r.c2s)).toBe(sha(later));
    expect(r.summary.ends).toEqual({ c2s: 'fin', s2c: 'fin' });
  });

  it('several MiB each way at once against slow readers: every byte recorded was delivered and vice versa', async () => {
    const up = randomBytes(6 * 1024 * 1024);
    const down = randomBytes(5 * 1024 * 1024 + 17);
    const r = await session(
      (s) => s.end(down),
      (c) => c.end(up),
      true,
    );
    expect(r.server.bytes.length).toBe(up.length);
    expect(sha(r.server.bytes)).toBe(sha(up));
    expect(sha(r.c2s)).toBe(sha(up));
    expect(r.client.bytes.length).toBe(down.length);
    expect(sha(r.client.bytes)).toBe(sha(down));
    expect(sha(r.s2c)).toBe(sha(down));
    expect(r.summary.c2s).toBe(up.length);
    expect(r.summary.s2c).toBe(down.length);
  });

  it.each([
    ['client', 'c2s', 's2c'],
    ['server', 's2c', 'c2s'],
  ] as const)('a reset from the %s is passed on and recorded as one', async (who, from, to) => {
    const first = Buffer.from(`before the reset, from the ${who}`);
    let resetter!: Socket;
    const act = (s: Socket) => {
      resetter = s;
      s.write(first);
    };
    const other = (s: Socket) => {
      // Reset once the first bytes went through the relay: they were recorded and delivered.
      s.once('data', () => setTimeout(() => resetter.resetAndDestroy(), 20));
    };
    const r = await session(who === 'server' ? act : other, who === 'client' ? act : other);
    const peer = who === 'client' ? r.server : r.client;
    expect(peer.end).toBe('reset');
    expect(peer.bytes.toString()).toBe(first.toString());
    expect((from === 'c2s' ? r.c2s : r.s2c).toString()).toBe(first.toString());
    expect(r.summary.ends).toEqual({ [from]: 'rst', [to]: 'rst' });
    const peerName = who === 'client' ? 'server' : 'client';
    expect(r.summary.reason).toBe(
      `${who} reset the connection (ECONNRESET), reset passed on to the ${peerName}`,
    );
  });

  it('a half-closed direction, then a reset of the other: the bytes before both arrived', async () => {
    const r = await session(
      (s) => s.on('end', () => s.write('answer', () => setTimeout(() => s.resetAndDestroy(), 20))),
      (c) => c.end('question'),
    );
    expect(r.server.bytes.toString()).toBe('question');
    expect(r.client.bytes.toString()).toBe('answer');
    expect(r.client.end).toBe('reset');
    expect(r.summary.ends).toEqual({ c2s: 'fin', s2c: 'rst' });
  });

  it('an upstream that refuses the connection resets the client', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const out = tempDir();
    const cap = await startCapture({
      listen: { host: '127.0.0.1', port: 0 },
      connect: { host: '127.0.0.1', port },
      out,
    });
    const client = connect({ port: cap.port, host: '127.0.0.1' });
    const side = watch(client);
    await side.closed;
    const summary = await cap.done;
    expect(side.seen.end).toBe('reset');
    expect(summary.reason).toBe(
      'server reset the connection (ECONNREFUSED), reset passed on to the client',
    );
    expect(JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')).ends).toEqual({
      c2s: 'rst',
      s2c: 'rst',
    });
  });
});
