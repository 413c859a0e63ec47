#!/usr/bin/env node
// Builds the addon with the node-gyp that pnpm bundles, against the running Node's own headers, so
// nothing is downloaded (pnpm 12 drops `nodedir`; a HOME without
// ~/.npmrc makes node-gyp fetch headers and fail offline). Skips the build when the .node file is
// newer than every source, so `pnpm install` stays fast.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.platform !== 'linux') {
  console.log('[native] not Linux: the addon is not built (the package reports it as unavailable)');
  process.exit(0);
}
const out = join(pkg, 'build', 'Release', 'ktls_native.node');
const sources = ['native/addon.cc', 'binding.gyp'].map((f) => join(pkg, f));
if (
  !process.argv.includes('--force') &&
  existsSync(out) &&
  sources.every((s) => statSync(s).mtimeMs <= statSync(out).mtimeMs)
) {
  console.log('[native] addon up to date');
  process.exit(0);
}
const prefix = resolve(process.execPath, '..', '..');
const args = ['rebuild'];
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
// pnpm puts its bundled node-gyp on PATH for scripts and names it in npm_config_node_gyp; run by
// hand (`node scripts/build-addon.mjs`), fall back to the copies bundled with pnpm or npm.
function findNodeGyp() {
  const env = process.env.npm_config_node_gyp;
  if (env && existsSync(env)) return [process.execPath, env];
  const onPath = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' });
  if (onPath.status === 0) return ['node-gyp'];
  for (const tool of ['pnpm', 'npm']) {
    const w = spawnSync('sh', ['-c', `readlink -f "$(command -v ${tool})"`], { encoding: 'utf8' });
    const bin = w.stdout.trim();
    if (!bin) continue;
    for (const rel of [
      '../dist/node_modules/node-gyp/bin/node-gyp.js',
      '../node_modules/node-gyp/bin/node-gyp.js',
    ]) {
      const js = resolve(dirname(bin), rel);
      if (existsSync(js)) return [process.execPath, js];
    }
  }
  return ['node-gyp'];
}
const [cmd, ...pre] = findNodeGyp();
const r = spawnSync(cmd, [...pre, ...args], { cwd: pkg, stdio: 'inherit' });
if (r.error) console.error(`[native] could not run node-gyp: ${r.error.message}`);
if (r.status !== 0) {
  // A failed build must not break `pnpm install` for the whole workspace: the loader reports the
  // addon as unavailable and the package's tests fail on it ("the addon loads"), which is where it
  // shows. KTLS_NATIVE_STRICT=1 makes the install fail instead.
  console.error('[native] addon build FAILED; @ktls-lab/native will report load-failed');
  process.exit(process.env.KTLS_NATIVE_STRICT === '1' ? (r.status ?? 1) : 0);
}
