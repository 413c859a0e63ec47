#!/usr/bin/env node
// Builds the addon with the node-gyp that pnpm bundles, against the running Node's own headers, so
// nothing is downloaded: without `--nodedir` (which pnpm 12 no longer passes through from an
// .npmrc `nodedir`) and with a HOME that has no ~/.npmrc, node-gyp fetches the headers and fails
// offline. Skips the build when the .node file is newer than every source, so `pnpm install` stays
// fast.
//
// node-gyp's output (pages of gyp and make lines) is captured: a build that succeeds prints one
// line, plus the compiler's warnings if there are any; a build that fails prints all of it. `--verbose`
// (or KTLS_NATIVE_VERBOSE=1) streams it as before.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.platform !== 'linux') {
  console.log('[native] not Linux: the addon is not built (the package reports it as unavailable)');
  process.exit(0);
}
const out = join(pkg, 'build', 'Release', 'ktls_native.node');
const sources = [
  'binding.gyp',
  ...readdirSync(join(pkg, 'native'))
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => `native/${f}`),
].map((f) => join(pkg, f));
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

// Runs node-gyp with stdout and stderr captured into one buffer, in the order they arrive.
function run(cmd, argv, verbose) {
  return new Promise((done) => {
    const chunks = [];
    const child = spawn(cmd, argv, {
      cwd: pkg,
      stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c) => chunks.push(c));
    child.stderr?.on('data', (c) => chunks.push(c));
    child.on('error', (error) => done({ status: null, error, output: Buffer.concat(chunks) }));
    child.on('close', (status) => done({ status, output: Buffer.concat(chunks) }));
  });
}

const verbose = process.argv.includes('--verbose') || process.env.KTLS_NATIVE_VERBOSE === '1';
const [cmd, ...pre] = findNodeGyp();
const started = Date.now();
const r = await run(cmd, [...pre, ...args], verbose);
const secs = ((Date.now() - started) / 1000).toFixed(1);
const output = r.output.toString('utf8');
if (r.status === 0) {
  const warnings = output.split('\n').filter((l) => /: warning: /.test(l));
  console.log(
    `[native] built ktls_native.node in ${secs} s` +
      (warnings.length > 0 ? ` with ${warnings.length} compiler warning(s):` : ''),
  );
  for (const w of warnings) console.log(`  ${w}`);
  process.exit(0);
}
if (output) process.stderr.write(output.endsWith('\n') ? output : `${output}\n`);
if (r.error) console.error(`[native] could not run node-gyp: ${r.error.message}`);
console.error(
  `[native] addon build FAILED after ${secs} s (node-gyp ${r.status === null ? 'did not run' : `exited ${r.status}`}); @ktls-lab/native will report load-failed`,
);
// Run by hand or by the VM harness, a failed build exits non-zero. Run as the package's `install`
// script it must not break `pnpm install` for the whole workspace: the loader reports the addon as
// unavailable and the package's tests fail on it ("the addon loads"), which is where it shows.
// KTLS_NATIVE_STRICT=1 makes the install fail too.
const asInstallScript = process.env.npm_lifecycle_event === 'install';
process.exit(!asInstallScript || process.env.KTLS_NATIVE_STRICT === '1' ? (r.status ?? 1) : 0);
