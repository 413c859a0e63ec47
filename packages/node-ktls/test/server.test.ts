import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type KtlsServer, type KtlsStream, NodeKtlsError } from '../src/index.js';
import { makeCert, NO_KERNEL, readAll } from './helpers.js';

/**
 * `createServer`, the `tls.createServer` of kernel TLS: connections arrive as `KtlsStream`s, one
 * SecureContext serves them all (so a ticket from one resumes on the next), a failed handshake is
 * `tlsClientError`. This host has no kernel TLS, so the data planes are core's userspace ones;
 * the VM rows run the same server on the kernel (test/kernel/curlRows.ts, nodeRows.ts).
 */
const pem = makeCert();
let servers: KtlsServer[] = [];
afterEach(() => {
  for (const s of servers) s.close();
  servers = [];
});

async function started(listener?: (s: KtlsStream) => void): Promise<[KtlsServer, number]> {
  const server = createServer(
    { key: pem.key, cert: pem.cert, maxVersion: 'TLSv1.3' },
    { probe: NO_KERNEL },
    listener,
  );
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return [server, (server.address() as { port: number }).port];
}

const dial = (port: number, extra: tls.ConnectionOptions = {}) =>
  tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pem.cert, ...extra });

describe('createServer', () => {
  it('emits each connection as a KtlsStream, echoing what the client sends', async () => {
    const [, port] = await started((s) => s.pipe(s));
    for (const text of ['one', 'two']) {
      const c = dial(port);
      await once(c, 'secureConnect');
      const got = readAll(c);
      c.end(text);
      expect((await got).toString()).toBe(text);
    }
  });

  it('shares one SecureContext: a ticket given on one connection resumes the next', async () => {
    const [, port] = await started((s) => s.end('hi'));
    const first = dial(port);
    const [session] = (await once(first, 'session')) as [Buffer];
    await readAll(first);
    const second = dial(port, { session });
    await once(second, 'secureConnect');
    expect(second.isSessionReused()).toBe(true);
    await readAll(second);
  });

  it('a client that is not TLS is tlsClientError with a typed error, and the server goes on', async () => {
    const [server, port] = await started((s) => s.end('ok'));
    const failed = once(server, 'tlsClientError') as Promise<[unknown]>;
    const junk = netConnect({ host: '127.0.0.1', port });
    junk.on('error', () => {});
    junk.end('GET / HTTP/1.0\r\n\r\n');
    const [error] = await failed;
    expect(error).toBeInstanceOf(NodeKtlsError);
    expect(error).toMatchObject({ code: 'ERR_KTLS_HANDOFF', alert: 'protocol_version' });
    const c = dial(port);
    expect((await readAll(c)).toString()).toBe('ok');
  });

  it('setSecureContext serves new connections with the new certificate', async () => {
    const [server, port] = await started((s) => s.end());
    const other = makeCert();
    server.setSecureContext({ key: other.key, cert: other.cert });
    const c = dial(port, { ca: other.cert });
    await once(c, 'secureConnect');
    expect(c.authorized).toBe(true);
    await readAll(c);
    // The first certificate no longer verifies: the server really changed what it presents.
    const old = dial(port);
    const [error] = (await once(old, 'error')) as [Error & { code?: string }];
    expect(error.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});
