#!/usr/bin/env node
// Runs every built example (dist/*.js) in its own Node process; each asserts what it shows, so a
// non-zero exit is a failure. Prints one line per example and a summary line CI can read.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const files = readdirSync(dist)
  .filter((f) => f.endsWith('.js'))
  .sort();
let failed = 0;
for (const f of files) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(dist, f)], { encoding: 'utf8' });
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${f} (${Date.now() - t0} ms)`);
  if (!ok) console.log(`${r.stdout}${r.stderr}`.trim().replace(/^/gm, '    '));
}
console.log(`${files.length - failed} passed, ${failed} failed`);
// The counts in the shape scripts/test-summary.mjs reads from every package.
mkdirSync(join(here, '.test-results'), { recursive: true });
writeFileSync(
  join(here, '.test-results', 'vitest.json'),
  JSON.stringify({
    numPassedTests: files.length - failed,
    numFailedTests: failed,
    numPendingTests: 0,
    numTodoTests: 0,
  }),
);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
