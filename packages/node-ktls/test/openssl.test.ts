import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type KtlsStream } from '../src/index.js';
import { acceptOne, makeCert, NO_KERNEL } from './helpers.js';
import {
  keyUpdates,
  OpensslPeer,
  RECEIVED_KEY_UPDATE,
  reader,
  SENT_KEY_UPDATE,
} from './openssl.js';

/**
 * Debian's openssl as the peer: data both ways, and TLS 1.3 KeyUpdate of both kinds from its
 * interactive `k` (update_not_requested) and `K` (update_requested) commands. Node's tls has no
 * KeyUpdate API, so openssl is the peer that sends one. With `-msg` openssl prints every handshake
 * message it receives: our answer to `K` shows as `<<< ... KeyUpdate`.
 */
const { cert, dir } = makeCert();
const peers: OpensslPeer[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.kill();
});

/** `openssl s_server` and our `connect()` to it. */
async function sServer(args: string[]): Promise<{ peer: OpensslPeer; ours: KtlsStream }> {
  const peer = OpensslPeer.server(dir, args);
  peers.push(peer);
  const ours = await connect(
    { host: '127.0.0.1', port: await peer.port(), servername: 'localhost', ca: cert },
    { probe: NO_KERNEL },
  );
  return { peer, ours };
}

describe('openssl s_server as the peer (our client side)', () => {
  for (const version of ['-tls1_2', '-tls1_3']) {
    it(`${version}: lines both ways; close_notify each way ends both cleanly`, async () => {
      const { peer, ours } = await sServer([version]);
      const got = reader(ours);
      ours.write('hello openssl\n');
      await peer.waitFor(/hello openssl/);
      peer.type('hello node-ktls');
      await got.until('hello node-ktls\n');
      const errors: Error[] = [];
      ours.on('error', (e) => errors.push(e));
      const ended = new Promise<void>((r) => ours.once('end', r));
      const before = peer.output.length;
      ours.end();
      // s_server reads our close_notify (SSL_ERROR_ZERO_RETURN: "DONE") and answers with its own.
      await peer.waitFor(/DONE/, before);
      await peer.waitFor(/>>> TLS 1\.[23], Alert \[length 0002\], warning close_notify/, before);
      await ended;
      expect(errors).toEqual([]);
    });
  }

  it('TLS 1.3 KeyUpdate k and K from openssl s_server are followed and answered', async () => {
    const { peer, ours } = await sServer(['-tls1_3']);
    await keyUpdates(peer, ours);
    ours.destroy();
  });
});

describe('our own KeyUpdate, both kinds, to openssl s_server', () => {
  it('update_not_requested: openssl follows; update_requested: openssl answers and we follow', async () => {
    const { peer, ours } = await sServer(['-tls1_3']);
    const got = reader(ours);
    for (const [requestPeer, answered] of [
      [false, false],
      [true, true],
    ] as const) {
      const before = peer.output.length;
      ours.keyUpdate(requestPeer);
      ours.write(`after-ours-${requestPeer}\n`);
      // openssl opened our data under our next key, after our KeyUpdate.
      await peer.waitFor(new RegExp(`after-ours-${requestPeer}`), before);
      expect(RECEIVED_KEY_UPDATE.test(peer.output.slice(before))).toBe(true);
      // It answers update_requested with its own KeyUpdate, and its data then opens under its next key.
      peer.type(`reply-${requestPeer}`);
      await got.until(`reply-${requestPeer}\n`);
      expect(SENT_KEY_UPDATE.test(peer.output.slice(before))).toBe(answered);
    }
    expect(peer.output).not.toMatch(/bad record mac|alert/i);
    ours.destroy();
  });
});

describe('openssl s_client as the peer (our server side)', () => {
  /** `openssl s_client` connected to `accept`. */
  async function sClient(version: string) {
    const listener = await acceptOne({ key: readPem('key.pem'), cert: readPem('cert.pem') });
    const peer = OpensslPeer.client(listener.port, [version, '-CAfile', `${dir}/cert.pem`]);
    peers.push(peer);
    const ours = await listener.stream();
    listener.close();
    return { peer, ours };
  }

  it('TLS 1.3 KeyUpdate k and K from openssl s_client are followed and answered', async () => {
    const { peer, ours } = await sClient('-tls1_3');
    await keyUpdates(peer, ours);
    ours.destroy();
  });

  it('TLS 1.2: lines both ways', async () => {
    const { peer, ours } = await sClient('-tls1_2');
    expect(ours.getProtocol()).toBe('TLSv1.2');
    expect(ours.handoff.rxSeq).toBe(1n);
    const got = reader(ours);
    peer.type('from s_client');
    await got.until('from s_client\n');
    ours.write('from node-ktls\n');
    await peer.waitFor(/from node-ktls/);
    // s_client at the end of its stdin sends close_notify: a clean end here.
    const errors: Error[] = [];
    ours.on('error', (e) => errors.push(e));
    const ended = new Promise<void>((r) => ours.once('end', r));
    peer.child.stdin.end();
    await ended;
    expect(errors).toEqual([]);
  });
});

function readPem(name: string): Buffer {
  return readFileSync(join(dir, name));
}
