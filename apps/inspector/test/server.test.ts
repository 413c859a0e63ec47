// @vitest-environment node
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveInspector } from '../server.mjs';

const SERVER = join(import.meta.dirname, '..', 'server.mjs');

interface Server {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Raw GET, so that paths like /data/../x reach the server unnormalised. */
function get(port: number, path: string, opts: { host?: string; method?: string } = {}) {
  return new Promise<{ status: number; type: string | undefined; body: string }>((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () =>
          ok({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }),
        );
      },
    );
    req.on('error', fail);
    req.end();
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'inspector-serve-'));
const dist = join(tmp, 'dist');
const run = join(tmp, 'run');
mkdirSync(join(dist, 'assets'), { recursive: true });
mkdirSync(join(run, 'traces'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>inspector</title>');
writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(run, 'index.json'), '{"runs":[]}');
writeFileSync(join(run, 'traces', 'a--b.ndjson'), '{"format":"ktls-lab-trace"}\n');
writeFileSync(join(tmp, 'secret.txt'), 'secret');
symlinkSync(join(tmp, 'secret.txt'), join(run, 'escape.txt'));

describe('serveInspector (run folder)', () => {
  let s: Server;
  beforeAll(async () => {
    s = await serveInspector({ root: run, dist });
  });
  afterAll(() => s.close());

  it('listens on 127.0.0.1 on a free port and opens the run folder', () => {
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/?run=/data/index.json`);
    expect(s.port).toBeGreaterThan(0);
  });

  it('serves the app and the data with their content types', async () => {
    expect(await get(s.port, '/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await get(s.port, '/assets/app.js')).toMatchObject({
      status: 200,
      type: 'text/javascript; charset=utf-8',
    });
    expect(await get(s.port, '/data/index.json')).toMatchObject({
      status: 200,
      type: 'application/json; charset=utf-8',
    });
    const trace = await get(s.port, '/data/traces/a--b.ndjson');
    expect(trace).toMatchObject({ status: 200, type: 'application/x-ndjson; charset=utf-8' });
    expect(trace.body).toContain('ktls-lab-trace');
  });

  it('never leaves its roots', async () => {
    for (const path of [
      '/data/../secret.txt',
      '/data/%2e%2e/secret.txt',
      '/data/..%2fsecret.txt',
      '/../secret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/data/escape.txt',
      '/data/%00',
      '/data/',
      '/data/traces',
    ]) {
      const r = await get(s.port, path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain('secret');
    }
  });

  it('refuses other methods and foreign Host headers (DNS rebinding)', async () => {
    expect((await get(s.port, '/', { method: 'POST' })).status).toBe(405);
    expect((await get(s.port, '/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(s.port, '/', { host: `localhost:${s.port}` })).status).toBe(200);
  });
});

describe('serveInspector (one trace file)', () => {
  it('serves that file only', async () => {
    const s: Server = await serveInspector({ root: join(run, 'traces', 'a--b.ndjson'), dist });
    try {
      expect(s.url).toMatch(/\?trace=\/data\/a--b\.ndjson$/);
      expect((await get(s.port, '/data/a--b.ndjson')).status).toBe(200);
      writeFileSync(join(run, 'traces', 'other.ndjson'), 'x');
      expect((await get(s.port, '/data/other.ndjson')).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('says what is wrong with a bad root or a missing build', async () => {
    await expect(serveInspector({ root: join(tmp, 'nope'), dist })).rejects.toThrow(/no such file/);
    await expect(serveInspector({ root: `${dist}/assets`, dist })).rejects.toThrow(
      /without index.json/,
    );
    await expect(serveInspector({ dist: join(tmp, 'missing') })).rejects.toThrow(/not built/);
  });
});

describe('serveInspector: file names, unreadable paths, descriptors', () => {
  const names = ['a#b.ndjson', 'what?.ndjson', '100%.ndjson', 'with space.ndjson', 'ünï 😀.ndjson'];
  const folder = join(tmp, 'names');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'index.json'), '{"runs":[]}');
  for (const n of names) writeFileSync(join(folder, n), `trace ${n}\n`);

  it('serves any legal file name, URL-encoded on the way out and decoded on the way in', async () => {
    const s: Server = await serveInspector({ root: folder, dist });
    try {
      for (const n of names) {
        const r = await get(s.port, `/data/${encodeURIComponent(n)}`);
        expect(r, n).toMatchObject({ status: 200, body: `trace ${n}\n` });
      }
    } finally {
      await s.close();
    }
    for (const n of names) {
      const one: Server = await serveInspector({ root: join(folder, n), dist });
      try {
        // What the app does with the printed URL: URLSearchParams decodes the value, fetch sends it.
        const trace = new URL(one.url).searchParams.get('trace')!;
        const r = await get(one.port, trace);
        expect(r, `${n} via ${one.url}`).toMatchObject({ status: 200, body: `trace ${n}\n` });
      } finally {
        await one.close();
      }
    }
  });

  it('answers an unreadable path with a status and a one-line reason', async () => {
    const dir = join(tmp, 'unreadable');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.json'), '{"runs":[]}');
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    const s: Server = await serveInspector({ root: dir, dist });
    try {
      const r = await get(s.port, '/data/loop-a');
      expect(r.status).toBe(500);
      expect(r.body).toBe('cannot read "loop-a": too many symbolic links (ELOOP)\n');
      expect((await get(s.port, '/data/missing.ndjson')).body).toBe('not found\n');
    } finally {
      await s.close();
    }
  });

  it('a file it may not read: 403 and the reason; a root it may not read: refused at start', async () => {
    const base = mkdtempSync(join(tmpdir(), 'inspector-perm-'));
    const dir = join(base, 'data');
    const ownDist = join(base, 'dist');
    mkdirSync(dir);
    mkdirSync(ownDist);
    chmodSync(base, 0o755);
    writeFileSync(join(ownDist, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'index.json'), '{"runs":[]}');
    writeFileSync(join(dir, 'locked.ndjson'), 'secret');
    chmodSync(join(dir, 'locked.ndjson'), 0o000);
    // Root reads any file whatever its mode: then the server runs as `nobody` in a child process.
    const asRoot = process.getuid?.() === 0;
    const child = asRoot
      ? spawn(process.execPath, [SERVER, '--dist', ownDist, dir], { uid: 65534, gid: 65534 })
      : null;
    let port: number;
    let close: () => Promise<void>;
    if (child) {
      let out = '';
      child.stderr!.on('data', (d) => {
        out += d;
      });
      port = await new Promise<number>((ok, fail) => {
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /127\.0\.0\.1:(\d+)/.exec(out);
          if (m) ok(Number(m[1]));
        });
        child.on('exit', (code) => fail(new Error(`server exited ${code}: ${out}`)));
      });
      close = async () => {
        child.kill();
      };
    } else {
      const s: Server = await serveInspector({ root: dir, dist: ownDist });
      port = s.port;
      close = () => s.close();
    }
    try {
      const r = await get(port, '/data/locked.ndjson');
      expect(r.status).toBe(403);
      expect(r.body).toBe('cannot read "locked.ndjson": permission denied (EACCES)\n');
      expect((await get(port, '/data/index.json')).status).toBe(200);
    } finally {
      await close();
    }
    if (!asRoot) {
      await expect(
        serveInspector({ root: join(dir, 'locked.ndjson'), dist: ownDist }),
      ).rejects.toThrow(/cannot read .*locked\.ndjson: permission denied/);
    }
  });

  it('closes every file it opened: thousands of completed and aborted requests leak no descriptor', async () => {
    const dir = join(tmp, 'fds');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.json'), '{"runs":[]}');
    // Big enough that an aborted request leaves the file mid-read.
    writeFileSync(join(dir, 'big.ndjson'), Buffer.alloc(4 * 1024 * 1024, 0x61));
    const s: Server = await serveInspector({ root: dir, dist });
    const agent = new Agent({ keepAlive: false });
    const fds = () => readdirSync('/proc/self/fd').length;
    const abort = () =>
      new Promise<void>((ok, fail) => {
        const req = request(
          { host: '127.0.0.1', port: s.port, path: '/data/big.ndjson', agent },
          (res) => {
            res.once('data', () => {
              req.destroy();
              ok();
            });
          },
        );
        req.on('error', (e) => (req.destroyed ? ok() : fail(e)));
        req.end();
      });
    try {
      await get(s.port, '/data/index.json');
      const before = fds();
      for (let round = 0; round < 20; round++) {
        await Promise.all(Array.from({ length: 50 }, () => get(s.port, '/data/index.json')));
        await Promise.all(Array.from({ length: 50 }, abort));
      }
      // Sockets and files close asynchronously: give them a moment, then count.
      let after = fds();
      for (let i = 0; i < 50 && after > before + 4; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = fds();
      }
      // 1000 completed and 1000 aborted requests; a leak would show as ~1000 more descriptors.
      expect(after).toBeLessThanOrEqual(before + 4);
    } finally {
      agent.destroy();
      await s.close();
    }
  }, 60_000);
});
