/**
 * Rows with Debian's `openssl s_server` / `s_client` as the peer, every suite of `SUITES`, our client
 * and our server: data both ways checked by SHA-256, then close_notify. The data travels as
 * `hexLines` (both tools act on command letters at the start of what they read from stdin, and
 * print what they read to stdout among their own messages); `-msg` goes to a file (`-msgfile`), so
 * stdout holds the data and the messages prove what openssl received.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { KtlsStream } from '../../src/index.js';
import { payload, sha256 } from '../helpers.js';
import { OpensslPeer, reader } from '../openssl.js';
import { fromHexLines, hexLines, messageLog } from '../peerProcess.js';
import {
  add,
  cert,
  SUITES,
  suiteNeeds,
  suiteVariant,
  withOurClient,
  withOurServer,
  within,
} from './rows.js';

/**
 * Bytes each way per row (twice that as hex): at least 16 full records each way through
 * TLS_TX / TLS_RX, small enough that the 16 rows stay within the suite's time (README "In the VM").
 */
export const PEER_TRANSFER_BYTES = 256 << 10;

/**
 * The application_data records openssl's `-msg` saw arrive (sealed by our data plane): TLS 1.2 by
 * their header's type (23), TLS 1.3 by the inner content type `-msg` prints after opening them
 * (every TLS 1.3 protected record's header says 23, RFC 8446 §5.2).
 */
function receivedAppRecords(msg: string, tls13: boolean): number {
  const pattern = tls13
    ? /<<< [^\n]*InnerContent \[length 0001\]\n\s+17\b/g
    : /<<< [^\n]*RecordHeader \[length 0005\]\n\s+17 03 03/g;
  return msg.match(pattern)?.length ?? 0;
}

/**
 * Both ends on `suite` (openssl says so: s_server `CIPHER is`, s_client `Cipher is`), then
 * `PEER_TRANSFER_BYTES` each way as hex lines; each side must read exactly what the other sent.
 */
async function hexBothWays(peer: OpensslPeer, ours: KtlsStream, suite: string): Promise<void> {
  assert.equal(ours.getCipher().name, suite);
  await peer.waitFor(new RegExp(`(CIPHER|Cipher) is ${suite}\\b`));
  const up = payload(PEER_TRANSFER_BYTES);
  const down = payload(PEER_TRANSFER_BYTES);
  const got = reader(ours);
  const mark = peer.output.length;
  ours.write(hexLines(up, 'up'));
  peer.child.stdin.write(hexLines(down, 'down'));
  await peer.waitFor(/END-up\n/, mark, 60_000);
  await got.until('END-down\n');
  assert.equal(
    sha256(fromHexLines(peer.stdout().toString('latin1'), 'up')),
    sha256(up),
    'openssl read',
  );
  assert.equal(sha256(fromHexLines(got.text(), 'down')), sha256(down), 'we read');
  // 512 KiB of hex is at least 32 full records.
  const records = receivedAppRecords(peer.output.slice(mark), ours.getProtocol() === 'TLSv1.3');
  assert.ok(records >= 32, `openssl's -msg shows ${records} application_data records received`);
}

for (const s of SUITES) {
  const tls13 = s.version === 'TLSv1.3';
  const flags = [tls13 ? '-tls1_3' : '-tls1_2', tls13 ? '-ciphersuites' : '-cipher', s.openssl];

  add('node-ktls.openssl-data', suiteVariant('client', s), suiteNeeds(s), () =>
    withOurClient(
      s,
      async () => {
        const peer = OpensslPeer.server(cert().dir, flags, { log: messageLog() });
        return { peer, port: await peer.port() };
      },
      async (ours, peer) => {
        await hexBothWays(peer, ours, s.openssl);
        const ended = once(ours, 'end');
        const mark = peer.output.length;
        ours.end(); // our close_notify; s_server reads it ("DONE") and answers with its own
        await peer.waitFor(/<<< TLS 1\.[23], Alert \[length 0002\], warning close_notify/, mark);
        await within(ended, "'end' after close_notify");
      },
    ),
  );

  add('node-ktls.openssl-data', suiteVariant('server', s), suiteNeeds(s), () =>
    withOurServer(
      s,
      (port) =>
        OpensslPeer.client(port, [...flags, '-CAfile', `${cert().dir}/cert.pem`], {
          log: messageLog(),
        }),
      async (ours, peer) => {
        await hexBothWays(peer, ours, s.openssl);
        const ended = once(ours, 'end');
        const mark = peer.output.length;
        peer.child.stdin.end(); // s_client at the end of its stdin sends close_notify
        await within(ended, "'end' after close_notify");
        await peer.waitFor(/>>> TLS 1\.[23], Alert \[length 0002\], warning close_notify/, mark);
      },
    ),
  );
}
