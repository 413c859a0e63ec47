import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { connect as netConnect } from 'node:net';
import { accept, connect, handOff, type KtlsStream, NodeKtlsError } from '../src/index.js';
import { listen, makeCert, NO_KERNEL, payload, readAll, sha256 } from './helpers.js';
import { coalescingRelay } from './relay.js';

const { key, cert } = makeCert();

async function tlsServer(options: tls.TlsOptions, onSecure: (s: tls.TLSSocket) => void) {
  const server = tls.createServer({ key, cert, ...options }, onSecure);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

describe('application data in the same segment as the peer Finished', () => {
  it('client side, TLS 1.2: the server Finished and its first data arrive in one write', async () => {
    const first = payload(3000);
    const rest = payload(1 << 20);
    const { server, port: target } = await tlsServer({ maxVersion: 'TLSv1.2' }, (s) => {
      // Written the moment the handshake is done: the relay joins it to the Finished.
      s.write(first);
      setTimeout(() => s.end(rest), 100);
    });
    const relay = await coalescingRelay(target);
    const ours = await connect(
      { host: '127.0.0.1', port: relay.port, servername: 'localhost', ca: cert },
      { probe: NO_KERNEL },
    );
    // The data behind the Finished was read with it, kept out of Node's tls, given to the data plane.
    expect(ours.handoff.leftoverBytes).toBeGreaterThanOrEqual(first.length);
    const got = await readAll(ours);
    expect(sha256(got)).toBe(sha256(Buffer.concat([first, rest])));
    ours.destroy();
    relay.server.close();
    server.close();
  });

  it('client side, TLS 1.2: a partial record after the Finished is completed by the data plane', async () => {
    const first = payload(3000);
    const { server, port: target } = await tlsServer({ maxVersion: 'TLSv1.2' }, (s) =>
      s.end(first),
    );
    // Every write toward our client keeps back its last 1000 bytes for a moment: the one with the
    // Finished ends inside the data record behind it.
    const relay = await coalescingRelay(target, 30, 1000);
    const ours = await connect(
      { host: '127.0.0.1', port: relay.port, servername: 'localhost', ca: cert },
      { probe: NO_KERNEL },
    );
    expect(ours.handoff.records.leftoverPartialBytes).toBeGreaterThan(0);
    const got = await readAll(ours);
    expect(sha256(got)).toBe(sha256(first));
    relay.server.close();
    server.close();
  });

  /** One connection to `accept`, with Node's client writing `first` the moment it is connected. */
  async function serverSide(version: tls.SecureVersion, first: Buffer, session?: Buffer) {
    let accepted: Promise<KtlsStream> | undefined;
    const { server, port: target } = await listen((raw) => {
      accepted = accept(raw, { secureContext }, { probe: NO_KERNEL });
    });
    const relay = await coalescingRelay(target);
    const theirs = tls.connect({
      host: '127.0.0.1',
      port: relay.port,
      servername: 'localhost',
      ca: cert,
      maxVersion: version,
      ...(session ? { session } : {}),
    });
    const sessions: Buffer[] = [];
    theirs.on('session', (s: Buffer) => sessions.push(s));
    let reused: boolean | null = null;
    theirs.on('secureConnect', () => {
      reused = theirs.isSessionReused();
      theirs.end(first);
    });
    while (accepted === undefined) await new Promise((r) => setTimeout(r, 5));
    const ours = await accepted;
    const got = await readAll(ours);
    ours.destroy();
    theirs.destroy();
    relay.server.close();
    server.close();
    return { ours, got, sessions, reused };
  }
  const secureContext = tls.createSecureContext({ key, cert });

  it('server side, TLS 1.3: the client Finished and its first data arrive in one write', async () => {
    const first = payload(5000);
    const { ours, got } = await serverSide('TLSv1.3', first);
    expect(ours.handoff.leftoverBytes).toBeGreaterThanOrEqual(first.length);
    expect(sha256(got)).toBe(sha256(first));
  });

  it('server side, TLS 1.2 resumed: the client Finished (sent last) and its data in one write', async () => {
    // A full TLS 1.2 handshake ends with the server's Finished, so the client's data cannot ride
    // with its own Finished; an abbreviated one (RFC 5246 §7.3) ends with the client's.
    const { sessions } = await serverSide('TLSv1.2', payload(10));
    expect(sessions.length).toBeGreaterThan(0);
    const first = payload(5000);
    const { ours, got, reused } = await serverSide('TLSv1.2', first, sessions.at(-1));
    expect(reused).toBe(true);
    expect(ours.isSessionReused()).toBe(true);
    expect(ours.handoff.leftoverBytes).toBeGreaterThanOrEqual(first.length);
    expect(sha256(got)).toBe(sha256(first));
  });
});

describe('the end of the stream', () => {
  it('close_notify from the peer is a clean end ("end", no error)', async () => {
    const data = payload(70000);
    const { server, port } = await tlsServer({}, (s) => s.end(data));
    const ours = await connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca: cert },
      { probe: NO_KERNEL },
    );
    const errors: Error[] = [];
    ours.on('error', (e) => errors.push(e));
    const got = await readAll(ours);
    expect(sha256(got)).toBe(sha256(data));
    await once(ours, 'close');
    expect(errors).toEqual([]);
    server.close();
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: TCP FIN without close_notify is a truncation error (ERR_KTLS_TRUNCATED)`, async () => {
      const data = payload(20000);
      const { server, port: target } = await tlsServer({ maxVersion: version }, (s) =>
        s.write(data),
      );
      const relay = await coalescingRelay(target);
      const ours = await connect(
        { host: '127.0.0.1', port: relay.port, servername: 'localhost', ca: cert },
        { probe: NO_KERNEL },
      );
      const parts: Buffer[] = [];
      ours.on('data', (d: Buffer) => parts.push(d));
      let ended = false;
      ours.on('end', () => {
        ended = true;
      });
      while (Buffer.concat(parts).length < data.length) await new Promise((r) => setTimeout(r, 5));
      relay.cut();
      const [error] = (await once(ours, 'error')) as [NodeKtlsError];
      expect(error).toBeInstanceOf(NodeKtlsError);
      expect(error.code).toBe('ERR_KTLS_TRUNCATED');
      expect(ended).toBe(false);
      expect(sha256(Buffer.concat(parts))).toBe(sha256(data));
      relay.server.close();
      server.close();
    });
  }
});

describe('handOff itself', () => {
  it("removes its keylog listener, gives Node's tls nothing after the hand-off, hands out the secrets once", async () => {
    const { server, port } = await tlsServer({}, (s) => s.end('x'));
    const raw = await new Promise<ReturnType<typeof netConnect>>((resolve) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
    });
    const h = await handOff(raw, 'client', (transport) =>
      tls.connect({ socket: transport, servername: 'localhost', ca: cert }),
    );
    expect(h.tlsSocket.listenerCount('keylog')).toBe(0);
    expect(h.info.secrets.has('CLIENT_TRAFFIC_SECRET_0')).toBe(true);
    expect(h.lateOutput()).toBe(0);
    const written = raw.bytesWritten;
    h.tlsSocket.end();
    // Node's close_notify goes nowhere: the data plane owns the wire now.
    await new Promise((r) => setTimeout(r, 20));
    expect(h.lateOutput()).toBeGreaterThan(0);
    expect(raw.bytesWritten).toBe(written);
    raw.destroy();
    server.close();
  });
});
