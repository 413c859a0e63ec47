/**
 * Rows with Debian's curl (libcurl on OpenSSL 3) as the client of our server, every suite of
 * `SUITES`: one HTTP/1.1 GET answered with a 1 MiB body by `sendFile` (sendfile(2) where TX is on
 * the kernel), curl's output file checked by SHA-256 and its `--write-out` by the verify result,
 * the HTTP version and the status. The handler is the example server's path (examples/serve.mjs:
 * head, then `sendFile`, then `end`), written here typed: the example is plain JS outside this
 * build and logs to stdout.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KtlsStream } from '../../src/index.js';
import { acceptOne, payload, sha256 } from '../helpers.js';
import { reader } from '../openssl.js';
import { expectedPlanes, tlsStat } from './kernelFacts.js';
import {
  add,
  cert,
  kernel,
  ktls,
  SUITES,
  statRise,
  suiteNeeds,
  suiteVariant,
  tlsOptions,
  VM_TRANSFER_BYTES,
} from './rows.js';

const run = promisify(execFile);

/** Reads the request head and answers it with the file, as examples/serve.mjs does. */
async function serveFile(ours: KtlsStream, path: string, size: number): Promise<number> {
  const got = reader(ours);
  await got.until('\r\n\r\n');
  assert.match(got.text(), /^GET \/body\.bin HTTP\/1\.1\r\n/);
  ours.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
  const sent = await ours.sendFile(path);
  ours.end();
  return sent;
}

for (const s of SUITES) {
  const tls13 = s.version === 'TLSv1.3';
  add('node-ktls.curl', suiteVariant('server', s), suiteNeeds(s), async () => {
    const { dir, key, cert: pem } = cert();
    const file = join(dir, 'body.bin');
    const out = join(dir, `curl-${suiteVariant('server', s)}.bin`);
    const body = payload(VM_TRANSFER_BYTES);
    writeFileSync(file, body);
    kernel();
    const before = tlsStat();
    const listener = await acceptOne(
      { key, cert: pem, ...tlsOptions(s.version, s.openssl) },
      ktls(),
    );
    let ours: KtlsStream | undefined;
    try {
      const url = `https://localhost:${listener.port}/body.bin`;
      const fetched = run('curl', [
        '--silent',
        '--show-error',
        '--fail',
        '--http1.1',
        ...(tls13
          ? ['--tlsv1.3', '--tls-max', '1.3', '--tls13-ciphers', s.openssl]
          : ['--tlsv1.2', '--tls-max', '1.2', '--ciphers', s.openssl]),
        '--cacert',
        join(dir, 'cert.pem'),
        '--resolve',
        `localhost:${listener.port}:127.0.0.1`,
        '--output',
        out,
        '--write-out',
        '%{ssl_verify_result} %{http_version} %{http_code} %{size_download}',
        url,
      ]);
      ours = await listener.stream();
      assert.equal(ours.getProtocol(), s.version);
      assert.equal(ours.getCipher().name, s.openssl);
      const sent = await serveFile(ours, file, body.length);
      assert.equal(sent, body.length);
      const { stdout } = await fetched;
      assert.equal(stdout, `0 1.1 200 ${body.length}`, 'curl: verify result, HTTP version, status, size');
      assert.equal(sha256(readFileSync(out)), sha256(body), 'what curl saved');
      const want = expectedPlanes(kernel(), tls13);
      assert.equal(ours.offload.tx.plane, want, ours.offload.tx.reason);
      assert.equal(statRise(before)('TlsTxSw'), want === 'kernel' ? 1 : 0, 'TlsTxSw');
      return `tx ${ours.offload.tx.plane}: ${want === 'kernel' ? 'sendfile(2)' : 'read + write'}`;
    } finally {
      ours?.destroy();
      listener.close();
    }
  });
}
