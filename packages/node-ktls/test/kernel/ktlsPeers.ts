/**
 * The kTLS peers of the `node-ktls.peer-*` VM rows: Debian bookworm's OpenSSL and GnuTLS built with
 * kernel TLS on by packages/native/vm/build-peers.sh, found through <repo>/.cache/ktls-peers
 * (docs/vm-harness.md §11), driven as line tools through `OpensslPeer`, and the line payload whose
 * SHA-256 each row checks on both ends.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpensslPeer } from '../openssl.js';
import { freePort, PeerProcess } from '../peerProcess.js';

export type PeerLib = 'openssl' | 'gnutls';

/**
 * Thrown where a row cannot run here; native's in-VM runner reports an error of this name as n/a
 * with its message (packages/native/test/kernel/framework.ts `NotApplicable`).
 */
export class NotApplicable extends Error {
  override readonly name = 'NotApplicable';
}

/** The repository root: the nearest folder up from this file with pnpm-workspace.yaml. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no pnpm-workspace.yaml above the node-ktls tests');
    dir = up;
  }
  return dir;
}

const BINARY: Record<PeerLib, readonly string[]> = {
  openssl: ['openssl'],
  gnutls: ['gnutls-serv', 'gnutls-cli'],
};

/**
 * The kTLS build of `lib` (its prefix). Missing: in CI (CI=true, which run.mjs puts on the guest's
 * command line) a failure, since .ci/run builds the peers before the kernel job; elsewhere n/a
 * with the command that builds them.
 */
export function peerPrefix(lib: PeerLib): string {
  const prefix = join(repoRoot(), '.cache', 'ktls-peers', lib);
  const missing = BINARY[lib].map((b) => join(prefix, 'bin', b)).find((p) => !existsSync(p));
  if (missing === undefined) return prefix;
  const why = `the kTLS ${lib} is not built (no ${missing}); packages/native/vm/build-peers.sh builds it`;
  if (process.env.CI === 'true')
    throw new Error(`${why}, and .ci/run runs it before the kernel job`);
  throw new NotApplicable(why);
}

export type Version = 'TLSv1.2' | 'TLSv1.3';
const versionFlag = (v: Version) => (v === 'TLSv1.3' ? '-tls1_3' : '-tls1_2');

/**
 * `openssl s_server` / `s_client` of the kTLS build, without `-msg` (its lines would land inside
 * the data it prints). OpenSSL 3.0 has no `-ktls` switch: SSL_OP_ENABLE_KTLS comes from the
 * build's own openssl.cnf (`Options = KTLS` in its system_default section), which build-peers.sh
 * writes into the prefix's OPENSSLDIR.
 */
export function opensslServer(dir: string, version: Version): OpensslPeer {
  return OpensslPeer.server(dir, ['-naccept', '1', versionFlag(version)], opensslTool());
}

export function opensslClient(dir: string, port: number, version: Version): OpensslPeer {
  const verify = ['-CAfile', join(dir, 'cert.pem'), '-verify_return_error'];
  return OpensslPeer.client(port, [...verify, versionFlag(version)], opensslTool());
}

const opensslTool = () => ({ bin: join(peerPrefix('openssl'), 'bin', 'openssl'), msg: false });

/** GnuTLS 3.7 turns kTLS on from the system priority file's `[global] ktls = true`. */
export const gnutlsEnv = (prefix: string) => ({
  GNUTLS_SYSTEM_PRIORITY_FILE: join(prefix, 'etc', 'gnutls', 'config'),
});

/** `gnutls-serv --echo` on a free port: it sends back every record it reads. */
export async function gnutlsServer(
  dir: string,
  extra: string[] = [],
): Promise<PeerProcess & { readonly listening: number }> {
  const prefix = peerPrefix('gnutls');
  const port = await freePort();
  const peer = new PeerProcess(
    join(prefix, 'bin', 'gnutls-serv'),
    [
      '--echo',
      '-p',
      String(port),
      '--x509certfile',
      join(dir, 'cert.pem'),
      '--x509keyfile',
      join(dir, 'key.pem'),
      ...extra,
    ],
    undefined,
    gnutlsEnv(prefix),
  );
  await peer.waitFor(/listening on IPv4 .* port \d+\.\.\.done/);
  return Object.assign(peer, { listening: port });
}

/** `gnutls-cli` to our listener, checking our certificate for `localhost`. */
export function gnutlsClient(dir: string, port: number, extra: string[] = []): PeerProcess {
  const prefix = peerPrefix('gnutls');
  return new PeerProcess(
    join(prefix, 'bin', 'gnutls-cli'),
    [
      '-p',
      String(port),
      '127.0.0.1',
      '--x509cafile',
      join(dir, 'cert.pem'),
      '--verify-hostname',
      'localhost',
      '--sni-hostname',
      'localhost',
      ...extra,
    ],
    undefined,
    gnutlsEnv(prefix),
  );
}

/**
 * `n` bytes of text lines, 64 bytes each: a 7-digit index and random hex. Both tools print what
 * they read between lines of their own, and treat some lines as commands (`k`, `Q`, `^rekey1^`);
 * a line that starts with a digit is none of those, and the pattern picks ours out of the output.
 */
export function lines(n: number): Buffer {
  const out: string[] = [];
  for (let i = 0; i * 64 < n; i++)
    out.push(`${String(i).padStart(7, '0')} ${randomBytes(28).toString('hex').slice(0, 55)}\n`);
  return Buffer.from(out.join(''), 'latin1');
}

const LINE = /^\d{7} [0-9a-f]{55}$/gm;

/** The payload lines in a tool's output, as they were sent. */
export function linesIn(output: string): Buffer {
  return Buffer.from((output.match(LINE) ?? []).map((l) => `${l}\n`).join(''), 'latin1');
}

/** The last payload line (unique: it carries the last index and random hex). */
export const lastLine = (b: Buffer): string =>
  b.toString('latin1').trimEnd().split('\n').at(-1) ?? '';
