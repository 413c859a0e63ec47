import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseDir, ctx, runs } from './context.js';
import { expectClean, inProcess } from './harness.js';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/exitCodes.js';
import { recordBounds } from './fixtures.js';
import { applyEdit, applyTextEdit, hostileText, jsonEdit, textEdit } from './mutate.js';

/** Decodes the two streams given, from files in a fresh directory. */
function decodeStreams(c2s: Uint8Array, s2c: Uint8Array, extra: string[]) {
  const dir = caseDir();
  writeFileSync(join(dir, 'c2s.bin'), c2s);
  writeFileSync(join(dir, 's2c.bin'), s2c);
  const files = ['--c2s', join(dir, 'c2s.bin'), '--s2c', join(dir, 's2c.bin')];
  return inProcess('decode', '--keylog', ctx.session.keylog, ...files, ...extra);
}

/** Captures, their index, the byte streams and key logs (decode). */
export function decodeCases(): void {
  describe('captures and key logs (decode)', () => {
    const copySession = () => {
      const dir = join(caseDir(), 'cap');
      cpSync(ctx.session.dir, dir, { recursive: true });
      return dir;
    };

    it('the whole session decodes: complete, exit 0', async () => {
      const r = await inProcess('decode', '--keylog', ctx.session.keylog, '--dir', ctx.session.dir);
      expectClean('decode whole session', r, { exits: ['ok'] });
      expect(r.stdout).toMatch(/^complete: every record decoded/m);
    });

    it('a damaged index.json is an input error naming index.json', async () => {
      const index = JSON.parse(readFileSync(join(ctx.session.dir, 'index.json'), 'utf8'));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            jsonEdit.map((e) => ({ json: e })),
            textEdit.map((e) => ({ text: e })),
          ),
          async (edit) => {
            const dir = copySession();
            const text =
              'json' in edit
                ? JSON.stringify(applyEdit(index, edit.json))
                : applyTextEdit(JSON.stringify(index, null, 1), edit.text);
            writeFileSync(join(dir, 'index.json'), text);
            const trace = join(dir, 'trace.ndjson');
            const r = await inProcess(
              'decode',
              '--keylog',
              ctx.session.keylog,
              '--dir',
              dir,
              '--trace',
              trace,
            );
            expectClean(`index ${JSON.stringify(edit).slice(0, 200)}`, r, {
              exits: ['ok', 'finding', 'input'],
              outputs: [trace],
            });
            if (r.status === EXIT.input)
              expect(r.stderr).toMatch(/(index\.json|c2s\.bin|s2c\.bin): /);
          },
        ),
        runs(50),
      );
    });

    it('a .bin cut short disagrees with index.json: input error with the byte offset', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('c2s.bin', 's2c.bin'), fc.nat(), async (name, at) => {
          const dir = copySession();
          const bytes = readFileSync(join(dir, name));
          writeFileSync(join(dir, name), bytes.subarray(0, at % bytes.length));
          const r = await inProcess('decode', '--keylog', ctx.session.keylog, '--dir', dir);
          expectClean(`cut ${name} at ${at % bytes.length}`, r, {
            exits: ['input'],
            mentions: [name, /byte \d+: cut off/],
          });
        }),
        runs(16),
      );
    });

    it('streams cut anywhere: data missing (1) inside a record; at a boundary, no close_notify (0, --strict 1)', async () => {
      const c2s = readFileSync(join(ctx.session.dir, 'c2s.bin'));
      const s2c = readFileSync(join(ctx.session.dir, 's2c.bin'));
      const ends = new Set(recordBounds(s2c).map(([, end]) => end));
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: s2c.length - 1 }),
          fc.boolean(),
          async (at, strict) => {
            const r = await decodeStreams(c2s, s2c.subarray(0, at), strict ? ['--strict'] : []);
            if (!ends.has(at)) {
              expectClean(`s2c cut at ${at}`, r, { exits: ['finding'] });
              expect(r.stdout).toMatch(/^data missing: /m);
            } else {
              expectClean(`s2c cut at record end ${at}`, r, { exits: ['ok', 'finding'] });
              // Cut before the keys were known is data missing; after, the session is only unfinished.
              if (/^ended without close_notify/m.test(r.stdout))
                expect(r.status).toBe(strict ? EXIT.finding : EXIT.ok);
              else expect(r.stdout).toMatch(/^data missing: /m);
            }
          },
        ),
        runs(30),
      );
    });

    it('bytes spliced into a stream: never a silent success', async () => {
      const s2c = readFileSync(join(ctx.session.dir, 's2c.bin'));
      const c2s = readFileSync(join(ctx.session.dir, 'c2s.bin'));
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.uint8Array({ minLength: 1, maxLength: 8 }),
          async (at, junk) => {
            const where = at % s2c.length;
            const spliced = Buffer.concat([s2c.subarray(0, where), junk, s2c.subarray(where)]);
            const r = await decodeStreams(c2s, spliced, ['--strict']);
            expectClean(`splice ${junk.length} bytes at ${where}`, r, { exits: ['finding'] });
          },
        ),
        runs(25),
      );
    });

    it('a damaged key log is an input error naming the file and line (any line ends accepted)', async () => {
      const text = readFileSync(ctx.session.keylog, 'utf8');
      await fc.assert(
        fc.asyncProperty(textEdit, async (edit) => {
          const file = join(caseDir(), 'keys.log');
          writeFileSync(file, applyTextEdit(text, edit));
          const r = await inProcess('decode', '--keylog', file, '--dir', ctx.session.dir);
          expectClean(`keylog ${JSON.stringify(edit).slice(0, 200)}`, r, {
            exits: edit.op === 'line-ends' ? ['ok'] : ['ok', 'finding', 'input'],
            mentions: ['keys.log'],
          });
        }),
        runs(40),
      );
    });

    it('tshark follow output that is not: input error', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(hostileText, fc.constantFrom('Node 0: 1.2.3.4', '\tzz', '=========', 'abc')),
            { maxLength: 6 },
          ),
          async (lines) => {
            const file = join(caseDir(), 'follow.txt');
            writeFileSync(file, lines.join('\n'));
            const r = await inProcess('decode', '--keylog', ctx.session.keylog, '--tshark', file);
            expectClean(`tshark ${JSON.stringify(lines)}`, r, {
              exits: ['finding', 'input'],
              mentions: [/follow\.txt: (line \d+: )?not tshark/],
            });
          },
        ),
        runs(15),
      );
    });
  });
}
