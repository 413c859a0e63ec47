// The parts of the example file server that are not about kernel TLS: a throwaway certificate and a
// minimal HTTP/1.0-style GET (one request per connection, then close_notify and FIN).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** A self-signed P-256 certificate for localhost, made with openssl in a temporary directory. */
export function selfSigned() {
  const dir = mkdtempSync(join(tmpdir(), 'ktls-file-server-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
      .concat(['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'])
      .concat(['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** Reads the request head (up to the blank line), at most 16 KiB. */
function readHead(stream) {
  return new Promise((done, fail) => {
    let head = '';
    const onData = (d) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0 || head.length > 16384) {
        stream.off('data', onData);
        stream.pause();
        done(head.slice(0, end >= 0 ? end : 16384));
      }
    };
    stream.on('data', onData);
    stream.once('error', fail);
    stream.once('end', () => done(head));
  });
}

/** Serves one GET from `root` on the offloaded stream `tls`, logging which plane carries what. */
export async function serveOne(tls, root) {
  const { tx, rx } = tls.offload;
  console.log(
    `${tls.getProtocol()} ${tls.getCipher().standardName}: TX ${tx.plane} (${tx.reason}); RX ${rx.plane} (${rx.reason})`,
  );
  const [method, target = '/'] = (await readHead(tls)).split(' ');
  const path = resolve(root, `.${decodeURIComponent(target.split('?')[0])}`);
  const inside = !relative(resolve(root), path).startsWith('..');
  const size = inside ? fileSize(path) : null;
  if (method !== 'GET' || size === null) {
    const why = method !== 'GET' ? '405 Method Not Allowed' : '404 Not Found';
    tls.end(`HTTP/1.1 ${why}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    return;
  }
  tls.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
  const sent = await tls.sendFile(path);
  tls.end();
  console.log(
    `GET ${target}: ${sent} bytes with ${tx.plane === 'kernel' ? 'sendfile(2)' : 'read + write'}`,
  );
}

function fileSize(path) {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}
