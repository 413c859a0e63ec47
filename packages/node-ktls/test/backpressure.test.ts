import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { makeCert, nodeServer, payload, readAll, sha256 } from './helpers.js';

/**
 * Backpressure both ways, as on a TLSSocket: a paused reader stops the data plane reading TCP, so
 * the sender's writes queue up; `write()` returns false while the data plane's TCP writes are not
 * flushed, and `drain` comes once they are.
 */
const { key, cert } = makeCert();
const MIB16 = 16 << 20;

describe('backpressure', () => {
  it('a paused reader stops reading TCP; nothing is lost when it resumes', async () => {
    const data = payload(MIB16);
    const { server, ours: dial } = await nodeServer({ key, cert }, {}, (s) => s.end(data));
    const { ours, theirs: peer } = await dial();
    ours.pause();
    await new Promise((r) => setTimeout(r, 500));
    // The data plane stopped at its high-water mark: most of the 16 MiB still waits at the sender.
    expect(ours.readableLength).toBeLessThan(2 << 20);
    expect(peer.writableLength).toBeGreaterThan(4 << 20);
    const got = await readAll(ours.resume());
    expect(sha256(got)).toBe(sha256(data));
    server.close();
  });

  it('write() returns false while the peer does not read; drain comes only when it does', async () => {
    const { server, ours: dial } = await nodeServer({ key, cert }, {}, (s) => s.pause());
    const { ours, theirs: peer } = await dial();
    const chunk = payload(1 << 20);
    const total = 32;
    const returns = Array.from({ length: total }, () => ours.write(chunk));
    expect(returns.at(-1)).toBe(false);
    let drained = false;
    ours.once('drain', () => {
      drained = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    // TCP is full both ways; what is left waits in the stream, not in an unbounded buffer below.
    expect(drained).toBe(false);
    expect(ours.writableLength).toBeGreaterThan(0);
    const got = readAll(peer.resume());
    await once(ours, 'drain');
    ours.end();
    expect((await got).length).toBe(total * chunk.length);
    server.close();
  });
});
