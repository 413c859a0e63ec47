/**
 * Rows with Debian's curl (libcurl on OpenSSL 3) as the client of our server, every suite of
 * `SUITES`: one HTTP/1.1 GET answered with a 1 MiB body by `sendFile` (sendfile(2) where TX is on
 * the kernel), curl's output file checked by SHA-256 and its `--write-out` by the verify result,
 * the HTTP version and the status. The handler is the example server's path (examples/serve.mjs:
 * head, then `sendFile`, then `end`), written here typed: the example is plain JS outside this
 * build and logs to stdout.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KtlsStream } from '../../src/index.js';
import { payload, sha256 } from '../helpers.js';
import { reader } from '../openssl.js';
import { PeerProcess } from '../peerProcess.js';
import {
  add,
  cert,
  SUITES,
  suiteNeeds,
  suiteVariant,
  VM_TRANSFER_BYTES,
  withOurServer,
  within,
} from './rows.js';

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
  const { dir } = cert();
  const file = join(dir, 'body.bin');
  const out = join(dir, `curl-${suiteVariant('server', s)}.bin`);
  add('node-ktls.curl', suiteVariant('server', s), suiteNeeds(s), () => {
    const body = payload(VM_TRANSFER_BYTES);
    writeFileSync(file, body);
    return withOurServer(
      s,
      (port) =>
        new PeerProcess('curl', [
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
          `localhost:${port}:127.0.0.1`,
          '--output',
          out,
          '--write-out',
          '%{ssl_verify_result} %{http_version} %{http_code} %{size_download}',
          `https://localhost:${port}/body.bin`,
        ]),
      async (ours, curl) => {
        assert.equal(ours.getProtocol(), s.version);
        assert.equal(ours.getCipher().name, s.openssl);
        assert.equal(await serveFile(ours, file, body.length), body.length, 'sendFile sent');
        assert.equal(await within(curl.exited, 'curl exit'), 0, `curl: ${curl.messages}`);
        const written = curl.stdout().toString();
        assert.equal(
          written,
          `0 1.1 200 ${body.length}`,
          'curl: verify result, HTTP, status, size',
        );
        assert.equal(sha256(readFileSync(out)), sha256(body), 'what curl saved');
      },
    );
  });
}
