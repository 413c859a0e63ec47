import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { startCapture } from '../../src/commands/capture.js';
import { cli, selfSignedCertificate } from '../helpers.js';

/** The valid inputs the bad-input suite breaks: an explore run folder and a real TLS session. */

export interface RunFolder {
  readonly dir: string;
  readonly results: string;
  readonly trace: string;
  readonly repro: string;
}

/** A small explore run with a caught mutant: results.json, one trace, a repro string. */
export function exploreRun(dir: string): RunFolder {
  const r = cli(
    'explore',
    '--scenario',
    'async-depth-8-control-behind-data',
    '--design',
    'linux-ktls,mutant-completion-order-delivery',
    '--seeds',
    '10',
    '--workers',
    '1',
    '--out',
    dir,
  );
  if (r.status !== 0) throw new Error(`explore for the fixture failed: ${r.stderr}`);
  const trace = readdirSync(join(dir, 'traces')).find((f) => f.endsWith('.ndjson'))!;
  const repro = /^\s+(ktls1:\S+)$/m.exec(r.stdout)?.[1];
  if (!repro) throw new Error(`no repro in ${r.stdout}`);
  return { dir, results: join(dir, 'results.json'), trace: join(dir, 'traces', trace), repro };
}

export interface Session {
  readonly dir: string;
  readonly keylog: string;
}

/**
 * A TLS 1.3 session between Node's tls client and server, recorded through `startCapture` into
 * `dir/cap` (c2s.bin, s2c.bin, index.json), with the client's key log. Both sides send data, then
 * close_notify.
 */
export async function tlsSession(dir: string): Promise<Session> {
  mkdirSync(dir, { recursive: true });
  const files = selfSignedCertificate(dir);
  const key = readFileSync(files.key);
  const cert = readFileSync(files.cert);
  const server = tls.createServer({ key, cert, minVersion: 'TLSv1.3' }, (s) => {
    s.on('data', () => s.end('pong'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const upstream = (server.address() as { port: number }).port;
  const cap = await startCapture({
    listen: { host: '127.0.0.1', port: 0 },
    connect: { host: '127.0.0.1', port: upstream },
    out: join(dir, 'cap'),
  });
  let keylog = '';
  const socket = tls.connect({ port: cap.port, host: '127.0.0.1', rejectUnauthorized: false });
  socket.on('keylog', (line) => {
    keylog += line.toString();
  });
  await new Promise((r) => socket.once('secureConnect', r));
  socket.write('ping');
  socket.on('data', () => {});
  await new Promise((r) => socket.once('end', r));
  socket.end();
  await cap.done;
  server.close();
  const file = join(dir, 'keys.log');
  writeFileSync(file, keylog);
  return { dir: join(dir, 'cap'), keylog: file };
}

/** Whole records of a TLS byte stream: [start, end) of each. */
export function recordBounds(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0; at + 5 <= bytes.length; ) {
    const end = at + 5 + ((bytes[at + 3]! << 8) | bytes[at + 4]!);
    if (end > bytes.length) break;
    out.push([at, end]);
    at = end;
  }
  return out;
}
