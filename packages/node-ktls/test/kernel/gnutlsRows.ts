/**
 * Rows with Debian's gnutls-bin as the peer (test/gnutls.ts): every suite of `SUITES` against
 * `gnutls-serv --echo` (our client) and `gnutls-cli` (our server), KeyUpdate of both kinds from
 * gnutls-cli and gnutls-serv's answer to ours, and truncation (the gnutls process killed: FIN
 * without close_notify). A fatal alert from gnutls has no row: neither tool sends one on command
 * after the handshake (a real peer's fatal alert is node-ktls.alert in edgeRows.ts, from Node's tls).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type KtlsStream, NodeKtlsError } from '../../src/index.js';
import { type GnutlsSuite, GnutlsPeer, gnutlsKeyUpdates, noGnutlsError } from '../gnutls.js';
import { acceptOne, payload, readAll, sha256 } from '../helpers.js';
import { reader } from '../openssl.js';
import { fromHexLines, hexLines } from '../peerProcess.js';
import { expectedPlanes, tlsStat } from './kernelFacts.js';
import { PEER_TRANSFER_BYTES } from './opensslRows.js';
import {
  add,
  cert,
  connectTo,
  kernel,
  ktls,
  SUITES,
  statRise,
  suiteNeeds,
  suiteVariant,
  withOurClient,
  withOurServer,
  within,
} from './rows.js';

/**
 * What our server sends gnutls-cli per row: 4 full records through TLS_TX. Less than the
 * `PEER_TRANSFER_BYTES` it sends us because gnutls-cli writes what it reads to its unbuffered
 * stdout one byte per write(2) (`fputc` per byte; strace shows 262144 writes for 256 KiB): under
 * TCG 256 KiB took 7–13 s per row, 80 s for the eight, more than the whole group may take.
 */
const TO_GNUTLS_CLI_BYTES = 64 << 10;

/** GnuTLS's names for the ciphers of `SUITES` (`gnutls-cli -l`). */
const GNUTLS_CIPHER = {
  aes128gcm: 'AES-128-GCM',
  aes256gcm: 'AES-256-GCM',
  chacha: 'CHACHA20-POLY1305',
  aes128ccm: 'AES-128-CCM',
} as const;

/** gnutls's `- Description:` names the version and the cipher it negotiated. */
async function checkDescription(peer: GnutlsPeer, g: GnutlsSuite): Promise<void> {
  const d = await peer.description();
  const version = g.version === 'TLSv1.3' ? 'TLS1.3' : 'TLS1.2';
  assert.ok(d.startsWith(`(${version}`) && d.endsWith(`(${g.cipher})`), `gnutls negotiated ${d}`);
}

for (const s of SUITES) {
  const g: GnutlsSuite = { version: s.version, cipher: GNUTLS_CIPHER[s.name] };

  // gnutls-serv echoes our hex lines: it opened our records and sealed them back to us.
  add('node-ktls.gnutls-data', suiteVariant('client', s), suiteNeeds(s), () =>
    withOurClient(
      s,
      async () => {
        const peer = await GnutlsPeer.echoServer(cert().dir, g);
        return { peer, port: peer.port };
      },
      async (ours, peer) => {
        await checkDescription(peer, g);
        const up = payload(PEER_TRANSFER_BYTES);
        const got = reader(ours);
        ours.write(hexLines(up, 'up'));
        await got.until('END-up\n');
        assert.equal(sha256(fromHexLines(got.text(), 'up')), sha256(up), 'the echo');
        const ended = once(ours, 'end');
        ours.end(); // gnutls-serv answers our close_notify with its own
        await within(ended, "'end' after close_notify");
      },
    ),
  );

  // gnutls-cli sends its stdin byte for byte and prints what it reads: binary both ways.
  add('node-ktls.gnutls-data', suiteVariant('server', s), suiteNeeds(s), () =>
    withOurServer(
      s,
      (port) => GnutlsPeer.client(cert().dir, port, g),
      async (ours, peer) => {
        const up = payload(PEER_TRANSFER_BYTES);
        const down = payload(TO_GNUTLS_CLI_BYTES);
        const oursRead = readAll(ours);
        ours.write(down);
        peer.child.stdin.end(up); // then its close_notify (gnutls_bye SHUT_WR); it reads on
        const got = await within(oursRead, "gnutls-cli's data and close_notify"); // ends only with close_notify (a bare FIN is a truncation)
        if (!ours.writableEnded) ours.end();
        assert.equal(await within(peer.exited, 'gnutls-cli exit'), 0, 'gnutls-cli exit code');
        assert.ok(
          peer.messages.includes('- Peer has closed the GnuTLS connection'),
          `gnutls-cli saw no close_notify: ${peer.messages.slice(-500)}`,
        );
        noGnutlsError(peer);
        await checkDescription(peer, g);
        assert.equal(sha256(got), sha256(up), 'we read');
        assert.equal(sha256(peer.stdout()), sha256(down), 'gnutls-cli read');
      },
    ),
  );
}

const TLS13_GCM: GnutlsSuite = { version: 'TLSv1.3', cipher: 'AES-128-GCM' };

/** The planes TLS 1.3 must be on here; on a kernel that re-keys, the counters that must rise. */
function checkRekeys(ours: KtlsStream, before: Map<string, number>, rx: number, tx: number) {
  const want = expectedPlanes(kernel(), true);
  assert.equal(ours.offload.rx.plane, want, ours.offload.rx.reason);
  assert.equal(ours.offload.tx.plane, want, ours.offload.tx.reason);
  if (want === 'kernel') {
    const rose = statRise(before);
    assert.equal(rose('TlsRxRekeyOk'), rx, 'TlsRxRekeyOk: the next RX keys the kernel took');
    assert.equal(rose('TlsTxRekeyOk'), tx, 'TlsTxRekeyOk: the next TX keys the kernel took');
  }
  return `rx ${ours.offload.rx.plane}: ${ours.offload.rx.reason}`;
}

// gnutls-cli's ^rekey1^ (update_not_requested) and ^rekey^ (update_requested) to our server
// (`gnutlsKeyUpdates`); on a kernel that re-keys, two next RX keys and one next TX key (our answer).
add('node-ktls.keyupdate', 'server-gnutls', ['ktls'], async () => {
  const { dir, key, cert: pem } = cert();
  const listener = await acceptOne({ key, cert: pem }, ktls());
  const peer = GnutlsPeer.client(dir, listener.port, TLS13_GCM, ['--inline-commands', '-d', '4']);
  let ours: KtlsStream | undefined;
  try {
    ours = await within(listener.stream(), 'connection from gnutls-cli');
    kernel();
    const before = tlsStat();
    await gnutlsKeyUpdates(peer, ours);
    return checkRekeys(ours, before, 2, 1);
  } finally {
    ours?.destroy();
    peer.kill();
    listener.close();
  }
});

// Ours of both kinds to gnutls-serv: it follows each, and answers update_requested with its own
// KeyUpdate (update_not_requested), which our RX follows; the echo proves each key in use.
add('node-ktls.keyupdate', 'client-gnutls', ['ktls'], async () => {
  const peer = await GnutlsPeer.echoServer(cert().dir, TLS13_GCM, ['-d', '4']);
  let ours: KtlsStream | undefined;
  try {
    ours = await connectTo(peer.port, {}, { maxVersion: 'TLSv1.3', minVersion: 'TLSv1.3' });
    kernel();
    const before = tlsStat();
    const got = reader(ours);
    for (const requestPeer of [false, true]) {
      ours.keyUpdate(requestPeer);
      ours.write(`after-ours-${requestPeer}\n`);
      await got.until(`after-ours-${requestPeer}\n`);
    }
    // gnutls's debug log: ours of each kind arrived, and it answered update_requested only.
    const seen = [
      ...peer.messages.matchAll(/(received|sending) (?:TLS 1\.3 )?key update \((\d)\)/g),
    ];
    assert.deepEqual(
      seen.map((m) => `${m[1]} ${m[2]}`),
      ['received 0', 'received 1', 'sending 0'],
    );
    noGnutlsError(peer);
    return checkRekeys(ours, before, 1, 2);
  } finally {
    ours?.destroy();
    peer.kill();
  }
});

/** Waits for `n` bytes read by `ours`, collecting them. */
async function readN(ours: KtlsStream, n: number): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  ours.on('data', (d: Buffer) => parts.push(d));
  const end = Date.now() + 10_000;
  while (Buffer.concat(parts).length < n) {
    if (Date.now() > end) throw new Error(`read ${Buffer.concat(parts).length} of ${n} bytes`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return parts;
}

/** The gnutls process killed after its data: FIN without close_notify is ERR_KTLS_TRUNCATED. */
async function truncated(ours: KtlsStream, peer: GnutlsPeer, sent: Buffer): Promise<string> {
  const parts = await readN(ours, sent.length);
  const failed = once(ours, 'error') as Promise<[NodeKtlsError]>;
  peer.kill('SIGKILL'); // the kernel closes its socket: FIN, no close_notify
  const [error] = await within(failed, 'ERR_KTLS_TRUNCATED');
  assert.ok(error instanceof NodeKtlsError, String(error));
  assert.equal(error.code, 'ERR_KTLS_TRUNCATED');
  assert.equal(sha256(Buffer.concat(parts)), sha256(sent), 'every byte before the FIN');
  return `rx ${ours.offload.rx.plane}: ${error.code}`;
}

add('node-ktls.gnutls-truncation', 'server-12', ['ktls'], async () => {
  const { dir, key, cert: pem } = cert();
  const listener = await acceptOne({ key, cert: pem }, ktls());
  const peer = GnutlsPeer.client(dir, listener.port, { version: 'TLSv1.2', cipher: 'AES-128-GCM' });
  let ours: KtlsStream | undefined;
  try {
    ours = await within(listener.stream(), 'connection from gnutls-cli');
    assert.equal(ours.offload.rx.plane, 'kernel', ours.offload.rx.reason);
    const sent = payload(100_000);
    peer.child.stdin.write(sent);
    return await truncated(ours, peer, sent);
  } finally {
    ours?.destroy();
    peer.kill();
    listener.close();
  }
});

add('node-ktls.gnutls-truncation', 'client-13', ['ktls'], async () => {
  const peer = await GnutlsPeer.echoServer(cert().dir, TLS13_GCM);
  let ours: KtlsStream | undefined;
  try {
    ours = await connectTo(peer.port);
    assert.equal(ours.offload.rx.plane, expectedPlanes(kernel(), true), ours.offload.rx.reason);
    const line = Buffer.from('one line echoed before the cut\n');
    ours.write(line);
    return await truncated(ours, peer, line);
  } finally {
    ours?.destroy();
    peer.kill();
  }
});
