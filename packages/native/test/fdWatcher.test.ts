/**
 * FdWatcher (native/fd_watcher.cc) on loopback TCP pairs: readiness on Node's own libuv loop,
 * what a kernel TLS reader waits on instead of timers (packages/node-ktls/src/kernelPlane.ts). Plain
 * TCP suffices here: the watcher only asks epoll; the VM's node-ktls rows run it on kernel TLS.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FdWatcher,
  KtlsSocket,
  NativeSyscallError,
  Readiness,
  SO_SNDBUF,
  SOL_SOCKET,
} from '../src/index.js';

const SO_RCVBUF = 8;
const turn = (ms = 0) => new Promise((r) => setTimeout(r, ms));
/** What a fd names (`socket:[inode]`), or null when it is not open. */
const target = (fd: number): string | null => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
};
const openFds = () => readdirSync('/proc/self/fd').length;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function pair(): [KtlsSocket, KtlsSocket] {
  const [c, s] = KtlsSocket.pair(2000);
  cleanup.push(
    () => c.close(),
    () => s.close(),
  );
  return [c, s];
}

/** A watcher whose callback records every call; `next()` resolves at the next one. */
function watched(sock: KtlsSocket, onEvent?: (w: FdWatcher, events: number) => void) {
  const events: number[] = [];
  const errors: Error[] = [];
  let wake: (() => void) | null = null;
  const w = sock.watch((error, ev) => {
    if (error) errors.push(error);
    events.push(ev);
    onEvent?.(w, ev);
    wake?.();
  });
  cleanup.push(() => w.close());
  const next = (timeoutMs = 2000) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no readiness event')), timeoutMs);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });
  return { w, events, errors, next };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('FdWatcher', () => {
  it('fires readable when data arrives, not before', async () => {
    const [c, s] = pair();
    const { w, events, errors, next } = watched(s);
    w.startReading();
    await turn(30);
    expect(events).toEqual([]);
    const got = next();
    c.send(bytes('ping'));
    await got;
    expect(events[0]! & Readiness.readable).toBe(Readiness.readable);
    expect(errors).toEqual([]);
    expect(new TextDecoder().decode(s.recv({ maxBytes: 16, dontwait: true }).data)).toBe('ping');
  });

  it('is level-triggered: unread data fires again; stopReading stops it, startReading re-arms it', async () => {
    const [c, s] = pair();
    const { w, events, next } = watched(s);
    w.startReading();
    c.send(bytes('x'));
    await next();
    await next(); // not read: the next loop turn reports it again
    w.stopReading();
    const seen = events.length;
    await turn(30);
    expect(events.length).toBe(seen);
    // Re-armed with the byte still queued: epoll reports it at once, no new data needed.
    const again = next();
    w.startReading();
    await again;
    expect(events.length).toBeGreaterThan(seen);
    w.stopReading();
  });

  it('reports the peer FIN as readable with disconnect', async () => {
    const [c, s] = pair();
    const { w, events, next } = watched(s);
    w.startReading();
    c.shutdown(1);
    await next();
    expect(events[0]! & (Readiness.readable | Readiness.disconnect)).toBe(
      Readiness.readable | Readiness.disconnect,
    );
    expect(s.recv({ maxBytes: 16, dontwait: true }).data.length).toBe(0);
  });

  it('fires writable only after a full send buffer drains', async () => {
    const [c, s] = pair();
    c.setIntOption(SOL_SOCKET, SO_SNDBUF, 4096);
    s.setIntOption(SOL_SOCKET, SO_RCVBUF, 4096);
    const { w, events, next } = watched(c);
    // The watcher made the fd non-blocking: fill the buffers until EAGAIN.
    const chunk = new Uint8Array(1 << 16);
    let sent = 0;
    for (;;) {
      try {
        sent += c.send(chunk, { dontwait: true });
      } catch (error) {
        expect((error as NativeSyscallError).errno).toBe('EAGAIN');
        break;
      }
    }
    expect(sent).toBeGreaterThan(0);
    w.startWriting();
    await turn(30);
    expect(events).toEqual([]);
    const writable = next();
    let read = 0;
    while (read < sent) read += s.recv({ maxBytes: 1 << 16 }).data.length;
    await writable;
    expect(events[0]! & Readiness.writable).toBe(Readiness.writable);
    w.stopWriting();
  });

  it('close() inside the callback: one call, no more after, the dup closed', async () => {
    const [c, s] = pair();
    const { w, events, next } = watched(s, (self) => self.close());
    w.startReading();
    const dup = w.fd;
    expect(target(dup)).toBe(target(s.fd)); // a dup: the same socket (socket:[inode])
    expect(dup).toBeGreaterThanOrEqual(0);
    expect(dup).not.toBe(s.fd);
    c.send(bytes('x'));
    await next();
    expect(w.closed).toBe(true);
    w.close(); // idempotent
    w.stopReading(); // stopping a closed watcher is a no-op
    expect(() => w.startReading()).toThrow(/closed/);
    c.send(bytes('y'));
    await turn(30);
    expect(events.length).toBe(1);
    // The number may be reused by now; it no longer names this socket.
    expect(target(dup)).not.toBe(target(s.fd));
    // The original fd is untouched: both bytes are still there to read.
    expect(new TextDecoder().decode(s.recvExact(2))).toBe('xy');
  });

  it('many open/close cycles leave the process fd count flat', async () => {
    const [, s] = pair();
    await turn();
    const before = openFds();
    for (let i = 0; i < 300; i++) {
      const w = new FdWatcher(s.fd, () => {});
      w.startReading();
      if (i % 2 === 0) w.startWriting();
      w.close();
    }
    await turn(10); // uv_close finishes on a later loop turn: the dups close there
    expect(openFds()).toBe(before);
  });

  it('an unclosed watcher nothing references is collected without a crash, and its dup closed', async () => {
    const [, s] = pair();
    await turn();
    const before = openFds();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    (() => {
      for (let i = 0; i < 50; i++) new FdWatcher(s.fd, () => {});
    })();
    expect(openFds()).toBe(before + 50);
    for (let i = 0; i < 100 && openFds() > before; i++) {
      gc();
      await turn(5);
    }
    expect(openFds()).toBe(before);
  });

  it('a bad fd is a typed error (EBADF), not a crash', () => {
    let error: unknown;
    try {
      new FdWatcher(1 << 20, () => {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeSyscallError);
    expect((error as NativeSyscallError).errno).toBe('EBADF');
  });

  it('an active watcher holds the process open, as a reading socket does; unref() lets it exit', () => {
    const script = (unref: boolean) => `
      import { KtlsSocket } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const [c, s] = KtlsSocket.pair();
      const w = s.watch(() => {});
      w.startReading();
      ${unref ? 'w.unref();' : ''}
      console.log('watching');
      void c;`;
    // Generous limits: a loaded CI machine can take seconds to start Node and load the addon. The
    // unref'd child must exit on its own well before; the held one is killed once it is watching.
    const run = (unref: boolean, timeout: number) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script(unref)], {
        timeout,
        encoding: 'utf8',
      });
    const unrefd = run(true, 30_000);
    expect(unrefd.stderr).toBe('');
    expect(unrefd.status).toBe(0);
    const held = run(false, 8_000);
    expect(held.stdout).toContain('watching');
    expect(held.signal).toBe('SIGTERM'); // still waiting for a byte when the timeout killed it
  }, 60_000);
});
