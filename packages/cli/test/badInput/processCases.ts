import { describe, expect, it } from 'vitest';
import { caseDir, ctx } from './context.js';
import { expectClean, inProcess } from './harness.js';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { EXIT } from '../../src/exitCodes.js';
import { spawned, tally } from './harness.js';

/** Capture against a refused port and a busy one, signals, a closed pipe, and one case per command through the real binary. */
export function processCases(): void {
  describe('capture', () => {
    it('a refused connection is not a success (exit 1)', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const dead = (closed.address() as { port: number }).port;
      await new Promise((r) => closed.close(r));
      const out = join(caseDir(), 'cap');
      const pending = inProcess(
        'capture',
        '--listen',
        '127.0.0.1:0',
        '--connect',
        `127.0.0.1:${dead}`,
        '--out',
        out,
      );
      // The relay's port is on stderr, which inProcess captures: find it from the listening socket.
      let port = 0;
      for (let i = 0; i < 100 && port === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const handles = (
          process as unknown as { _getActiveHandles(): unknown[] }
        )._getActiveHandles();
        for (const h of handles) {
          const a = (h as { address?: () => unknown }).address?.();
          if (
            h instanceof Object &&
            h.constructor.name === 'Server' &&
            a &&
            typeof a === 'object' &&
            'port' in a &&
            (a as { port: number }).port !== dead
          )
            port = (a as { port: number }).port;
        }
      }
      expect(port).toBeGreaterThan(0);
      const client = tcpConnect(port, '127.0.0.1');
      client.on('error', () => {});
      const r = await pending;
      client.destroy();
      expectClean('capture refused', r, { exits: ['finding'] });
      expect(r.stdout).toMatch(/ECONNREFUSED/);
    });

    it('a --listen port in use is an environment error (exit 5)', async () => {
      const busy = createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
      const port = (busy.address() as { port: number }).port;
      const r = await inProcess(
        'capture',
        '--listen',
        `127.0.0.1:${port}`,
        '--connect',
        '127.0.0.1:1',
        '--out',
        caseDir(),
      );
      busy.close();
      expectClean('capture busy port', r, { exits: ['environment'], mentions: ['EADDRINUSE'] });
    });
  });

  describe('inspect', () => {
    it('a --port in use is an environment error (exit 5)', async () => {
      const busy = createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
      const port = (busy.address() as { port: number }).port;
      const r = await inProcess('inspect', '--port', String(port));
      busy.close();
      expectClean('inspect busy port', r, { exits: ['environment'], mentions: ['EADDRINUSE'] });
    });
  });

  describe('signals and pipes (the real binary)', () => {
    it('SIGTERM during explore writes the failures found and exits 130', async () => {
      const out = join(caseDir(), 'run');
      const child = spawn(
        process.execPath,
        [
          join(import.meta.dirname, '..', '..', 'bin', 'ktls-lab.js'),
          'explore',
          '--design',
          'mutant-completion-order-delivery,linux-ktls',
          '--budget',
          '60s',
          '--workers',
          '1',
          '--keep-going',
          '--out',
          out,
        ],
        { env: { ...process.env, NO_COLOR: '1' } },
      );
      tally.cases.set('explore', (tally.cases.get('explore') ?? 0) + 1);
      tally.spawned++;
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.stdout.resume();
      const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await new Promise((r) => setTimeout(r, 2500));
      child.kill('SIGTERM');
      const code = await exit;
      expect(code, stderr).toBe(EXIT.interrupted);
      expect(stderr).not.toMatch(/^\s+at /m);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      const mutant = results.cells.filter(
        (c: { design: string; failures: number }) =>
          c.design === 'mutant-completion-order-delivery',
      );
      expect(mutant.some((c: { failures: number }) => c.failures > 0)).toBe(true);
      expect(stderr).toMatch(/explore: interrupted after \d+ runs/);
      // The index says so: a partial run's verdict is not a success.
      const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
      expect(index).toMatchObject({ interrupted: true, verdict: { ok: false } });
      expect(index.verdict.summary).toMatch(/^interrupted before the end: /);
    }, 60_000);

    it('export | head: the reader leaving (EPIPE) ends quietly', async () => {
      const big = join(caseDir(), 'big.ndjson');
      const lines = readFileSync(ctx.run.trace, 'utf8').trimEnd().split('\n');
      writeFileSync(
        big,
        `${[lines[0], ...Array.from({ length: 300 }, () => lines.slice(1)).flat()].join('\n')}\n`,
      );
      const child = spawn(process.execPath, [
        join(import.meta.dirname, '..', '..', 'bin', 'ktls-lab.js'),
        'export',
        big,
      ]);
      tally.cases.set('export', (tally.cases.get('export') ?? 0) + 1);
      tally.spawned++;
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(stderr).toBe('');
      expect(code).toBe(EXIT.ok);
    });

    it('one representative case per command through the real binary', () => {
      const dir = caseDir();
      writeFileSync(
        join(dir, 'cr.log'),
        readFileSync(ctx.session.keylog, 'utf8').replace(/\n/g, '\r'),
      );
      writeFileSync(join(dir, 'deep.ndjson'), `${'['.repeat(100_000)}\n`);
      const results = JSON.parse(readFileSync(ctx.run.results, 'utf8'));
      results.cells[0].runs = '\u001b[31mred';
      writeFileSync(join(dir, 'garbage.json'), JSON.stringify(results));
      const short = join(dir, 'short');
      cpSync(ctx.session.dir, short, { recursive: true });
      const c2s = readFileSync(join(short, 'c2s.bin'));
      writeFileSync(join(short, 'c2s.bin'), c2s.subarray(0, c2s.length - 3));
      const CASES: readonly [string[], Parameters<typeof expectClean>[2]][] = [
        [['list', '--jsn'], { exits: ['usage'] }],
        [['explore', '--budget', '0.0001ms'], { exits: ['usage'], mentions: ['at least 10ms'] }],
        [
          ['replay', ctx.run.repro.slice(0, -2)],
          { exits: ['usage'], mentions: ['cut off or changed'] },
        ],
        [['shrink', 'ktls1:\u001b[2J:x:random:1:'], { exits: ['usage'] }],
        [
          ['merge', join(dir, 'garbage.json')],
          { exits: ['input'], mentions: [/garbage\.json: at cells\.0\.runs: /] },
        ],
        [['export', join(dir, 'deep.ndjson')], { exits: ['input'], mentions: ['deep.ndjson'] }],
        [['bench', '--seeds', 'x'], { exits: ['usage'] }],
        [['inspect', join(dir, 'missing')], { exits: ['usage'] }],
        [
          ['capture', '--listen', 'nowhere', '--connect', '127.0.0.1:1', '--out', dir],
          { exits: ['usage'] },
        ],
        [['decode', '--keylog', join(dir, 'cr.log'), '--dir', ctx.session.dir], { exits: ['ok'] }],
        [
          ['decode', '--keylog', ctx.session.keylog, '--dir', short],
          { exits: ['input'], mentions: [/c2s\.bin: byte \d+: cut off/] },
        ],
        [['probe', '--bogus'], { exits: ['usage'] }],
        [['kernel', 'run', 'no-such-scenario'], { exits: ['usage'] }],
      ];
      for (const [args, e] of CASES) expectClean(args.join(' '), spawned(...args), e);
      expect(existsSync(join(dir, 'missing'))).toBe(false);
    });
  });

  describe('explore whose --out fails mid-write', () => {
    it('still reports every failure found, then the write error (one line)', async () => {
      const out = join(caseDir(), 'run');
      // index.json is written after results.json: a directory in its place fails that write.
      mkdirSync(join(out, 'index.json'), { recursive: true });
      const r = await inProcess(
        'explore',
        '--scenario',
        'async-depth-8-control-behind-data',
        '--design',
        'mutant-completion-order-delivery',
        '--seeds',
        '5',
        '--workers',
        '1',
        '--no-shrink',
        '--out',
        out,
      );
      expectClean('explore --out with index.json a directory', r, {
        exits: ['usage'],
        mentions: [/index\.json.*is a directory/],
      });
      expect(r.stdout).toMatch(
        /^\s+ktls1:async-depth-8-control-behind-data:mutant-completion-order-delivery:/m,
      );
      expect(r.stdout).not.toMatch(/^wrote /m);
    });
  });
}
