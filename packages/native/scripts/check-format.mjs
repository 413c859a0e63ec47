#!/usr/bin/env node
// Checks that the addon's C++ (native/*.cc, native/*.h) is formatted by packages/native/.clang-format
// (`clang-format --dry-run --Werror`); `--write` formats the files in place instead. A missing
// clang-format is a failure, not a skipped check: CI installs it (.ci/run), and on Debian it is
// `apt-get install clang-format`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');
const fail = (message) => {
  console.error(`[native] clang-format check FAILED: ${message}`);
  process.exit(1);
};

// Debian names the versioned binaries clang-format-N; plain `clang-format` is the default one.
const candidates = ['clang-format', ...[19, 18, 17, 16, 15, 14].map((v) => `clang-format-${v}`)];
const tool = candidates
  .map((cmd) => ({ cmd, r: spawnSync(cmd, ['--version'], { encoding: 'utf8' }) }))
  .find(({ r }) => r.status === 0);
if (!tool) {
  fail('clang-format is not installed (Debian: apt-get install clang-format)');
}
const version = tool.r.stdout.match(/version ([\d.]+)/)?.[1] ?? tool.r.stdout.trim();

if (!existsSync(join(pkg, '.clang-format'))) fail('packages/native/.clang-format is missing');
const files = readdirSync(join(pkg, 'native'))
  .filter((f) => /\.(cc|h)$/.test(f))
  .sort()
  .map((f) => `native/${f}`);
if (files.length === 0) fail('no native/*.cc or native/*.h files found');

const args = write ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const r = spawnSync(tool.cmd, ['--style=file', ...args], { cwd: pkg, encoding: 'utf8' });
if (r.status !== 0) {
  process.stderr.write(r.stdout + r.stderr);
  fail(
    write
      ? `${tool.cmd} exited ${r.status}`
      : `native C++ is not formatted; run \`pnpm --filter @ktls-lab/native run format:cc\``,
  );
}
console.log(
  `[native] clang-format ${version}: ${files.length} files ${write ? 'formatted' : 'clean'}`,
);
