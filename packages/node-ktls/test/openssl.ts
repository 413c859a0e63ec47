import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/** Which openssl binary (default: Debian's on PATH), and whether to pass `-msg` (default yes). */
export interface ToolOptions {
  readonly bin?: string;
  readonly msg?: boolean;
}

/**
 * `openssl s_server` / `s_client` as a peer, driven through stdin, read from stdout: Debian's by
 * default, or another build at `bin` (the kTLS one of packages/native/vm/build-peers.sh). Any other
 * line-driven TLS tool (`gnutls-serv`, `gnutls-cli`) works through the same class with its own
 * `bin` and arguments; `env` is added to the parent's environment.
 */
export class OpensslPeer {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';

  constructor(
    args: string[],
    readonly bin = 'openssl',
    env: Readonly<Record<string, string>> = {},
  ) {
    this.child = spawn(bin, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child.stdout.on('data', (d: Buffer) => {
      this.output += d.toString('latin1');
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.output += d.toString('latin1');
    });
  }

  /**
   * `s_server` on a free port of 127.0.0.1 with the test certificate. `msg: false` leaves out
   * `-msg`, whose lines would otherwise land inside the data the tool prints.
   */
  static server(dir: string, extra: string[], options: ToolOptions = {}): OpensslPeer {
    return new OpensslPeer(
      [
        's_server',
        '-accept',
        '127.0.0.1:0',
        '-cert',
        join(dir, 'cert.pem'),
        '-key',
        join(dir, 'key.pem'),
        ...(options.msg === false ? [] : ['-msg']),
        ...extra,
      ],
      options.bin,
    );
  }

  static client(port: number, extra: string[], options: ToolOptions = {}): OpensslPeer {
    return new OpensslPeer(
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'localhost',
        ...(options.msg === false ? [] : ['-msg']),
        ...extra,
      ],
      options.bin,
    );
  }

  /** Resolves once the output (from `from` on) matches, or rejects after `ms`. */
  async waitFor(pattern: RegExp, from = 0, ms = 10_000): Promise<RegExpMatchArray> {
    const until = Date.now() + ms;
    for (;;) {
      const m = this.output.slice(from).match(pattern);
      if (m) return m;
      if (Date.now() > until)
        throw new Error(
          `${this.bin} output has no ${pattern} after ${ms} ms:\n${this.output.slice(-2000)}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** A line on stdin: data for the peer, or a command (`k`, `K`) at the start of a line. */
  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async port(): Promise<number> {
    const m = await this.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/);
    return Number(m[1]);
  }

  kill(): void {
    this.child.kill();
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
