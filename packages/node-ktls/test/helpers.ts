import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import {
  type ConnectionOptions,
  createServer as createTlsServer,
  type Server as TlsServer,
  type TlsOptions,
  type TLSSocket,
} from 'node:tls';
import {
  type AcceptOptions,
  accept,
  connect,
  type KtlsOptions,
  type KtlsStream,
  type OffloadProbe,
} from '../src/index.js';

/** A self-signed P-256 certificate for localhost, made once per test file with Debian's openssl. */
export function makeCert(): { key: Buffer; cert: Buffer; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'node-ktls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(join(dir, 'key.pem')),
    cert: readFileSync(join(dir, 'cert.pem')),
    dir,
  };
}

/** This host has no kernel TLS: the policy keeps everything in userspace, and says so. */
export const NO_KERNEL: OffloadProbe = {
  addon: { available: true, explanation: 'loaded' },
  tlsUlp: { available: false, errno: 'ENOENT', explanation: 'no TLS ULP (test probe)' },
  tlsTx: [],
  rekey: { available: false, explanation: 'not probed: no TLS ULP' },
};

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const payload = (n: number): Buffer => randomBytes(n);

/** Reads a stream to its end; resolves with the bytes, rejects on error. */
export function readAll(s: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('error', reject);
  });
}

/** A TCP listener on 127.0.0.1 handing each accepted socket to `onSocket`. */
export async function listen(
  onSocket: (s: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A listener whose first connection goes to `accept`; `stream()` resolves with what it made. */
export async function acceptOne(
  options: AcceptOptions,
  ktls: KtlsOptions = { probe: NO_KERNEL },
): Promise<{ port: number; stream: () => Promise<KtlsStream>; close: () => void }> {
  let accepted: Promise<KtlsStream> | undefined;
  const { server, port } = await listen((raw) => {
    if (accepted !== undefined) return;
    accepted = accept(raw, options, ktls);
    // Handled here so a failed handshake is not an unhandled rejection before `stream()` is
    // awaited; `stream()` still rejects with it.
    accepted.catch(() => {});
  });
  return {
    port,
    stream: async () => {
      while (accepted === undefined) await new Promise((r) => setTimeout(r, 5));
      return accepted;
    },
    close: () => server.close(),
  };
}

/** A Node `tls.Server` on 127.0.0.1 with `pem`'s certificate, and our `connect()` to it. */
export async function nodeServer(
  pem: { key: Buffer; cert: Buffer },
  options: TlsOptions = {},
  onSecure: (s: TLSSocket) => void = () => {},
  ktls: KtlsOptions = { probe: NO_KERNEL },
  connectOptions: ConnectionOptions = {},
): Promise<{ server: TlsServer; ours: () => Promise<{ ours: KtlsStream; theirs: TLSSocket }> }> {
  const server = createTlsServer({ key: pem.key, cert: pem.cert, ...options }, onSecure);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    ours: async () => {
      const theirs = once(server, 'secureConnection') as Promise<[TLSSocket]>;
      const ours = await connect(
        { host: '127.0.0.1', port, servername: 'localhost', ca: pem.cert, ...connectOptions },
        ktls,
      );
      return { ours, theirs: (await theirs)[0] };
    },
  };
}

/**
 * Both ends send `bytes` random bytes and end; the SHA-256 of what each read and of what the other
 * sent, for the caller to compare (close_notify must end both for the reads to finish).
 */
export async function exchange(
  ours: KtlsStream,
  theirs: TLSSocket,
  bytes: number,
): Promise<{ oursGot: string; theirsGot: string; up: string; down: string }> {
  const up = payload(bytes);
  const down = payload(bytes);
  const oursRead = readAll(ours);
  const theirsRead = readAll(theirs);
  ours.end(up);
  theirs.end(down);
  const [a, b] = await Promise.all([oursRead, theirsRead]);
  return { oursGot: sha256(a), theirsGot: sha256(b), up: sha256(up), down: sha256(down) };
}
