import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'ktls-lab.js');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built binary the way a user does, without colour. */
export function cli(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ktls-lab-cli-'));
}

/**
 * Writes a self-signed certificate and its key (openssl, which .ci/run installs) as key.pem and
 * cert.pem in `dir`, for the TLS servers of the interop and bad-input tests.
 */
export function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const which = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (which.status !== 0)
    throw new Error(
      'openssl is not installed: .ci/run installs Debian openssl; run `apt-get install openssl`',
    );
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const subject = ['-days', '1', '-subj', '/CN=localhost'];
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert];
  const r = spawnSync('openssl', [...args, ...subject], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { key, cert };
}
