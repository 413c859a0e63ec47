#!/usr/bin/env node
/**
 * Benchmark (not a test): the simulator's speed on one thread, this checkout against another
 * commit, in the same run: `ktls-lab bench --json` (random schedules of every design on every
 * scenario of the built-in catalog) alternately from each, several rounds, the medians and their
 * ratio. The other commit is checked out once into .cache/bench-against/<commit> and built there.
 *
 *   node packages/cli/bench/speed.mjs --against <commit> [--rounds 5] [--ms 3000]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const against = arg('against', undefined);
const rounds = Number(arg('rounds', 5));
const ms = Number(arg('ms', 3000));
if (!against) {
  console.error('usage: speed.mjs --against <commit> [--rounds 5] [--ms 3000]');
  process.exit(2);
}

const run = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} in ${cwd}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
};
const commit = run('git', ['rev-parse', against], root);
const other = join(root, '.cache', 'bench-against', commit.slice(0, 12));
if (!existsSync(join(other, 'packages', 'cli', 'bin', 'ktls-lab.js'))) {
  mkdirSync(dirname(other), { recursive: true });
  console.log(`checking out ${commit.slice(0, 12)} into ${other}`);
  run('git', ['worktree', 'add', '--detach', other, commit], root);
}
console.log('building both');
run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], other);
run('pnpm', ['turbo', 'run', 'build', '--filter=@ktls-lab/cli...'], other);
run('pnpm', ['turbo', 'run', 'build', '--filter=@ktls-lab/cli...'], root);

const bench = (dir) =>
  JSON.parse(
    run(
      process.execPath,
      [join(dir, 'packages/cli/bin/ktls-lab.js'), 'bench', '--json', '--budget', `${ms}ms`],
      dir,
    ),
  );
const here = [];
const there = [];
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so warm-up and machine load fall on both alike.
  const pair = i % 2 === 0 ? [root, other] : [other, root];
  for (const dir of pair) (dir === root ? here : there).push(bench(dir));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, xs) =>
  `${name.padEnd(12)} steps/s median ${median(xs.map((x) => x.stepsPerSecond))}  runs/s median ${median(xs.map((x) => x.runsPerSecond))}  (steps/s per round: ${xs.map((x) => x.stepsPerSecond).join(', ')})`;
console.log(row('this', here));
console.log(row(commit.slice(0, 12), there));
const ratio =
  median(here.map((x) => x.stepsPerSecond)) / median(there.map((x) => x.stepsPerSecond));
console.log(
  `steps/s ratio this / ${commit.slice(0, 12)}: ${ratio.toFixed(2)}x (${rounds} rounds of ${ms} ms each, one thread)`,
);
