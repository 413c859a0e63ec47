#!/usr/bin/env node
// Sums the vitest JSON reports every package wrote (the examples write the same shape) (`.test-results/vitest.json`) and prints one
// closing line, "N passed, N failed, N skipped", that CI can read whatever runner made it.
// Exits 1 if any report is missing or has a failure, so a package whose tests did not run fails CI.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const packages = ['packages', 'apps']
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p)))
  .concat([join(root, 'examples')])
  .filter((p) => existsSync(join(p, 'package.json')))
  .filter((p) => JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')).scripts?.test);

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const p of packages) {
  const file = join(p, '.test-results', 'vitest.json');
  if (!existsSync(file)) {
    console.error(`test-summary: no report from ${p} (did its tests run?)`);
    missing++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  console.log(
    `  ${p.slice(root.length + 1).padEnd(24)} ${r.numPassedTests} passed, ${r.numFailedTests} failed`,
  );
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing > 0 || passed === 0 ? 1 : 0);
