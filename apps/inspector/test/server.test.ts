// @vitest-environment node
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveInspector } from '../server.mjs';

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
