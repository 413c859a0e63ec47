/**
 * 64 MiB each way, checked by SHA-256 (issue 17): the size where a lost or doubled record, a
 * sequence number off by one after thousands of records, or a stall under backpressure shows.
 * Both directions run at once, so the kernel seals and opens while the socket buffers are full
 * both ways; the sendFile rows send a 64 MiB file through sendfile(2) where TX is on the kernel.
 * Under TCG a row moves 3-7 MB/s (measured; docs/vm-harness.md), so the bulk rows are the four that
 * cover each plane once: TLS 1.2 as the client (the kernel both ways on every kernel), TLS 1.3 as
 * the server (the kernel on 6.14+, core's userspace planes on 6.1), and sendFile under each.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { KtlsStream } from '../../src/index.js';
import { acceptOne, exchange, nodeServer, payload, readAll, sha256 } from '../helpers.js';
import { expectedPlanes, tlsStat } from './kernelFacts.js';
import { add, cert, checkPlanes, kernel, ktls, nodeClient, statRise, tlsOptions } from './rows.js';

/** The bulk size of issue 17's "64 MiB transfers checked by hash both ways". */
export const BULK_BYTES = 64 << 20;

const VERSIONS = [
  ['12', 'TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'client'],
  ['13', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'server'],
] as const;

/** MB/s of `bytes` moved in `ms`, for the row's detail (a measure, never asserted). */
const rate = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;

/** 64 MiB each way at once, both checked by SHA-256; the planes and tls_stat as the policy says. */
async function bothWays(
  ours: KtlsStream,
  theirs: TLSSocket,
  before: Map<string, number>,
): Promise<string> {
  const t0 = Date.now();
  const r = await exchange(ours, theirs, BULK_BYTES);
  const ms = Date.now() - t0;
  assert.equal(r.oursGot, r.down, 'the 64 MiB we read');
  assert.equal(r.theirsGot, r.up, 'the 64 MiB the peer read');
  return `${checkPlanes(ours, before)}; 2 x 64 MiB in ${ms} ms (${rate(2 * BULK_BYTES, ms)})`;
}

for (const [v, version, suite, side] of VERSIONS) {
  const options = tlsOptions(version, suite);
  if (side === 'client')
    add('node-ktls.bulk', `client-${v}`, ['ktls'], async () => {
      kernel();
      const before = tlsStat();
      const { server, ours: dial } = await nodeServer(cert(), options, () => {}, ktls(), options);
      try {
        const { ours, theirs } = await dial();
        return await bothWays(ours, theirs, before);
      } finally {
        server.close();
      }
    });
  if (side === 'server')
    add('node-ktls.bulk', `server-${v}`, ['ktls'], async () => {
      kernel();
      const before = tlsStat();
      const listener = await acceptOne({ key: cert().key, cert: cert().cert, ...options }, ktls());
      try {
        const theirs = nodeClient(listener.port, options);
        const [ours] = await Promise.all([listener.stream(), once(theirs, 'secureConnect')]);
        return await bothWays(ours, theirs, before);
      } finally {
        listener.close();
      }
    });
  add('node-ktls.bulk', `sendfile-${v}`, ['ktls'], async () => {
    const file = join(cert().dir, `bulk-${v}.bin`);
    const body = payload(BULK_BYTES);
    writeFileSync(file, body);
    kernel();
    const before = tlsStat();
    const listener = await acceptOne({ key: cert().key, cert: cert().cert }, ktls());
    try {
      const theirs = nodeClient(listener.port, options);
      const got = readAll(theirs);
      const ours: KtlsStream = await listener.stream();
      const t0 = Date.now();
      assert.equal(await ours.sendFile(file), BULK_BYTES);
      ours.end();
      const bytes = await got;
      const ms = Date.now() - t0;
      assert.equal(sha256(bytes), sha256(body), 'the file the peer read');
      const want = expectedPlanes(kernel(), version === 'TLSv1.3');
      assert.equal(ours.offload.tx.plane, want, ours.offload.tx.reason);
      assert.equal(statRise(before)('TlsTxSw'), want === 'kernel' ? 1 : 0, 'TlsTxSw');
      const how = want === 'kernel' ? 'sendfile(2)' : 'read + write';
      return `tx ${want}: ${how}, 64 MiB in ${ms} ms (${rate(BULK_BYTES, ms)})`;
    } finally {
      listener.close();
    }
  });
}
