import { openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NodeKtlsError } from '../src/index.js';
import { makeCert, nodeServer, payload, readAll, sha256 } from './helpers.js';

/**
 * sendFile with TX in userspace (this host): the file is read and written through the stream, in
 * order with the writes around it. The kernel path (sendfile(2)) runs in the VM rows
 * `node-ktls.sendfile` (test/kernel/suite.ts); the order of its calls is in kernelPlane.test.ts.
 */
const pem = makeCert();
const file = join(pem.dir, 'body.bin');
const body = payload(300_000);
writeFileSync(file, body);

describe('KtlsStream.sendFile (userspace plane)', () => {
  it('a path, an fd, an offset and a length: the peer reads exactly those bytes, in order', async () => {
    const { server, ours: dial } = await nodeServer(pem);
    const { ours, theirs } = await dial();
    const got = readAll(theirs);
    ours.write('a:');
    expect(await ours.sendFile(file)).toBe(body.length);
    const fd = openSync(file, 'r');
    expect(await ours.sendFile(fd, 1000, 5000)).toBe(5000);
    closeSync(fd);
    ours.end(':z');
    const want = Buffer.concat([
      Buffer.from('a:'),
      body,
      body.subarray(1000, 6000),
      Buffer.from(':z'),
    ]);
    expect(sha256(await got)).toBe(sha256(want));
    server.close();
  });

  it('a length past the end of the file, or a negative offset, is ERR_KTLS_SENDFILE', async () => {
    const { server, ours: dial } = await nodeServer(pem);
    const { ours } = await dial();
    const past = await ours.sendFile(file, 0, body.length + 1).catch((e: NodeKtlsError) => e);
    expect((past as NodeKtlsError).code).toBe('ERR_KTLS_SENDFILE');
    const negative = await ours.sendFile(file, -1).catch((e: NodeKtlsError) => e);
    expect((negative as NodeKtlsError).code).toBe('ERR_KTLS_SENDFILE');
    ours.destroy();
    server.close();
  });
});
