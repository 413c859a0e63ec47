#!/usr/bin/env node
// Playwright here drives Debian's Chromium (never `playwright install`, which downloads and fails
// offline). Installs it with apt when it is missing and we are root; otherwise says what to do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);
if (process.env.CHROMIUM_PATH) {
  console.error(`ensure-chromium: CHROMIUM_PATH=${path} does not exist`);
  process.exit(1);
}
if (process.getuid?.() !== 0) {
  console.error(
    'ensure-chromium: /usr/bin/chromium is missing; install it: sudo apt-get install -y chromium',
  );
  process.exit(1);
}
console.log('ensure-chromium: installing Debian chromium (about a minute)…');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
  stdio: 'inherit',
  env,
});
if (!existsSync(path)) {
  console.error(`ensure-chromium: apt-get finished but ${path} is still missing`);
  process.exit(1);
}
