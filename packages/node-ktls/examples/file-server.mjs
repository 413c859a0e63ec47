// An HTTPS static file server on kernel TLS: Node's tls does the handshake, then the connection is
// handed to the kernel (or core's userspace record layer where the kernel cannot take it) and each
// file goes out with sendFile (sendfile(2) when TX is on the kernel). Run (after `pnpm build`):
//   node packages/node-ktls/examples/file-server.mjs [root=.] [port=8443]
//   curl -k https://localhost:8443/README.md
import { createServer } from 'node:net';
import { accept } from '@ktls-lab/node-ktls';
import { selfSigned, serveOne } from './serve.mjs';

const [root = '.', port = '8443'] = process.argv.slice(2);
const pem = selfSigned(); // a throwaway localhost certificate, made with openssl
const server = createServer(async (raw) => {
  raw.on('error', () => {});
  const tls = await accept(raw, pem).catch((e) => console.error(`handshake: ${e.message}`));
  if (tls) await serveOne(tls, root).catch((e) => console.error(`${e.code ?? ''} ${e.message}`));
});
server.listen(Number(port), () =>
  console.log(`listening on https://localhost:${server.address().port}/ serving ${root}`),
);
