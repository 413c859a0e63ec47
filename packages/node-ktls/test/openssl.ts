import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { PeerProcess } from './peerProcess.js';

/** Which openssl binary, whether to pass `-msg`, and where its message log goes. */
export interface ToolOptions {
  /** Default: Debian's on PATH; the kTLS build of packages/native/vm/build-peers.sh elsewhere. */
  readonly bin?: string;
  /** `-msg` (default yes); without it no message lines land inside the data the tool prints. */
  readonly msg?: boolean;
  /** With a log, `-msg` goes to that file (`-msgfile`) and stdout keeps only what openssl read. */
  readonly log?: string;
  /** Added to the parent's environment (the kTLS build's OPENSSL_CONF). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `openssl s_server` / `s_client` as a peer, driven through stdin, read from stdout. */
export class OpensslPeer extends PeerProcess {
  constructor(args: string[], options: ToolOptions = {}) {
    const msg = options.msg === false ? [] : ['-msg'];
    const log = options.log === undefined ? [] : ['-msgfile', options.log];
    super(options.bin ?? 'openssl', [...args, ...msg, ...log], options.log, options.env);
  }

  static server(dir: string, extra: string[], options: ToolOptions = {}): OpensslPeer {
    const files = ['-cert', join(dir, 'cert.pem'), '-key', join(dir, 'key.pem')];
    return new OpensslPeer(['s_server', '-accept', '127.0.0.1:0', ...files, ...extra], options);
  }

  static client(port: number, extra: string[], options: ToolOptions = {}): OpensslPeer {
    const to = ['-connect', `127.0.0.1:${port}`, '-servername', 'localhost'];
    return new OpensslPeer(['s_client', ...to, ...extra], options);
  }

  /** The port s_server listens on (30 s: it starts slowly in a loaded VM under TCG). */
  async port(): Promise<number> {
    const m = await this.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 0, 30_000);
    return Number(m[1]);
  }
}

/** Collects what the stream reads, to wait for a line in it. */
export function reader(s: Duplex): {
  text: () => string;
  until: (needle: string) => Promise<void>;
} {
  let text = '';
  s.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  return {
    text: () => text,
    until: async (needle) => {
      const end = Date.now() + 10_000;
      while (!text.includes(needle)) {
        if (Date.now() > end)
          throw new Error(`no "${needle}" in ${JSON.stringify(text.slice(-500))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

export const SENT_KEY_UPDATE = />>> TLS 1\.3, Handshake \[length 0005\], KeyUpdate/;
export const RECEIVED_KEY_UPDATE = /<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/;

/** k, then K, from the openssl peer; data in both directions after each, under the new keys. */
export async function keyUpdates(peer: OpensslPeer, ours: Duplex): Promise<void> {
  const got = reader(ours);
  peer.type('before');
  await got.until('before\n');

  // k: update_not_requested, we follow (new RX key) and send none back. K: update_requested, our
  // KeyUpdate (update_not_requested) reaches openssl, then our data under the new key.
  for (const [command, answered] of [
    ['k', false],
    ['K', true],
  ] as const) {
    const before = peer.output.length;
    peer.type(command);
    // openssl reads a command line alone: the next line goes after its KeyUpdate has left.
    await peer.waitFor(SENT_KEY_UPDATE, before);
    peer.type(`after-${command}`);
    await got.until(`after-${command}\n`);
    ours.write(`ping-${command}\n`);
    await peer.waitFor(new RegExp(`ping-${command}`), before);
    assert.equal(
      RECEIVED_KEY_UPDATE.test(peer.output.slice(before)),
      answered,
      `our KeyUpdate after ${command}`,
    );
  }
  assert.doesNotMatch(peer.output, /bad record mac|alert/i);
}
