#!/usr/bin/env node
/**
 * Benchmark (not a test): the mutation score of the simulator alone. Plausible bugs are written
 * into core's built record layer (the RX and TX machines, record crypto, nonces, the parser,
 * the key-install checks), one at a time; each mutant runs the simulator's correct designs on
 * its scenarios for a fixed number of seeds (bench/mutation-evaluate.mjs), and counts as caught
 * when an invariant is violated or the run throws. Core's own unit tests are not run: this
 * measures what the explorer and its oracle find without being told.
 *
 *   node bench/mutation.mjs [--seeds 20] [--generated 0] [--limit 400] [--jobs 2] [--json out.json]
 *
 * `--generated N` also runs generated scenarios gen-1..gen-N (src/scenario/generate.ts) on every
 * correct design, after the catalog.
 *
 * Mutants are generated, not hand-picked: every site of each operator below in the target
 * files, in file order (a deterministic sample when over --limit). A mutant the baseline's
 * behaviour cannot tell apart (an equivalent mutant) counts as not caught, so the score is a
 * lower bound.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SEEDS = Number(arg('seeds', 20));
const GENERATED = Number(arg('generated', 0));
const LIMIT = Number(arg('limit', 400));
const JOBS = Number(arg('jobs', 2));
const JSON_OUT = arg('json', undefined);
const TIMEOUT_MS = Number(arg('timeout', 120_000));

const require = createRequire(join(here, '..', 'package.json'));
const coreDist = dirname(require.resolve('@ktls-lab/core'));
// Copies live beside core's dist, so they resolve core's own dependencies (valibot, @noble/hashes).
const scratch = join(coreDist, '..', '.mutants');
mkdirSync(scratch, { recursive: true });
const TARGETS = [
  'rx.js',
  'rxRecords.js',
  'tx.js',
  'txRecords.js',
  'recordCrypto.js',
  'nonce.js',
  'parser.js',
  'design.js',
  'requests.js',
  'machine.js',
];

/** Operators: a pattern and what a site becomes. Each match of each pattern is one mutant. */
const OPERATORS = [
  ['===', /===/g, '!=='],
  ['!==', /!==/g, '==='],
  ['<=', /(?<![<>=!])<=/g, '<'],
  ['>=', /(?<![<>=!])>=/g, '>'],
  ['<', /(?<![<>=!-])<(?![<=])/g, '<='],
  ['>', /(?<![<>=!-])>(?![>=])/g, '>='],
  ['&&', /&&/g, '||'],
  ['||', /\|\|/g, '&&'],
  ['+ 1n', /\+ 1n/g, ''],
  ['+= 1n', /\+= 1n/g, '+= 0n'],
  ['+= 1', /\+= 1(?![0-9n])/g, '+= 0'],
  ['true', /\btrue\b/g, 'false'],
  ['false', /\bfalse\b/g, 'true'],
];
/** Statements worth deleting: state updates and effects. */
const DELETABLE =
  /^\s*(d\.[a-zA-Z]+ (=|\+=) [^=].*;|fx\.push\(.*\);|(push|pump|hold|fail|refuse|seal|complete)[A-Za-z]*\(d, fx.*\);)\s*$/;

function mutantsOf(file, text) {
  const lines = text.split('\n');
  const out = [];
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    if (/^\s*(import|export \{|\*|\/\*)/.test(line) || code.trim() === '') return;
    if (/`|'.*(===|<|>).*'/.test(code)) return; // sites inside strings change only messages
    for (const [name, re, to] of OPERATORS) {
      for (const m of code.matchAll(re)) {
        const mutated = line.slice(0, m.index) + to + line.slice(m.index + m[0].length);
        out.push({ file, line: i + 1, op: `${name} → ${to || '∅'}`, mutated });
      }
    }
    if (DELETABLE.test(code)) out.push({ file, line: i + 1, op: 'delete statement', mutated: '' });
  });
  return out;
}

// A target missing from this build (an older layout of the files) has no sites.
const all = TARGETS.filter((f) => existsSync(join(coreDist, f))).flatMap((f) =>
  mutantsOf(f, readFileSync(join(coreDist, f), 'utf8')),
);
// A deterministic sample when over the limit: every k-th mutant.
const step = Math.max(1, Math.ceil(all.length / LIMIT));
const mutants = all.filter((_, i) => i % step === 0);

function evaluate(dir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, 'mutation-evaluate.mjs')], {
      env: {
        ...process.env,
        KTLS_MUTANT_CORE: dir,
        KTLS_MUTANT_SEEDS: String(SEEDS),
        KTLS_MUTANT_GENERATED: String(GENERATED),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        // A mutant that hangs or crashes the process before any verdict: caught (a stuck run).
        resolve({ caught: true, how: 'no verdict (hang or crash)', runs: 0 });
      }
    });
  });
}

const t0 = Date.now();
const base = mkdtempSync(join(scratch, 'base-'));
cpSync(coreDist, base, { recursive: true });
const sanity = await evaluate(base);
rmSync(base, { recursive: true, force: true });
if (sanity.caught) {
  console.error(`the unmutated core already fails: ${sanity.how}`);
  process.exit(1);
}
console.log(
  `mutation score of the simulator alone: ${mutants.length} mutants of ${all.length} sites in core (${TARGETS.length} files), ${SEEDS} seeds × random+PCT × correct designs × scenarios each${GENERATED > 0 ? `, then ${GENERATED} generated scenarios` : ''} (${sanity.runs} runs)`,
);

const results = [];
let next = 0;
async function worker() {
  const dir = mkdtempSync(join(scratch, 'm-'));
  cpSync(coreDist, dir, { recursive: true });
  while (next < mutants.length) {
    const m = mutants[next++];
    const path = join(dir, m.file);
    const original = readFileSync(path, 'utf8');
    const lines = original.split('\n');
    lines[m.line - 1] = m.mutated;
    writeFileSync(path, lines.join('\n'));
    const r = await evaluate(dir);
    writeFileSync(path, original);
    results.push({ ...m, ...r });
    if (results.length % 20 === 0) {
      const caught = results.filter((x) => x.caught).length;
      console.log(`  ${results.length}/${mutants.length}: ${caught} caught`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
await Promise.all(Array.from({ length: JOBS }, worker));

const caught = results.filter((r) => r.caught);
const survived = results
  .filter((r) => !r.caught)
  .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
console.log(
  `caught ${caught.length} / written ${results.length} = ${((100 * caught.length) / results.length).toFixed(1)} % in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
const byFile = new Map();
for (const r of results) {
  const e = byFile.get(r.file) ?? { caught: 0, written: 0 };
  e.written++;
  if (r.caught) e.caught++;
  byFile.set(r.file, e);
}
for (const [f, e] of byFile) console.log(`  ${f.padEnd(18)} ${e.caught}/${e.written}`);
console.log(`survivors (first 40 of ${survived.length}):`);
for (const r of survived.slice(0, 40)) console.log(`  ${r.file}:${r.line} ${r.op}`);
if (JSON_OUT)
  writeFileSync(JSON_OUT, JSON.stringify({ seeds: SEEDS, generated: GENERATED, results }, null, 1));
