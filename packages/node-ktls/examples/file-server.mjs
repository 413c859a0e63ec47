// An HTTPS static file server on kernel TLS: Node's tls does the handshake, then the connection is
// handed to the kernel (or core's userspace record layer where the kernel cannot take it) and each
// file goes out with sendFile (sendfile(2) when TX is on the kernel). Run (after `pnpm build`):
//   node packages/node-ktls/examples/file-server.mjs [root=.] [port=8443]
//   curl -k https://localhost:8443/README.md
import { createServer } from '@ktls-lab/node-ktls';
import { selfSigned, serveOne } from './serve.mjs';

const [root = '.', port = '8443'] = process.argv.slice(2);
const server = createServer(selfSigned(), {}, (tls) =>
  serveOne(tls, root).catch((e) => console.error(`${e.code ?? ''} ${e.message}`)),
);
server.on('tlsClientError', (e) => console.error(`handshake: ${e.message}`));
server.listen(Number(port), () =>
  console.log(`listening on https://localhost:${server.address().port}/ serving ${root}`),
);
