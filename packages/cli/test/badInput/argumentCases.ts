import fc from 'fast-check';
import { describe, it } from 'vitest';
import { caseDir, ctx, runs } from './context.js';
import { expectClean, inProcess } from './harness.js';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { SCENARIOS, SIM_DESIGNS } from '@ktls-lab/sim';
import { applyTextEdit, hostileText, textEdit } from './mutate.js';

/** Options with values no option accepts, unknown names, repro strings cut short, repro files changed. */
export function argumentCases(): void {
  const NAMES = new Set([...SCENARIOS.map((s) => s.name), ...SIM_DESIGNS.map((d) => d.name)]);
  /** Option values no option accepts: not a number, a name, or a duration. */
  const badValue = fc.oneof(
    hostileText.filter((s) => !/^\s*[\d.]/.test(s) && !NAMES.has(s.trim())),
    fc.constantFrom(
      '0',
      '-1',
      '1.5',
      '0.0001ms',
      '1e9',
      '',
      '99999999999999999999',
      '2/2',
      '-1/3',
      '65536',
      'NaN',
      '9ms',
      '8d',
    ),
  );
  const badName = hostileText.filter((s) =>
    s.split(',').some((t) => t.trim() !== '' && !NAMES.has(t.trim())),
  );

  describe('arguments and options', () => {
    const SAFE = ['--seeds', '1', '--workers', '1', '--no-shrink'];
    const FLAGS: readonly [string, (v: string) => string[]][] = [
      ['explore --seeds', (v) => ['explore', '--workers', '1', '--seeds', v]],
      ['explore --budget', (v) => ['explore', '--workers', '1', '--budget', v]],
      ['explore --shrink-budget', (v) => ['explore', ...SAFE, '--shrink-budget', v]],
      ['explore --workers', (v) => ['explore', '--seeds', '1', '--workers', v]],
      ['explore --shard', (v) => ['explore', ...SAFE, '--shard', v]],
      ['explore --strategy', (v) => ['explore', ...SAFE, '--strategy', v]],
      ['explore --max-attempts', (v) => ['explore', ...SAFE, '--max-attempts', v]],
      ['explore --scenario', (v) => ['explore', ...SAFE, '--scenario', `x${v}`]],
      ['bench --seeds', (v) => ['bench', '--seeds', v]],
      ['bench --budget', (v) => ['bench', '--seeds', '1', '--budget', v]],
      ['bench <what>', (v) => ['bench', `x${v}`, '--seeds', '1']],
      ['inspect --port', (v) => ['inspect', '--port', v]],
      [
        'capture --max-bytes',
        (v) => [
          'capture',
          '--listen',
          '127.0.0.1:0',
          '--connect',
          '127.0.0.1:1',
          '--out',
          ctx.work,
          '--max-bytes',
          v,
        ],
      ],
      [
        'capture --listen',
        (v) => ['capture', '--listen', v, '--connect', '127.0.0.1:1', '--out', ctx.work],
      ],
      [
        'capture --connect',
        (v) => ['capture', '--listen', '127.0.0.1:0', '--connect', v, '--out', ctx.work],
      ],
      ['export --format', (v) => ['export', ctx.run.trace, '--format', v]],
      ['list --<garbage>', (v) => ['list', `--x${v}`]],
      ['probe --<garbage>', (v) => ['probe', `--x${v}`]],
      ['kernel run <scenario>', (v) => ['kernel', 'run', `x${v}`]],
    ];
    for (const [what, args] of FLAGS) {
      it(`${what}: a bad value is a usage error`, async () => {
        await fc.assert(
          fc.asyncProperty(badValue, async (v) => {
            expectClean(`${what} ${JSON.stringify(v)}`, await inProcess(...args(v)), {
              exits: ['usage'],
            });
          }),
          runs(6),
        );
      });
    }

    it('explore --design / --scenario with unknown names: usage error, names escaped', async () => {
      await fc.assert(
        fc.asyncProperty(badName, fc.boolean(), async (name, design) => {
          const r = await inProcess('explore', ...SAFE, design ? '--design' : '--scenario', name);
          expectClean(`explore name ${JSON.stringify(name)}`, r, { exits: ['usage'] });
        }),
        runs(12),
      );
    });

    it('replay and shrink: every cut of a repro string is refused, never run', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: ctx.run.repro.length - 1 }),
          fc.boolean(),
          async (cut, shrink) => {
            const r = await inProcess(shrink ? 'shrink' : 'replay', ctx.run.repro.slice(0, cut));
            expectClean(`cut repro at ${cut}`, r, { exits: ['usage'] });
          },
        ),
        runs(30),
      );
    });

    it('replay of a repro file that was changed is an input error naming the file', async () => {
      await fc.assert(
        fc.asyncProperty(textEdit, async (edit) => {
          const file = join(caseDir(), 'repro.txt');
          const text = applyTextEdit(`${ctx.run.repro}\n`, edit);
          writeFileSync(file, text);
          const r = await inProcess('replay', file);
          const same = text.trim() === ctx.run.repro;
          expectClean(`repro file ${JSON.stringify(edit)}`, r, {
            exits: same ? ['ok', 'finding'] : ['input', 'usage'],
            mentions: ['repro.txt'],
          });
        }),
        runs(20),
      );
    });
  });
}
