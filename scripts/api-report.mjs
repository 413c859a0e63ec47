#!/usr/bin/env node
// The public surface of each library package, as API Extractor sees it in the built typings
// (dist/*.d.ts): a report per entry point, checked in beside the package (packages/core/api/core.api.md,
// packages/core/api/core-node.api.md, packages/sim/api/sim.api.md, and so on). Run by CI,
// this fails when the surface changed and the report was not updated, so a change of the public
// API is seen in review. `--update` rewrites the reports; `--docs DIR` also writes the API
// reference (Markdown, from the same model) into DIR.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const update = argv.includes('--update');
const docsAt = argv.indexOf('--docs');
const docs = docsAt >= 0 ? argv[docsAt + 1] : undefined;
const bin = (name) => join(root, 'node_modules', '.bin', name);

const configs = [];
for (const pkg of ['core', 'sim', 'native', 'node-ktls']) {
  const dir = join(root, 'packages', pkg);
  for (const f of readdirSync(dir))
    if (/^api-extractor(\..+)?\.json$/.test(f)) configs.push(join(dir, f));
}

let failed = 0;
for (const config of configs) {
  const cwd = dirname(config);
  mkdirSync(join(cwd, 'api'), { recursive: true });
  const args = ['run', '--config', config, ...(update ? ['--local'] : [])];
  const r = spawnSync(bin('api-extractor'), args, { cwd, encoding: 'utf8' });
  const name = config.slice(root.length + 1);
  if (r.status === 0) {
    console.log(`[api] ${name}: ${update ? 'report written' : 'report matches'}`);
    continue;
  }
  failed++;
  const out = `${r.stdout}${r.stderr}`;
  const changed = /changed the API signature|report file was missing/i.test(out);
  console.error(
    changed
      ? `[api] ${name}: the public API changed; review it and run \`node scripts/api-report.mjs --update\``
      : `[api] ${name}: API Extractor failed`,
  );
  console.error(
    out
      .split('\n')
      .filter((l) => /rror|arning|changed/.test(l))
      .join('\n'),
  );
}

if (docs && failed === 0) {
  const input = join(root, '.cache', 'api-model');
  rmSync(input, { recursive: true, force: true });
  mkdirSync(input, { recursive: true });
  for (const pkg of ['core', 'sim', 'native', 'node-ktls']) {
    const temp = join(root, 'packages', pkg, '.api-temp');
    if (!existsSync(temp)) continue;
    for (const f of readdirSync(temp))
      if (f.endsWith('.api.json')) {
        spawnSync('cp', [join(temp, f), join(input, f)]);
      }
  }
  const r = spawnSync(bin('api-documenter'), ['markdown', '-i', input, '-o', docs], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(`[api] api-documenter failed:\n${r.stdout}${r.stderr}`);
    failed++;
  } else console.log(`[api] reference written to ${docs} (${readdirSync(docs).length} pages)`);
}
process.exit(failed === 0 ? 0 : 1);
