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
//   node vm/tls-cases.mjs --tap <out> --kernel 7.2 --source <tls.c>
//                                                       the C binary's TAP output beside the
//                                                       last run, case by case
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const listPath = join(pkg, 'vm', 'tls-cases.json');
const UNBUILT = /sm4|aria/;

/** Each fixture's variants, in file order. */
export function variantsOf(source) {
  const variants = new Map();
  for (const m of source.matchAll(/^FIXTURE_VARIANT_ADD\((\w+),\s*(\w+)\)/gm)) {
    variants.set(m[1], [...(variants.get(m[1]) ?? []), m[2]]);
  }
  return variants;
}

export function casesOf(source) {
  const variants = variantsOf(source);
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

/**
 * The C binary's verdicts from its TAP output (`ok N fixture.variant.test`, `# SKIP`, `not ok`),
 * under the port's names (`fixture.test[variant]`; `global.x` is the plain TEST `x`).
 */
export function tapVerdicts(tap, variantsByFixture) {
  const out = new Map();
  for (const m of tap.matchAll(/^(not ok|ok) \d+ (\S+)(.*)$/gm)) {
    const parts = m[2].split('.');
    let name;
    if (parts[0] === 'global') name = parts.slice(1).join('.');
    else if (parts.length === 3 && (variantsByFixture.get(parts[0]) ?? []).includes(parts[1]))
      name = `${parts[0]}.${parts[2]}[${parts[1]}]`;
    else name = parts.join('.');
    out.set(name, m[1] === 'not ok' ? 'fail' : /#\s*SKIP/i.test(m[3]) ? 'skip' : 'pass');
  }
  return out;
}

/**
 * Case by case, the C binary's verdict beside the port's: agreeing pairs are pass/pass, and a
 * C failure or skip beside the port's n/a (the port says why); everything else is listed.
 */
export function compareWithC(cases, verdicts, tests) {
  const byName = new Map(tests.map((t) => [t.name, t]));
  const rows = { agree: 0, disagree: [], noC: [] };
  for (const c of cases) {
    const cv = verdicts.get(c);
    const ours = byName.get(c)?.status ?? 'missing';
    if (cv === undefined) rows.noC.push(c);
    else if ((cv === 'pass' && ours === 'pass') || (cv !== 'pass' && ours === 'na')) rows.agree++;
    else rows.disagree.push(`${c}: C ${cv}, port ${ours}`);
  }
  return rows;
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
  const tapAt = args.indexOf('--tap');
  if (tapAt >= 0) {
    // node vm/tls-cases.mjs --tap <C binary output> --kernel 7.2 --source <its tls.c>
    const key = args[args.indexOf('--kernel') + 1];
    const source = readFileSync(args[args.indexOf('--source') + 1], 'utf8');
    const variants = variantsOf(source);
    const lists = JSON.parse(readFileSync(listPath, 'utf8'));
    const k = report.kernels.find((x) => x.suite && x.version.startsWith(`${key}.`));
    const verdicts = tapVerdicts(readFileSync(args[tapAt + 1], 'utf8'), variants);
    const r = compareWithC(lists[key], verdicts, k.suite.tests);
    console.log(
      `${k.version}: ${r.agree} of ${lists[key].length} cases agree with the C binary; ` +
        `${r.disagree.length} disagree, ${r.noC.length} without a C verdict`,
    );
    for (const d of r.disagree) console.log(`  ${d}`);
    if (r.noC.length > 0) {
      const shown = r.noC.slice(0, 20).join(', ');
      console.log(`  no C verdict: ${shown}${r.noC.length > 20 ? `, … (${r.noC.length})` : ''}`);
    }
    return;
  }
  for (const c of portedCounts(report)) {
    console.log(formatCount(c));
    if (c.missing.length > 0) console.log(`  not ported: ${c.missing.join(', ')}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
