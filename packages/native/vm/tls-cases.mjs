#!/usr/bin/env node
// The port's count against the kernel's own tls.c (docs/kernel-tls.md §10). tls.c's cases are
// every TEST_F of a fixture times that fixture's variants, plus the plain TEST()s; the SM4 and
// ARIA variants are left out, since Debian builds neither cipher and the C binary cannot run them
// either (docs/vm-harness.md §7).
//
//   node vm/tls-cases.mjs --from <tls.c> --kernel 6.1   record that kernel's case list in
//                                                       vm/tls-cases.json (from Debian's
//                                                       linux-source-<kernel> package)
//   node vm/tls-cases.mjs                               per kernel of the last run
//                                                       (.test-results/kernel.json): cases,
//                                                       ported, pass / fail / n/a, what is missing
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const listPath = join(pkg, 'vm', 'tls-cases.json');
const UNBUILT = /sm4|aria/;

export function casesOf(source) {
  const variants = new Map();
  for (const m of source.matchAll(/^FIXTURE_VARIANT_ADD\((\w+),\s*(\w+)\)/gm)) {
    variants.set(m[1], [...(variants.get(m[1]) ?? []), m[2]]);
  }
  const cases = [];
  for (const m of source.matchAll(/^TEST_F\((\w+),\s*(\w+)\)|^TEST\((\w+)\)/gm)) {
    if (m[3] !== undefined) {
      cases.push(m[3]);
      continue;
    }
    const vs = variants.get(m[1]);
    if (vs === undefined) cases.push(`${m[1]}.${m[2]}`);
    else for (const v of vs) if (!UNBUILT.test(v)) cases.push(`${m[1]}.${m[2]}[${v}]`);
  }
  return cases;
}

/** Per kernel of a run: its tls.c case list, the cases with a row, their verdicts, the missing. */
export function portedCounts(report, lists = JSON.parse(readFileSync(listPath, 'utf8'))) {
  const out = [];
  for (const k of report.kernels.filter((x) => x.suite)) {
    const key = Object.keys(lists).find((v) => k.version.startsWith(`${v}.`));
    if (key === undefined) continue;
    const byName = new Map(k.suite.tests.map((t) => [t.name, t]));
    const ported = lists[key].filter((c) => byName.has(c));
    const count = (s) => ported.filter((c) => byName.get(c).status === s).length;
    out.push({
      version: k.version,
      cases: lists[key].length,
      ported: ported.length,
      pass: count('pass'),
      fail: count('fail'),
      na: count('na'),
      missing: lists[key].filter((c) => !byName.has(c)),
    });
  }
  return out;
}

export function formatCount(c) {
  const pct = ((100 * c.ported) / c.cases).toFixed(1);
  return (
    `${c.version}: ${c.ported} of ${c.cases} tls.c cases ported (${pct} %): ` +
    `${c.pass} pass, ${c.fail} fail, ${c.na} n/a`
  );
}

function main() {
  const args = process.argv.slice(2);
  const from = args.indexOf('--from');
  if (from >= 0) {
    const kernel = args[args.indexOf('--kernel') + 1];
    const lists = existsSync(listPath) ? JSON.parse(readFileSync(listPath, 'utf8')) : {};
    lists[kernel] = casesOf(readFileSync(args[from + 1], 'utf8'));
    writeFileSync(listPath, `${JSON.stringify(lists, null, 1)}\n`);
    console.log(`${kernel}: ${lists[kernel].length} cases`);
    return;
  }
  const report = JSON.parse(readFileSync(join(pkg, '.test-results', 'kernel.json'), 'utf8'));
  for (const c of portedCounts(report)) {
    console.log(formatCount(c));
    if (c.missing.length > 0) console.log(`  not ported: ${c.missing.join(', ')}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
