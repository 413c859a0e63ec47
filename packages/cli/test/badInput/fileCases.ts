import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseDir, ctx, runs } from './context.js';
import { expectClean, inProcess } from './harness.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrace } from '@ktls-lab/core';
import { EXIT } from '../../src/exitCodes.js';
import { applyEdit, applyTextEdit, jsonEdit, textEdit } from './mutate.js';

/** Traces (export), results files (merge), and output paths that are not files. */
export function fileCases(): void {
  describe('traces (export)', () => {
    it('a damaged trace is an input error naming the file and line; no --out is left', async () => {
      const text = readFileSync(ctx.run.trace, 'utf8');
      await fc.assert(
        fc.asyncProperty(textEdit, fc.boolean(), async (edit, toFile) => {
          const dir = caseDir();
          const file = join(dir, 'trace.ndjson');
          const damaged = applyTextEdit(text, edit);
          writeFileSync(file, damaged);
          const out = join(dir, 'perfetto.json');
          const r = await inProcess('export', file, ...(toFile ? ['--out', out] : []));
          const valid = parseTrace(damaged).ok;
          expectClean(`export ${JSON.stringify(edit).slice(0, 200)}`, r, {
            exits: valid ? ['ok'] : ['input'],
            outputs: [out],
            mentions: ['trace.ndjson'],
          });
        }),
        runs(60),
      );
    });
  });

  describe('results files (merge)', () => {
    const doc = () => JSON.parse(readFileSync(ctx.run.results, 'utf8'));
    it('a garbage cell or field is an input error with its JSON path; no --out is left', async () => {
      await fc.assert(
        fc.asyncProperty(jsonEdit, async (edit) => {
          const dir = caseDir();
          const file = join(dir, 'results.json');
          writeFileSync(file, JSON.stringify(applyEdit(doc(), edit)));
          const out = join(dir, 'merged.json');
          const r = await inProcess('merge', ctx.run.results, file, '--out', out);
          expectClean(`merge ${JSON.stringify(edit).slice(0, 200)}`, r, {
            exits: ['ok', 'finding', 'input'],
            outputs: [out],
            mentions: ['results.json'],
          });
          if (r.status === EXIT.input)
            expect(r.stderr).toMatch(
              /results\.json: (at [\w.]+: |line \d+, column \d+: |byte \d+: |empty|expected )/,
            );
        }),
        runs(70),
      );
    });

    it('a damaged results text is an input error with line and column', async () => {
      const text = readFileSync(ctx.run.results, 'utf8');
      await fc.assert(
        fc.asyncProperty(textEdit, async (edit) => {
          const file = join(caseDir(), 'results.json');
          writeFileSync(file, applyTextEdit(text, edit));
          const r = await inProcess('merge', file);
          expectClean(`merge text ${JSON.stringify(edit).slice(0, 200)}`, r, {
            exits: ['ok', 'finding', 'input'],
            mentions: ['results.json'],
          });
        }),
        runs(30),
      );
    });
  });

  describe('output paths', () => {
    const TARGETS: readonly [string, () => string][] = [
      ['a directory', () => caseDir()],
      ['under /proc', () => '/proc/self/status'],
      ['a /proc file that blocks', () => '/proc/self/fd/0'],
      ['a device', () => '/dev/full'],
      ['under /sys', () => '/sys/kernel/ktls-lab-test'],
      ['below a file', () => join(ctx.run.results, 'x.json')],
    ];
    const COMMANDS: readonly [string, (out: string) => string[]][] = [
      ['export --out', (out) => ['export', ctx.run.trace, '--out', out]],
      ['merge --out', (out) => ['merge', ctx.run.results, '--out', out]],
      ['replay --trace', (out) => ['replay', ctx.run.repro, '--trace', out]],
      ['shrink --trace', (out) => ['shrink', ctx.run.repro, '--trace', out, '--max-attempts', '5']],
      [
        'decode --trace',
        (out) => [
          'decode',
          '--keylog',
          ctx.session.keylog,
          '--dir',
          ctx.session.dir,
          '--trace',
          out,
        ],
      ],
      ['explore --out', (out) => ['explore', '--seeds', '1', '--workers', '1', '--out', out]],
      ['kernel run --trace', (out) => ['kernel', 'run', 'bulk-both-ways', '--trace', out]],
    ];
    for (const [command, args] of COMMANDS) {
      for (const [target, path] of TARGETS) {
        if (command === 'explore --out' && target === 'a directory') continue; // a folder is right there
        it(`${command} ${target}: refused before any work, nothing written`, async () => {
          const out = path();
          const r = await inProcess(...args(out));
          expectClean(`${command} ${out}`, r, { exits: ['usage', 'environment'] });
          if (target === 'a directory') expect(r.stderr).toMatch(/is a directory/);
        });
      }
    }
  });
}
