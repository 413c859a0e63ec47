import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Debian's `openssl s_server` / `s_client` as a peer, driven through stdin, read from stdout. */
export class OpensslPeer {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';

  constructor(args: string[]) {
    this.child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => {
      this.output += d.toString('latin1');
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.output += d.toString('latin1');
    });
  }

  static server(dir: string, extra: string[]): OpensslPeer {
    return new OpensslPeer([
      's_server',
      '-accept',
      '127.0.0.1:0',
      '-cert',
      join(dir, 'cert.pem'),
      '-key',
      join(dir, 'key.pem'),
      '-msg',
      ...extra,
    ]);
  }

  static client(port: number, extra: string[]): OpensslPeer {
    return new OpensslPeer([
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-msg',
      ...extra,
    ]);
  }

  /** Resolves once the output (from `from` on) matches, or rejects after `ms`. */
  async waitFor(pattern: RegExp, from = 0, ms = 10_000): Promise<RegExpMatchArray> {
    const until = Date.now() + ms;
    for (;;) {
      const m = this.output.slice(from).match(pattern);
      if (m) return m;
      if (Date.now() > until)
        throw new Error(
          `openssl output has no ${pattern} after ${ms} ms:\n${this.output.slice(-2000)}`,
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
