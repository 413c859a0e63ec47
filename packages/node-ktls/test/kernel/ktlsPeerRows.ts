/**
 * node-ktls against peers that are in the kernel too: OpenSSL and GnuTLS built with kTLS
 * (packages/native/vm/build-peers.sh, docs/vm-harness.md §11). Each row moves PEER_BYTES each way
 * (SHA-256 checked on both ends), closes with close_notify, and reads from /proc/net/tls_stat that
 * both ends put their directions in the kernel: the counters rise by ours plus the peer's. About
 * 400 lines: the data, unkeyed-cipher and KeyUpdate rows share the planes table and its checks.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect, type KtlsStream } from '../../src/index.js';
import { acceptOne, sha256 } from '../helpers.js';
import { OpensslPeer, reader, SENT_KEY_UPDATE } from '../openssl.js';
import type { PeerProcess } from '../peerProcess.js';
import { tlsStat } from './kernelFacts.js';
import {
  gnutlsClient,
  gnutlsServer,
  lastLine,
  lines,
  linesIn,
  opensslClient,
  opensslServer,
  type PeerLib,
  peerPrefix,
  type Version,
} from './ktlsPeers.js';
import {
  add,
  CIPHER,
  cert,
  kernel,
  ktls,
  SUITES,
  statRise,
  TLS12,
  TLS13,
  tlsOptions,
} from './rows.js';

/** Bytes each way per row: 4096 lines, 16 full records per direction (TCG is slow, see rows.ts). */
const PEER_BYTES = 256 << 10;

interface Planes {
  readonly tx: boolean;
  readonly rx: boolean;
}

/**
 * What each library hands the kernel with kTLS on, per version, as measured in the VM on 6.1 and
 * 7.2 (docs/vm-harness.md §11): `true` is a TLS_TX / TLS_RX on its socket.
 */
export const PEER_OFFLOAD: Record<PeerLib, Record<Version, Planes>> = {
  openssl: { 'TLSv1.2': { tx: true, rx: true }, 'TLSv1.3': { tx: true, rx: false } },
  gnutls: { 'TLSv1.2': { tx: true, rx: true }, 'TLSv1.3': { tx: true, rx: true } },
};

/**
 * The ciphers each library has a kernel key path for (measured; OpenSSL 3.0 ssl/ktls.c
 * `ktls_check_supported_cipher`, GnuTLS 3.7.9 lib/system/ktls.c `_gnutls_ktls_set_keys`).
 */
const PEER_CIPHERS: Record<PeerLib, readonly string[]> = {
  openssl: ['aes128gcm', 'aes256gcm', 'chacha'],
  gnutls: ['aes128gcm', 'aes256gcm'],
};

/**
 * Our policy: TLS 1.3 keeps RX in userspace where the kernel cannot re-key (6.1), and with
 * `tls13TxWithoutRekey` puts TX in the kernel anyway (README "Offload policy"), so there too one
 * direction of ours is in the kernel beside the peer's.
 */
const ourKtls = () => ktls({ tls13TxWithoutRekey: true });
const ourPlanes = (version: Version): Planes => ({
  tx: true,
  rx: version === 'TLSv1.2' || kernel().rekey.available,
});

const n = (b: boolean) => (b ? 1 : 0);

const describe = (d: Planes) =>
  d.tx && d.rx ? 'kernel both' : d.tx ? 'TX kernel, RX userspace' : 'userspace both';

/** tls_stat must have risen by our sockets plus the peer's; returns the row's note. */
function checkBoth(lib: PeerLib, version: Version, ours: KtlsStream, before: Map<string, number>) {
  const us = ourPlanes(version);
  const peer = PEER_OFFLOAD[lib][version];
  assert.equal(ours.offload.tx.plane, us.tx ? 'kernel' : 'userspace', ours.offload.tx.reason);
  assert.equal(ours.offload.rx.plane, us.rx ? 'kernel' : 'userspace', ours.offload.rx.reason);
  const rose = statRise(before);
  assert.equal(rose('TlsTxSw'), n(us.tx) + n(peer.tx), `TlsTxSw: ours ${us.tx}, ${lib} ${peer.tx}`);
  assert.equal(rose('TlsRxSw'), n(us.rx) + n(peer.rx), `TlsRxSw: ours ${us.rx}, ${lib} ${peer.rx}`);
  return `ours ${describe(us)}, ${lib} ${describe(peer)} (TlsTxSw +${rose('TlsTxSw')}, TlsRxSw +${rose('TlsRxSw')})`;
}

/** Resolves once `ok()`, polling; rejects after `ms`. */
async function until(what: () => string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A running peer tool; `echoes`: it sends back what it reads (gnutls-serv --echo). */
interface Peer {
  readonly tool: PeerProcess;
  readonly echoes: boolean;
}

/**
 * `up` from us to the peer and back the other way (the peer's stdin, or `up` itself from an echo),
 * both checked by SHA-256: what we read, and what the peer printed.
 */
async function exchangeLines(peer: Peer, ours: KtlsStream): Promise<void> {
  const up = lines(PEER_BYTES);
  const down = peer.echoes ? up : lines(PEER_BYTES);
  const parts: Buffer[] = [];
  ours.on('data', (d: Buffer) => parts.push(d));
  let failed: Error | null = null;
  ours.on('error', (e: Error) => {
    failed = e;
  });
  const got = () => {
    if (failed)
      throw new Error(`our stream failed: ${failed.message}\n${peer.tool.output.slice(-1500)}`);
    return Buffer.concat(parts);
  };
  ours.write(up);
  if (!peer.echoes) {
    peer.tool.child.stdin.write(down);
    await peer.tool.waitFor(new RegExp(lastLine(up)), 0, 60_000);
    assert.equal(
      sha256(linesIn(peer.tool.output)),
      sha256(up),
      `what ${peer.tool.child.spawnfile} read`,
    );
  }
  await until(
    () =>
      `${down.length} bytes from the peer (${got().length} came)\n${peer.tool.output.slice(-1500)}`,
    () => got().length >= down.length,
  );
  assert.equal(sha256(got()), sha256(down), 'what we read');
}

/** A failed handshake's error with the tool's last output, which says why. */
const withOutput = (tool: PeerProcess) => (e: unknown) => {
  throw new Error(`${String(e)}\n${tool.child.spawnfile}: ${tool.output.slice(-1500)}`);
};

/** One data row: the library, the version, Node's name of the suite, and whether `lib` keys it. */
interface RowCase {
  readonly lib: PeerLib;
  readonly version: Version;
  readonly suite: string;
  readonly keyed: boolean;
}

/**
 * A cipher the library has no kernel key for. GnuTLS 3.7.9 attaches the ULP before the handshake
 * and, when `_gnutls_ktls_set_keys` refuses the cipher (AES-GCM only), neither falls back nor
 * stops: the session keeps reading and writing through its kTLS path on a socket with no
 * TLS_TX/TLS_RX. Its first read after our data fails ("Error in the pull function") and the
 * connection ends; tls_stat rises by our directions only.
 */
async function unkeyed(
  lib: PeerLib,
  tool: PeerProcess,
  ours: KtlsStream,
  before: Map<string, number>,
): Promise<string> {
  const ended = new Promise<string>((resolve) => {
    ours.once('error', (e: Error) => resolve(e.message));
    ours.once('end', () => resolve('end'));
    ours.once('close', () => resolve('close'));
  });
  ours.on('data', () => {});
  ours.write(lines(PEER_BYTES));
  const how = await Promise.race([
    ended,
    new Promise<string>((r) => setTimeout(() => r('still open after 30 s'), 30_000).unref()),
  ]);
  await tool.waitFor(/Error in the pull function/, 0, 5_000);
  // Ours as the planes were actually given (the peer may drop the connection during our hand-off).
  const us = { tx: ours.offload.tx.plane === 'kernel', rx: ours.offload.rx.plane === 'kernel' };
  const rose = statRise(before);
  assert.equal(
    rose('TlsTxSw'),
    n(us.tx),
    `TlsTxSw +${rose('TlsTxSw')}: ours only (${lib} has no key)`,
  );
  assert.equal(
    rose('TlsRxSw'),
    n(us.rx),
    `TlsRxSw +${rose('TlsRxSw')}: ours only (${lib} has no key)`,
  );
  ours.destroy();
  return `${lib} sets no kernel key for this cipher yet reads through kTLS: "Error in the pull function"; ours ${describe(us)}: ${how}`;
}

/** We dial the peer's server; we close first (our close_notify), the peer answers with its own. */
async function asClient({ lib, version, suite, keyed }: RowCase): Promise<string> {
  const { dir } = cert();
  let tool: PeerProcess;
  let port: number;
  if (lib === 'openssl') {
    const s = opensslServer(dir, version);
    tool = s;
    port = await s.port();
  } else {
    const s = await gnutlsServer(dir);
    tool = s;
    port = s.listening;
  }
  try {
    kernel();
    const before = tlsStat();
    const ours = await connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: cert().cert,
        ...tlsOptions(version, suite),
      },
      ourKtls(),
    ).catch(withOutput(tool));
    assert.equal(ours.getProtocol(), version);
    if (!keyed) return await unkeyed(lib, tool, ours, before);
    await exchangeLines({ tool, echoes: lib === 'gnutls' }, ours);
    const ended = once(ours, 'end');
    ours.end();
    await ended;
    return checkBoth(lib, version, ours, before);
  } finally {
    tool.kill();
  }
}

/** The peer dials our listener; it closes first (its stdin ends: close_notify), we see the end. */
async function asServer({ lib, version, suite, keyed }: RowCase): Promise<string> {
  peerPrefix(lib); // not applicable (or failing in CI) before a listener exists to leak
  const { dir } = cert();
  kernel();
  const before = tlsStat();
  const listener = await acceptOne(
    { key: cert().key, cert: cert().cert, ...tlsOptions(version, suite) },
    ourKtls(),
  );
  const tool =
    lib === 'openssl'
      ? opensslClient(dir, listener.port, version)
      : gnutlsClient(dir, listener.port);
  try {
    const ours = await listener.stream().catch(withOutput(tool));
    assert.equal(ours.getProtocol(), version);
    if (!keyed) return await unkeyed(lib, tool, ours, before);
    await exchangeLines({ tool, echoes: false }, ours);
    const ended = once(ours, 'end');
    tool.child.stdin.end();
    await ended;
    return checkBoth(lib, version, ours, before);
  } finally {
    tool.kill();
    listener.close();
  }
}

for (const lib of ['openssl', 'gnutls'] as const) {
  for (const s of SUITES.filter((x) => x.name !== 'aes128ccm')) {
    const v = s.version === 'TLSv1.3' ? '13' : '12';
    const needs = ['ktls', `tx:${s.version === 'TLSv1.3' ? TLS13 : TLS12}:${CIPHER[s.name]}`];
    const c: RowCase = {
      lib,
      version: s.version,
      suite: s.openssl,
      keyed: PEER_CIPHERS[lib].includes(s.name),
    };
    add(`node-ktls.peer-${lib}`, `client-${v}-${s.name}`, needs, () => asClient(c));
    add(`node-ktls.peer-${lib}`, `server-${v}-${s.name}`, needs, () => asServer(c));
  }
}

/**
 * Data both ways, then the peer's KeyUpdate (`command`) and a line after it: the peer keeps its
 * kernel TLS_TX key (neither OpenSSL 3.0's tls13_update_key nor GnuTLS 3.7's key update touches
 * kTLS), so that line is sealed under the old key and our record layer, already on the new one,
 * rejects it as bad_record_mac (RFC 8446 §5.2) before a byte of it is read.
 */
async function peerKeyUpdate(
  lib: PeerLib,
  tool: PeerProcess,
  ours: KtlsStream,
  command: string,
  sent: RegExp,
  before: Map<string, number>,
): Promise<string> {
  const got = reader(ours);
  tool.type('before');
  await got.until('before\n');
  ours.write('from node-ktls\n');
  await tool.waitFor(/from node-ktls/);
  const failed = once(ours, 'error') as Promise<[Error & { errno?: unknown; alert?: unknown }]>;
  const mark = tool.output.length;
  tool.type(command);
  await tool.waitFor(sent, mark);
  tool.type('after-keyupdate');
  const [error] = await Promise.race([
    failed,
    new Promise<never>((_, reject) =>
      setTimeout(
        () =>
          reject(
            new Error(
              `no error on our side 20 s after ${command}; we read ${JSON.stringify(got.text().slice(-200))}; ${tool.child.spawnfile}: ${tool.output.slice(-1500)}`,
            ),
          ),
        20_000,
      ).unref(),
    ),
  ]);
  assert.equal(error.errno, 'EBADMSG', error.message);
  // Our RX in userspace (6.1, TLS 1.3) names the alert; the kernel's EBADMSG carries none.
  if (ours.offload.rx.plane === 'userspace') assert.equal(error.alert, 'bad_record_mac');
  assert.ok(!got.text().includes('after-keyupdate'), 'nothing of the line under the old key');
  checkPeerAndOurs(lib, ours, before);
  return `${lib} TX kernel, ours ${describe(ourPlanes('TLSv1.3'))}; after its KeyUpdate its next record is under the old key: ${error.message}`;
}

/** tls_stat rose by the peer's TLS 1.3 directions plus ours as the policy gave them. */
function checkPeerAndOurs(lib: PeerLib, ours: KtlsStream, before: Map<string, number>): void {
  const us = ourPlanes('TLSv1.3');
  const peer = PEER_OFFLOAD[lib]['TLSv1.3'];
  assert.equal(ours.offload.rx.plane, us.rx ? 'kernel' : 'userspace', ours.offload.rx.reason);
  const rose = statRise(before);
  assert.equal(rose('TlsTxSw'), n(us.tx) + n(peer.tx), `TlsTxSw +${rose('TlsTxSw')}`);
  assert.equal(rose('TlsRxSw'), n(us.rx) + n(peer.rx), `TlsRxSw +${rose('TlsRxSw')}`);
}

/** OpenSSL's `k` (update_not_requested), each side; s_server and s_client both take it. */
for (const side of ['client', 'server'] as const) {
  add('node-ktls.peer-keyupdate', `${side}-openssl`, ['ktls'], async () => {
    const { dir } = cert();
    const bin = join(peerPrefix('openssl'), 'bin', 'openssl');
    kernel();
    const before = tlsStat();
    let tool: PeerProcess;
    let ours: KtlsStream;
    let close = () => {};
    if (side === 'client') {
      const server = OpensslPeer.server(dir, ['-tls1_3', '-naccept', '1'], { bin });
      tool = server;
      const port = await server.port();
      ours = await connect(
        { host: '127.0.0.1', port, servername: 'localhost', ca: cert().cert },
        ourKtls(),
      );
    } else {
      const listener = await acceptOne({ key: cert().key, cert: cert().cert }, ourKtls());
      close = listener.close;
      tool = OpensslPeer.client(listener.port, ['-tls1_3', '-CAfile', join(dir, 'cert.pem')], {
        bin,
      });
      ours = await listener.stream();
    }
    try {
      await tool.waitFor(/Using Kernel TLS for sending/);
      return await peerKeyUpdate('openssl', tool, ours, 'k', SENT_KEY_UPDATE, before);
    } finally {
      ours.destroy();
      tool.kill();
      close();
    }
  });
}

/**
 * gnutls-cli's `^rekey^` (update_not_requested, `--inline-commands`; gnutls-serv has no commands).
 * GnuTLS 3.7.9 under kTLS TX seals its KeyUpdate in userspace with the current key and hands the
 * sealed record to the kernel as application data; then it switches its userspace key, which
 * nothing uses. So we never see a KeyUpdate: we read the 27 bytes of that record (a TLS 1.3
 * header, 17 03 03 00 16, and 22 sealed bytes) as data, and the next line intact under the old key.
 */
add('node-ktls.peer-keyupdate', 'server-gnutls', ['ktls'], async () => {
  peerPrefix('gnutls'); // before the listener
  const { dir } = cert();
  kernel();
  const before = tlsStat();
  const listener = await acceptOne(
    { key: cert().key, cert: cert().cert, ...tlsOptions('TLSv1.3', 'TLS_AES_128_GCM_SHA256') },
    ourKtls(),
  );
  const tool = gnutlsClient(dir, listener.port, ['--inline-commands']);
  try {
    const ours = await listener.stream().catch(withOutput(tool));
    try {
      const got = reader(ours);
      tool.type('before');
      await got.until('before\n');
      const mark = tool.output.length;
      tool.type('^rekey^');
      await tool.waitFor(/Rekey was completed/, mark);
      tool.type('after-keyupdate');
      await got.until('after-keyupdate\n');
      const between = Buffer.from(got.text(), 'latin1').subarray(
        'before\n'.length,
        -'after-keyupdate\n'.length,
      );
      assert.equal(between.length, 27, 'one sealed KeyUpdate record, 5 + 22 bytes');
      assert.deepEqual([...between.subarray(0, 5)], [0x17, 0x03, 0x03, 0x00, 0x16]);
      checkPeerAndOurs('gnutls', ours, before);
      return `gnutls kernel both, ours ${describe(ourPlanes('TLSv1.3'))}; its KeyUpdate reached us as 27 bytes of data (${between.subarray(0, 5).toString('hex')}…), then the next line under the old key`;
    } finally {
      ours.destroy();
    }
  } finally {
    tool.kill();
    listener.close();
  }
});
