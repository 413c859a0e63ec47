import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, fstatSync, openSync, readSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let logs = 0;
/**
 * A fresh path for a tool's message log (openssl `-msgfile`, gnutls-cli `--logfile`). Not
 * /dev/stderr: Node gives a child its stdio as socketpairs, which open(2) on /proc/self/fd/2
 * refuses (ENXIO), so the tools could not open it; a file they can.
 */
export function messageLog(): string {
  return join(tmpdir(), `node-ktls-peer-${process.pid}-${logs++}.log`);
}

/**
 * A command-line TLS tool run as the peer (openssl s_server/s_client, gnutls-serv/gnutls-cli):
 * spawned with pipes, driven through stdin, its output captured to wait for what it printed.
 * `output` is everything it printed (stdout, stderr, its message log `log`) in the order read,
 * latin1; `stdout()` is stdout alone as bytes, for the application data a tool prints there, and
 * `messages` the rest: stderr and the message log.
 */
export class PeerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  private text = '';
  private messageText = '';
  private logRead = 0;
  private readonly stdoutParts: Buffer[] = [];
  /** The exit code (null when killed by a signal), once the process has gone. */
  readonly exited: Promise<number | null>;

  constructor(
    command: string,
    args: string[],
    private readonly log?: string,
    env: Readonly<Record<string, string>> = {},
  ) {
    this.child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.exited = once(this.child, 'exit').then(([code]) => {
      // Its last words are in the log once it has gone; keep them, then remove the file.
      this.readLog();
      if (log !== undefined) rmSync(log, { force: true });
      return code as number | null;
    });
    // A tool that exits before reading all of stdin (killed on purpose) must not crash the runner.
    this.child.stdin.on('error', () => {});
    this.child.stdout.on('data', (d: Buffer) => {
      this.stdoutParts.push(d);
      this.text += d.toString('latin1');
    });
    this.child.stderr.on('data', (d: Buffer) => this.addMessages(d));
  }

  get output(): string {
    this.readLog();
    return this.text;
  }

  get messages(): string {
    this.readLog();
    return this.messageText;
  }

  private addMessages(d: Buffer): void {
    this.text += d.toString('latin1');
    this.messageText += d.toString('latin1');
  }

  /** What the tool appended to its message log since the last look (none before it opens it). */
  private readLog(): void {
    if (this.log === undefined) return;
    let fd: number;
    try {
      fd = openSync(this.log, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.logRead) return;
      const fresh = Buffer.alloc(size - this.logRead);
      this.logRead += readSync(fd, fresh, 0, fresh.length, this.logRead);
      this.addMessages(fresh);
    } finally {
      closeSync(fd);
    }
  }

  stdout(): Buffer {
    return Buffer.concat(this.stdoutParts);
  }

  /** Resolves once the output (from `from` on) matches, or rejects after `ms`. */
  waitFor(pattern: RegExp, from = 0, ms = 10_000): Promise<RegExpMatchArray> {
    return this.poll(() => this.output.slice(from).match(pattern) ?? undefined, `${pattern}`, ms);
  }

  /** Resolves once stdout (from byte `from` on) holds `needle`, or rejects after `ms`. */
  async waitForStdout(needle: string, from = 0, ms = 10_000): Promise<void> {
    await this.poll(() => this.stdout().subarray(from).includes(needle) || undefined, needle, ms);
  }

  private async poll<T>(check: () => T | undefined, what: string, ms: number): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (Date.now() > until)
        throw new Error(
          `${this.child.spawnfile} output has no ${what} after ${ms} ms:\n${this.output.slice(-2000)}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** A line on stdin: data for the peer, or a command the tool reads from its input. */
  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }
}

/** A TCP port free on 127.0.0.1 now, for a tool that cannot report the port it bound (gnutls-serv). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Binary data as text lines a line-oriented peer passes through unchanged: `BEGIN-<tag>`, upper-case
 * hex in lines of 1024 digits, `END-<tag>`. openssl s_server/s_client act on input whose first
 * character is a command letter (Q, R, k, K, c, ...; none is an upper-case hex digit), and
 * gnutls-serv's echo mode handles records as C strings (a NUL ends them).
 */
export function hexLines(data: Buffer, tag: string): string {
  const hex = data.toString('hex').toUpperCase();
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 1024) lines.push(hex.slice(i, i + 1024));
  return `BEGIN-${tag}\n${lines.join('\n')}\nEND-${tag}\n`;
}

/** The bytes of `hexLines(data, tag)` found in `text`; throws if the block is missing or altered. */
export function fromHexLines(text: string, tag: string): Buffer {
  const start = text.indexOf(`BEGIN-${tag}\n`);
  const end = text.indexOf(`\nEND-${tag}\n`, start);
  if (start < 0 || end < 0) throw new Error(`no complete ${tag} block in the peer's output`);
  const hex = text.slice(start + `BEGIN-${tag}\n`.length, end).replace(/\n/g, '');
  const bad = hex.search(/[^0-9A-F]/);
  if (bad >= 0 || hex.length % 2 !== 0)
    throw new Error(`the ${tag} block is altered near ${JSON.stringify(hex.slice(bad, bad + 40))}`);
  return Buffer.from(hex, 'hex');
}
