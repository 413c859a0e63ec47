#!/usr/bin/env node
// Runs a root script on a machine that has only Node 20 and npm: it finds (or installs) the pinned
// pnpm, installs the workspace from the lockfile, then runs `pnpm run <script> [args...]`.
// Used by `npm start` and `npm test`, so both work on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split(
  '@',
)[1];
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/bootstrap.mjs <script> [args...]');
  process.exit(2);
}

const run = (cmd, argv, opts = {}) =>
  spawnSync(cmd, argv, {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    ...opts,
  });
const versionOf = (cmd) => {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};

// pnpm 11+ does not run on Node 20 and pnpm 12 drops `nodedir` for node-gyp; use the pinned 10.x.
// corepack cannot be used here: the registry metadata carries no signatures.
function findPnpm() {
  if (versionOf('pnpm') === pinned) return 'pnpm';
  const local = join(root, '.cache', 'pnpm', 'node_modules', '.bin', 'pnpm');
  if (existsSync(local) && versionOf(local) === pinned) return local;
  console.error(`[bootstrap] installing pnpm@${pinned}`);
  const global = run('npm', ['install', '--global', `pnpm@${pinned}`], { stdio: 'ignore' });
  if (global.status === 0 && versionOf('pnpm') === pinned) return 'pnpm';
  // No write access to the global prefix: keep a private copy inside the checkout (git-ignored).
  const r = run('npm', [
    'install',
    '--no-save',
    '--prefix',
    join(root, '.cache', 'pnpm'),
    `pnpm@${pinned}`,
  ]);
  if (r.status !== 0 || !existsSync(local)) {
    console.error(`[bootstrap] could not install pnpm@${pinned} with npm`);
    process.exit(1);
  }
  return local;
}

const pnpm = findPnpm();
const install = run(pnpm, ['install', '--frozen-lockfile', '--config.confirmModulesPurge=false']);
if (install.status !== 0) process.exit(install.status ?? 1);
const r = run(pnpm, ['run', script, ...args]);
process.exit(r.status ?? 1);
