import { afterEach, describe, expect, it } from 'vitest';
import { connect, type KtlsStream } from '../src/index.js';
import { GnutlsPeer, gnutlsKeyUpdates, priority } from './gnutls.js';
import { acceptOne, makeCert, NO_KERNEL, payload, readAll, sha256 } from './helpers.js';
import { reader } from './openssl.js';
import { fromHexLines, hexLines } from './peerProcess.js';

/**
 * Debian's gnutls-bin as the peer of the userspace planes (this host has no kernel TLS; the same
 * driver runs against the kernel planes in the VM, test/kernel/gnutlsRows.ts): binary data both
 * ways with gnutls-cli, the echo of gnutls-serv, and gnutls-cli's KeyUpdate of both kinds.
 */
const { cert, key, dir } = makeCert();
const peers: GnutlsPeer[] = [];
const streams: KtlsStream[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.kill();
  for (const s of streams.splice(0)) s.destroy();
});

async function gnutlsCli(extra: string[] = []): Promise<{ peer: GnutlsPeer; ours: KtlsStream }> {
  const listener = await acceptOne({ key, cert });
  const peer = GnutlsPeer.client(
    dir,
    listener.port,
    { version: 'TLSv1.3', cipher: 'AES-128-GCM' },
    extra,
  );
  peers.push(peer);
  const ours = await listener.stream();
  streams.push(ours);
  listener.close();
  return { peer, ours };
}

describe('priority strings', () => {
  it('allow exactly one suite', () => {
    expect(priority({ version: 'TLSv1.2', cipher: 'AES-128-CCM' })).toBe(
      'NONE:+VERS-TLS1.2:+AES-128-CCM:+AEAD:+ECDHE-ECDSA:+GROUP-ALL:+SIGN-ALL:+CTYPE-X509:+COMP-NULL',
    );
  });
});

describe('gnutls-cli as the peer (our server side)', () => {
  it('binary both ways; its close_notify ends ours and ours ends it', async () => {
    const { peer, ours } = await gnutlsCli();
    const up = payload(200_000);
    const down = payload(200_000);
    const got = readAll(ours);
    ours.write(down);
    peer.child.stdin.end(up);
    expect(sha256(await got)).toBe(sha256(up));
    expect(await peer.exited).toBe(0);
    expect(sha256(peer.stdout())).toBe(sha256(down));
    expect(peer.messages).toContain('- Peer has closed the GnuTLS connection');
    expect(await peer.description()).toMatch(/^\(TLS1\.3-X\.509\).*\(AES-128-GCM\)$/);
  });

  it('^rekey1^ and ^rekey^: followed; only update_requested is answered', async () => {
    const { peer, ours } = await gnutlsCli(['--inline-commands', '-d', '4']);
    await gnutlsKeyUpdates(peer, ours);
  });
});

describe('gnutls-serv --echo as the peer (our client side)', () => {
  it('echoes hex lines byte for byte; our close_notify is answered', async () => {
    const peer = await GnutlsPeer.echoServer(dir, {
      version: 'TLSv1.2',
      cipher: 'CHACHA20-POLY1305',
    });
    peers.push(peer);
    const ours = await connect(
      { host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: cert },
      { probe: NO_KERNEL },
    );
    streams.push(ours);
    const data = payload(100_000);
    const got = reader(ours);
    ours.write(hexLines(data, 'x'));
    await got.until('END-x\n');
    expect(sha256(fromHexLines(got.text(), 'x'))).toBe(sha256(data));
    const ended = new Promise((r) => ours.once('end', r));
    ours.end();
    await ended;
    expect(await peer.description()).toMatch(/^\(TLS1\.2-X\.509\).*\(CHACHA20-POLY1305\)$/);
  });
});

describe('hexLines', () => {
  it('round-trips, and an altered block is an error', () => {
    const data = payload(5000);
    const text = `noise\n${hexLines(data, 't')}more noise\n`;
    expect(fromHexLines(text, 't').equals(data)).toBe(true);
    expect(() => fromHexLines(text.replace('A', 'a'), 't')).toThrow(/altered/);
    expect(() => fromHexLines(text.replace('END-t', 'END-u'), 't')).toThrow(/no complete t block/);
  });
});
