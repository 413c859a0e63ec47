/** Rows with Node's own tls and Debian's openssl as the peer: data, tickets, truncation, KeyUpdate, sendFile. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { NodeKtlsError } from '../../src/index.js';
import { acceptOne, nodeServer, payload, readAll, sha256 } from '../helpers.js';
import { keyUpdates, OpensslPeer, reader } from '../openssl.js';
import { expectedPlanes, tlsStat } from './kernelFacts.js';
import {
  add,
  CIPHER,
  cert,
  checkPlanes,
  connectTo,
  exchangeChecked,
  kernel,
  ktls,
  nodeClient,
  opensslFacing,
  SUITES,
  statRise,
  TLS12,
  TLS13,
  tlsOptions,
  VM_TRANSFER_BYTES,
} from './rows.js';

for (const s of SUITES) {
  const v = s.version === 'TLSv1.3' ? '13' : '12';
  const needs = ['ktls', `tx:${s.version === 'TLSv1.3' ? TLS13 : TLS12}:${CIPHER[s.name]}`];
  add('node-ktls.data', `client-${v}-${s.name}`, needs, async () => {
    kernel();
    const before = tlsStat();
    const { server, ours: dial } = await nodeServer(
      cert(),
      tlsOptions(s.version, s.openssl),
      () => {},
      ktls(),
      tlsOptions(s.version, s.openssl),
    );
    try {
      const { ours, theirs } = await dial();
      assert.equal(ours.getProtocol(), s.version);
      await exchangeChecked(ours, theirs);
      return checkPlanes(ours, before);
    } finally {
      server.close();
    }
  });
  add('node-ktls.data', `server-${v}-${s.name}`, needs, async () => {
    kernel();
    const before = tlsStat();
    // Node's tls (OpenSSL) never pads unless the application asks (README "Offload policy").
    const listener = await acceptOne(
      { key: cert().key, cert: cert().cert, ...tlsOptions(s.version, s.openssl) },
      ktls({ tls13ExpectNoPad: true }),
    );
    try {
      const theirs = nodeClient(listener.port, tlsOptions(s.version, s.openssl));
      const [ours] = await Promise.all([listener.stream(), once(theirs, 'secureConnect')]);
      await exchangeChecked(ours, theirs);
      const planes = checkPlanes(ours, before);
      if (s.version === 'TLSv1.3' && ours.offload.rx.plane === 'kernel')
        assert.match(ours.offload.rx.reason, /TLS_RX_EXPECT_NO_PAD set/);
      return `${planes}; ${ours.offload.rx.reason}`;
    } finally {
      listener.close();
    }
  });
}

add('node-ktls.tickets', 'client-13', ['ktls'], async () => {
  const { server, ours: dial } = await nodeServer(
    cert(),
    { maxVersion: 'TLSv1.3' },
    () => {},
    ktls(),
  );
  try {
    const { ours, theirs } = await dial();
    const session = once(ours, 'session') as Promise<[Buffer]>;
    theirs.write('after the tickets\n');
    const got = reader(ours);
    await got.until('after the tickets\n');
    const [s] = await session;
    ours.destroy();
    theirs.destroy();
    const again = await tls.connect({
      host: '127.0.0.1',
      port: (server.address() as { port: number }).port,
      servername: 'localhost',
      ca: cert().cert,
      session: s,
    });
    await once(again, 'secureConnect');
    assert.equal(again.isSessionReused(), true, 'the ticket given out after the hand-off resumes');
    again.destroy();
    return `rx ${ours.offload.rx.plane}`;
  } finally {
    server.close();
  }
});

add('node-ktls.truncation', 'server-12', ['ktls'], async () => {
  const listener = await acceptOne({ key: cert().key, cert: cert().cert }, ktls());
  try {
    const raw = netConnect({ host: '127.0.0.1', port: listener.port });
    const theirs = tls.connect({
      socket: raw,
      servername: 'localhost',
      ca: cert().cert,
      maxVersion: 'TLSv1.2',
    });
    theirs.on('error', () => {}); // its TCP is cut under it on purpose
    await once(theirs, 'secureConnect');
    const ours = await listener.stream();
    assert.equal(ours.offload.rx.plane, 'kernel');
    const data = payload(100_000);
    const parts: Buffer[] = [];
    ours.on('data', (d: Buffer) => parts.push(d));
    theirs.write(data);
    while (Buffer.concat(parts).length < data.length) await new Promise((r) => setTimeout(r, 5));
    raw.end(); // FIN without close_notify
    const [error] = (await once(ours, 'error')) as [NodeKtlsError];
    assert.ok(error instanceof NodeKtlsError);
    assert.equal(error.code, 'ERR_KTLS_TRUNCATED');
    assert.equal(sha256(Buffer.concat(parts)), sha256(data));
  } finally {
    listener.close();
  }
});

/** openssl's interactive k / K (TLS 1.3) against our kernel planes, each side. */
for (const side of ['client', 'server'] as const) {
  add('node-ktls.keyupdate', `${side}-openssl`, ['ktls'], async () => {
    const { peer, ours, close } = await opensslFacing(side, ['-tls1_3']);
    try {
      // 6.1: the policy keeps TLS 1.3 in userspace (no rekey); 6.14+: the kernel re-keys.
      const want = expectedPlanes(kernel(), true);
      assert.equal(ours.offload.rx.plane, want, ours.offload.rx.reason);
      kernel();
      const before = tlsStat();
      await keyUpdates(peer, ours);
      if (want === 'kernel') {
        assert.ok(
          statRise(before)('TlsRxRekeyOk') >= 2,
          'TlsRxRekeyOk: the kernel took both next keys',
        );
      }
      return `rx ${ours.offload.rx.plane}: ${ours.offload.rx.reason}`;
    } finally {
      ours.destroy();
      peer.kill();
      close();
    }
  });
}

add('node-ktls.openssl', 'server-12', ['ktls'], async () => {
  const { dir } = cert();
  const listener = await acceptOne({ key: cert().key, cert: cert().cert }, ktls());
  const peer = OpensslPeer.client(listener.port, ['-tls1_2', '-CAfile', `${dir}/cert.pem`]);
  try {
    kernel();
    const before = tlsStat();
    const ours = await listener.stream();
    const got = reader(ours);
    peer.type('from s_client');
    await got.until('from s_client\n');
    ours.write('from node-ktls\n');
    await peer.waitFor(/from node-ktls/);
    const ended = once(ours, 'end');
    peer.child.stdin.end(); // s_client sends close_notify
    await ended;
    return checkPlanes(ours, before);
  } finally {
    peer.kill();
    listener.close();
  }
});

add('node-ktls.openssl', 'client-12', ['ktls'], async () => {
  const peer = OpensslPeer.server(cert().dir, ['-tls1_2']);
  try {
    kernel();
    const before = tlsStat();
    const ours = await connectTo(await peer.port());
    const got = reader(ours);
    ours.write('hello openssl\n');
    await peer.waitFor(/hello openssl/);
    peer.type('hello node-ktls');
    await got.until('hello node-ktls\n');
    const ended = once(ours, 'end');
    const mark = peer.output.length;
    ours.end(); // our close_notify through TLS_SET_RECORD_TYPE; s_server answers with its own
    await peer.waitFor(/DONE/, mark);
    await ended;
    return checkPlanes(ours, before);
  } finally {
    peer.kill();
  }
});

/** sendFile on the offloaded stream (sendfile(2) where TX is on the kernel), Node's tls reading. */
for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  const v = version === 'TLSv1.3' ? '13' : '12';
  add('node-ktls.sendfile', `server-${v}`, ['ktls'], async () => {
    const file = join(cert().dir, `sendfile-${v}.bin`);
    const body = payload(VM_TRANSFER_BYTES);
    writeFileSync(file, body);
    kernel();
    const before = tlsStat();
    const listener = await acceptOne({ key: cert().key, cert: cert().cert }, ktls());
    try {
      const theirs = nodeClient(listener.port, { maxVersion: version });
      const got = readAll(theirs);
      const ours = await listener.stream();
      ours.write('head:');
      const sent = await ours.sendFile(file, 1000);
      assert.equal(sent, body.length - 1000);
      ours.end(':tail');
      const bytes = await got;
      assert.equal(
        sha256(bytes),
        sha256(Buffer.concat([Buffer.from('head:'), body.subarray(1000), Buffer.from(':tail')])),
      );
      const want = expectedPlanes(kernel(), version === 'TLSv1.3');
      assert.equal(ours.offload.tx.plane, want, ours.offload.tx.reason);
      const rose = (tlsStat().get('TlsTxSw') ?? 0) - (before.get('TlsTxSw') ?? 0);
      assert.equal(rose, want === 'kernel' ? 1 : 0, 'TlsTxSw');
      return `tx ${ours.offload.tx.plane}: ${want === 'kernel' ? 'sendfile(2)' : 'read + write'}`;
    } finally {
      listener.close();
    }
  });
}
