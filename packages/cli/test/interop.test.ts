import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { type DecodeSummary, parseTrace } from '@ktls-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, selfSignedCertificate, tempDir } from './helpers.js';

/**
 * Real TLS peers through `ktls-lab capture`, decoded by `ktls-lab decode`: OpenSSL's s_server and
 * s_client (Debian's openssl, installed by .ci/run when missing) and Node's own tls module. The
 * decoded application data must equal what each side sent, byte for byte.
 */

const BIN = join(import.meta.dirname, '..', 'bin', 'ktls-lab.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
let certDir = '';

beforeAll(() => {
  certDir = tempDir();
  selfSignedCertificate(certDir);
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts `ktls-lab capture` on a free port; resolves with the port it listens on. */
async function startCapture(
  upstream: number,
  out: string,
): Promise<{ port: number; proc: ChildProcess; done: Promise<number> }> {
  const proc = spawn(
    process.execPath,
    [BIN, 'capture', '--listen', '127.0.0.1:0', '--connect', `127.0.0.1:${upstream}`, '--out', out],
    {
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  const done = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d) => {
      err += d;
      const m = /listening on [^:]+:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', () => reject(new Error(`capture exited early: ${err}`)));
  });
  return { port, proc, done };
}

interface OpensslCase {
  readonly name: string;
  readonly args: string[];
  readonly keyUpdate: boolean;
  readonly suite: string;
}

const CASES: OpensslCase[] = [
  {
    name: 'TLS 1.3 AES-128-GCM',
    args: ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'],
    keyUpdate: true,
    suite: 'TLS_AES_128_GCM_SHA256',
  },
  {
    name: 'TLS 1.3 AES-256-GCM',
    args: ['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384'],
    keyUpdate: true,
    suite: 'TLS_AES_256_GCM_SHA384',
  },
  {
    name: 'TLS 1.3 ChaCha20-Poly1305',
    args: ['-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'],
    keyUpdate: true,
    suite: 'TLS_CHACHA20_POLY1305_SHA256',
  },
  {
    name: 'TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256',
    args: ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'],
    keyUpdate: false,
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  },
  {
    name: 'TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305',
    args: ['-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'],
    keyUpdate: false,
    suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  },
];

interface OpensslServer {
  readonly port: number;
  readonly proc: ChildProcess;
  /** Everything the server printed (the application data it received), across connections. */
  got(): string;
}

/** Starts `openssl s_server` on a free port; it serves connections one after another. */
async function opensslServer(args: string[]): Promise<OpensslServer> {
  const port = await freePort();
  const proc = spawn('openssl', [
    's_server',
    '-accept',
    `127.0.0.1:${port}`,
    '-cert',
    join(certDir, 'cert.pem'),
    '-key',
    join(certDir, 'key.pem'),
    '-quiet',
    ...args,
  ]);
  let got = '';
  proc.stdout.on('data', (d) => {
    got += d;
  });
  await sleep(400);
  return { port, proc, got: () => got };
}

const waitFor = async (f: () => boolean, what: string) => {
  for (let i = 0; i < 100 && !f(); i++) await sleep(50);
  expect(f(), what).toBe(true);
};

interface OpensslSession {
  readonly capDir: string;
  readonly keylog: string;
  readonly clientOut: string;
  readonly sentC: readonly string[];
  readonly sentS: readonly string[];
}

/**
 * One `openssl s_client` connection through `ktls-lab capture` to `server`: a line each way, a
 * KeyUpdate each way if asked, a last line each way, then the client closes (close_notify and
 * shutdown of its write side). Returns where the capture and the key log are.
 */
async function opensslSession(
  server: OpensslServer,
  clientArgs: string[],
  keyUpdate: boolean,
): Promise<OpensslSession> {
  const dir = tempDir();
  const keylog = join(dir, 'keys.log');
  const cap = await startCapture(server.port, join(dir, 'cap'));
  // Not -quiet: s_client only runs its `k`/`K` (KeyUpdate) commands when it reads commands.
  const client = spawn('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${cap.port}`,
    '-keylogfile',
    keylog,
    ...clientArgs,
  ]);
  let clientOut = '';
  client.stdout.on('data', (d) => {
    clientOut += d;
  });
  const tag = Math.random().toString(36).slice(2);
  const sentC = [
    `GET /first line from the client ${tag}\n`,
    `second line after the key update ${tag}\n`,
    `third line after update_requested ${tag}\n`,
  ];
  const sentS = [
    `server says hello ${tag}\n`,
    `server after the peer asked for an update ${tag}\n`,
  ];
  await waitFor(() => clientOut.includes('---\n') && /Cipher is/.test(clientOut), 'handshake done');
  client.stdin.write(sentC[0]);
  await waitFor(() => server.got().includes(sentC[0]!), 'server got line 1');
  server.proc.stdin!.write(sentS[0]);
  await waitFor(() => clientOut.includes(sentS[0]!), 'client got server line 1');
  if (keyUpdate) client.stdin.write('k\n');
  await sleep(150);
  client.stdin.write(sentC[1]);
  await waitFor(() => server.got().includes(sentC[1]!), 'server got line 2');
  if (keyUpdate) client.stdin.write('K\n');
  await sleep(150);
  client.stdin.write(sentC[2]);
  await waitFor(() => server.got().includes(sentC[2]!), 'server got line 3');
  server.proc.stdin!.write(sentS[1]);
  await waitFor(() => clientOut.includes(sentS[1]!), 'client got server line 2');
  client.stdin.end();
  await new Promise((r) => client.on('exit', r));
  expect(await cap.done).toBe(0);
  return { capDir: join(dir, 'cap'), keylog, clientOut, sentC, sentS };
}

/** `ktls-lab decode --json` of a session: the exit status and the summary. */
function decodeSession(
  session: OpensslSession,
  trace?: string,
): { status: number | null; summary: DecodeSummary & { readonly status: string } } {
  const r = cli(
    'decode',
    '--keylog',
    session.keylog,
    '--dir',
    session.capDir,
    ...(trace ? ['--trace', trace] : []),
    '--json',
  );
  return { status: r.status, summary: JSON.parse(r.stdout) };
}

/** The application data of both directions decoded equals what each side sent. */
function expectAllData(session: OpensslSession, s: DecodeSummary) {
  expect(s.c2s.applicationSha256).toBe(sha256(session.sentC.join('')));
  expect(s.s2c.applicationSha256).toBe(sha256(session.sentS.join('')));
  expect(s.c2s.alerts).toContain('close_notify');
  // s_server answers the client's close_notify with its own (test/capture.test.ts checks that
  // what the server sends after the client's half-close reaches the client, not just the file).
  expect(s.s2c.alerts).toContain('close_notify');
}

describe('OpenSSL s_server ↔ s_client through ktls-lab capture, decoded', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const server = await opensslServer(c.args);
      try {
        const session = await opensslSession(server, c.args, c.keyUpdate);
        const trace = join(session.capDir, '..', 'trace.ndjson');
        const { status, summary: s } = decodeSession(session, trace);
        expect(status, JSON.stringify(s)).toBe(0);
        expect(s.suite).toBe(c.suite);
        expect(s.problems).toEqual([]);
        expectAllData(session, s);
        if (c.keyUpdate) {
          // `k`, `K`, and the server's answer to update_requested (RFC 8446 §4.6.3).
          expect(s.c2s.keyUpdates).toBe(2);
          expect(s.s2c.keyUpdates).toBe(1);
          expect(s.s2c.handshakeMessages.NewSessionTicket).toBeGreaterThanOrEqual(1);
        }
        const parsed = parseTrace(readFileSync(trace, 'utf8'));
        expect(parsed.ok).toBe(true);
        if (parsed.ok && c.keyUpdate) {
          expect(
            parsed.events.filter((e) => e.kind === 'freeze' && e.reason === 'key-update').length,
          ).toBe(3);
        }
      } finally {
        server.proc.kill();
      }
    });
  }
});

describe('real sessions with HelloRetryRequest, resumption, CCM and AES-256-GCM, decoded', () => {
  it('TLS 1.3 with a HelloRetryRequest: the client offers X25519, the server takes only P-256', async () => {
    const server = await opensslServer(['-tls1_3', '-groups', 'P-256']);
    try {
      const session = await opensslSession(server, ['-tls1_3', '-groups', 'X25519:P-256'], true);
      const { status, summary: s } = decodeSession(session);
      expect(status, JSON.stringify(s)).toBe(0);
      expect(s.version).toBe('TLS 1.3');
      expect(s.problems).toEqual([]);
      expect(s.s2c.handshakeMessages.HelloRetryRequest).toBe(1);
      expect(s.s2c.handshakeMessages.ServerHello).toBe(1);
      expect(s.c2s.handshakeMessages.ClientHello).toBe(2);
      expect(s.c2s.keyUpdates).toBe(2);
      expectAllData(session, s);
    } finally {
      server.proc.kill();
    }
  });

  it('TLS 1.3 PSK resumption with a ticket from an earlier session (-sess_out, -sess_in)', async () => {
    const args = ['-tls1_3'];
    const server = await opensslServer(args);
    try {
      const sess = join(tempDir(), 'session.pem');
      const first = await opensslSession(server, [...args, '-sess_out', sess], false);
      expect(first.clientOut).toMatch(/^New, TLSv1\.3/m);
      const second = await opensslSession(server, [...args, '-sess_in', sess], false);
      expect(second.clientOut).toMatch(/^Reused, TLSv1\.3/m);
      const { status, summary: s } = decodeSession(second);
      expect(status, JSON.stringify(s)).toBe(0);
      expect(s.problems).toEqual([]);
      // A resumed handshake: no Certificate, no CertificateVerify (RFC 8446 §2.2).
      expect(s.s2c.handshakeMessages.Certificate).toBeUndefined();
      expect(s.s2c.handshakeMessages.Finished).toBe(1);
      expectAllData(second, s);
    } finally {
      server.proc.kill();
    }
  });

  for (const c of [
    {
      name: 'TLS 1.3 AES-128-CCM',
      args: ['-tls1_3', '-ciphersuites', 'TLS_AES_128_CCM_SHA256'],
      keyUpdate: true,
      suite: 'TLS_AES_128_CCM_SHA256',
    },
    {
      name: 'TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384',
      args: ['-tls1_2', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384'],
      keyUpdate: false,
      suite: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    },
  ]) {
    it(c.name, async () => {
      const server = await opensslServer(c.args);
      try {
        const session = await opensslSession(server, c.args, c.keyUpdate);
        const { status, summary: s } = decodeSession(session);
        expect(status, JSON.stringify(s)).toBe(0);
        expect(s.suite).toBe(c.suite);
        expect(s.problems).toEqual([]);
        expectAllData(session, s);
      } finally {
        server.proc.kill();
      }
    });
  }

  for (const c of [
    {
      name: 'TLS 1.2 CBC (ECDHE-RSA-AES128-SHA): refused, CBC suites are not AEAD',
      args: ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA'],
      problem:
        'unsupported: CBC suites are not AEAD (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 0xc013); kernel TLS and this decoder take AEAD suites only: AES-GCM, AES-128-CCM, ChaCha20-Poly1305',
    },
    {
      name: 'TLS 1.3 AES-128-CCM-8: refused, its tag is 8 bytes',
      args: ['-tls1_3', '-ciphersuites', 'TLS_AES_128_CCM_8_SHA256'],
      problem:
        'unsupported: TLS_AES_128_CCM_8_SHA256 (0x1305) has an 8-byte tag; kernel TLS and this decoder take 16-byte tags only',
    },
  ]) {
    it(c.name, async () => {
      const server = await opensslServer(c.args);
      try {
        const session = await opensslSession(server, c.args, false);
        const { status, summary: s } = decodeSession(session);
        expect(status).toBe(1);
        expect(s.problems).toEqual([c.problem]);
        expect(s.c2s.applicationBytes).toBe(0);
      } finally {
        server.proc.kill();
      }
    });
  }
});

describe("Node's tls as a peer", () => {
  it('decodes a TLS 1.3 session whose secrets came from the keylog event', async () => {
    const dir = tempDir();
    const key = readFileSync(join(certDir, 'key.pem'));
    const cert = readFileSync(join(certDir, 'cert.pem'));
    const server = tls.createServer({ key, cert, minVersion: 'TLSv1.3' }, (s) => {
      let got = 0;
      s.on('data', (d) => {
        got += d.length;
        if (got === 40_000) s.write(`got:${got}`);
      });
      s.on('end', () => s.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const cap = await startCapture((server.address() as { port: number }).port, join(dir, 'cap'));
    let keylog = '';
    const socket = tls.connect({ port: cap.port, host: '127.0.0.1', rejectUnauthorized: false });
    socket.on('keylog', (line) => {
      keylog += line.toString();
    });
    await new Promise((r) => socket.once('secureConnect', r));
    const payload = 'x'.repeat(40_000);
    socket.write(payload);
    let echoed = '';
    socket.on('data', (d) => {
      echoed += d;
    });
    for (let i = 0; i < 400 && echoed !== 'got:40000'; i++) await sleep(50);
    expect(echoed).toBe('got:40000');
    socket.end();
    await cap.done;
    server.close();
    writeFileSync(join(dir, 'keys.log'), keylog);
    const r = cli('decode', '--keylog', join(dir, 'keys.log'), '--dir', join(dir, 'cap'), '--json');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.version).toBe('TLS 1.3');
    expect(s.c2s.applicationBytes).toBe(40_000);
    expect(s.c2s.applicationSha256).toBe(sha256(payload));
    expect(s.s2c.applicationSha256).toBe(sha256(echoed));
  });
});

describe('decode errors', () => {
  it('names the missing secret, refuses bad arguments, and reports a truncated capture', async () => {
    const dir = tempDir();
    const r0 = cli('decode', '--keylog', join(dir, 'nope.log'), '--dir', dir);
    expect(r0.status).toBe(2);
    expect(r0.stderr).toMatch(/cannot read .*(nope\.log|c2s\.bin)/);
    expect(cli('decode', '--keylog', 'x').status).toBe(2);
    // A TLS 1.3 session through Node, then a key log missing one secret.
    const key = readFileSync(join(certDir, 'key.pem'));
    const cert = readFileSync(join(certDir, 'cert.pem'));
    const server = tls.createServer({ key, cert }, (s) => s.end('bye'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const cap = await startCapture((server.address() as { port: number }).port, join(dir, 'cap'));
    let keylog = '';
    const socket = tls.connect({ port: cap.port, host: '127.0.0.1', rejectUnauthorized: false });
    socket.on('keylog', (l) => {
      keylog += l.toString();
    });
    socket.on('data', () => {});
    await new Promise((r) => socket.on('close', r));
    await cap.done;
    server.close();
    writeFileSync(
      join(dir, 'partial.log'),
      keylog
        .split('\n')
        .filter((l) => !l.startsWith('SERVER_TRAFFIC_SECRET_0'))
        .join('\n'),
    );
    const r1 = cli('decode', '--keylog', join(dir, 'partial.log'), '--dir', join(dir, 'cap'));
    expect(r1.status).toBe(1);
    expect(r1.stdout).toMatch(/no SERVER_TRAFFIC_SECRET_0 for client random [0-9a-f]{64}/);
    writeFileSync(join(dir, 'full.log'), keylog);
    const c2s = readFileSync(join(dir, 'cap', 'c2s.bin'));
    const s2c = readFileSync(join(dir, 'cap', 's2c.bin'));
    writeFileSync(join(dir, 'c2s.bin'), c2s);
    writeFileSync(join(dir, 's2c.bin'), s2c.subarray(0, s2c.length - 10));
    const r2 = cli(
      'decode',
      '--keylog',
      join(dir, 'full.log'),
      '--c2s',
      join(dir, 'c2s.bin'),
      '--s2c',
      join(dir, 's2c.bin'),
      '--json',
    );
    expect(r2.status).toBe(1);
    expect(JSON.parse(r2.stdout).s2c.stopped).toMatch(
      /^truncated: \d+ bytes of an incomplete record/,
    );
    writeFileSync(join(dir, 'late.bin'), c2s.subarray(300));
    const r3 = cli(
      'decode',
      '--keylog',
      join(dir, 'full.log'),
      '--c2s',
      join(dir, 'late.bin'),
      '--s2c',
      join(dir, 's2c.bin'),
      '--json',
    );
    expect(r3.status).toBe(1);
    expect(r3.stdout).toMatch(/does not start at the beginning of the connection/);
  });
});
