import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { payload, sha256 } from './helpers.js';

/**
 * The example HTTPS file server (examples/file-server.mjs) as a user runs it, fetched with curl.
 * This host has no kernel TLS, so both directions are on the userspace plane and the server says
 * so; in the VM the same sendFile path is sendfile(2) (test/kernel/suite.ts, node-ktls.sendfile).
 */
const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'node-ktls-files-'));
const body = payload(1 << 20);
writeFileSync(join(root, 'one-mib.bin'), body);
const server = spawn(process.execPath, [
  join(import.meta.dirname, '../examples/file-server.mjs'),
  root,
  '0',
]);
let output = '';
server.stdout.on('data', (d: Buffer) => {
  output += d.toString();
});
afterAll(() => server.kill());

/** Waits (up to 10 s) for the server's output to match `pattern`. */
async function logged(pattern: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 1000; i++) {
    const m = output.match(pattern);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the example server did not print ${pattern}: ${output}`);
}

const port = async (): Promise<number> =>
  Number((await logged(/listening on https:\/\/localhost:(\d+)\//))[1]);

describe('examples/file-server.mjs', () => {
  it('serves a file byte-exact to curl -k, saying which plane carries each direction', async () => {
    const url = `https://localhost:${await port()}/one-mib.bin`;
    const { stdout } = await run('curl', ['-sk', '--fail', url], {
      encoding: 'buffer',
      maxBuffer: 4 << 20,
    });
    expect(sha256(stdout)).toBe(sha256(body));
    // The server logs after curl has the bytes: wait for its lines.
    await logged(/TX userspace \(.+\); RX userspace \(.+\)/);
    await logged(/GET \/one-mib\.bin: 1048576 bytes with read \+ write/);
  });

  it('answers 404 for a missing file and for a path outside its root', async () => {
    const p = await port();
    for (const path of ['/missing.bin', '/%2e%2e/%2e%2e/etc/passwd']) {
      const { stdout } = await run('curl', [
        '-sk',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `https://localhost:${p}${path}`,
      ]);
      expect(stdout).toBe('404');
    }
  });
});
