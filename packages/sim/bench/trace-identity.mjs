#!/usr/bin/env node
/**
 * Check (not a test): one line per run of every design × scenario of a sim build's catalog, for a
 * range of seeds under random and PCT schedules and DFS over the small scenarios, each with the
 * hash of its NDJSON trace, its repro string, verdict and step count. Two builds (before and after
 * a speed change) must print the same lines; `diff` them. Each run is made twice, traced and
 * untraced, and the untraced one must agree with the traced one (the trace flag changes nothing
 * but the events). With `--reverse` the runs go in the opposite order, so a diff against a forward
 * run shows whether a run depends on the runs made before it in the same thread.
 *
 *   node bench/trace-identity.mjs [--sim path/to/sim/dist/index.js] [--seeds 20] [--dfs-runs 150] [--reverse]
 */
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const here = dirname(fileURLToPath(import.meta.url));
const simPath = resolve(arg('sim', join(here, '..', 'dist', 'index.js')));
const seeds = Number(arg('seeds', 20));
const dfsRuns = Number(arg('dfs-runs', 150));
const reverse = process.argv.includes('--reverse');
const only = arg('scenarios', undefined)?.split(',');
const sim = await import(pathToFileURL(simPath).href);

const hash = (s) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const jobs = [];
const scenarios = sim.SCENARIOS.filter((s) => !only || only.includes(s.name));
for (const scenario of scenarios)
  for (const design of sim.SIM_DESIGNS) {
    for (const strategy of ['random', 'pct'])
      for (let seed = 1; seed <= seeds; seed++) jobs.push({ scenario, design, strategy, seed });
    if (scenario.small) jobs.push({ scenario, design, strategy: 'dfs' });
  }
if (reverse) jobs.reverse();

const lines = [];
for (const { scenario, design, strategy, seed } of jobs) {
  if (strategy === 'dfs') {
    const r = sim.exploreDfs(scenario, design, { maxRuns: dfsRuns, trace: true });
    const traces = r.failures.map((f) => hash(sim.traceOf(f))).join(',');
    lines.push(
      `${scenario.name} ${design.name} dfs runs=${r.runs} pruned=${r.pruned} exhaustive=${r.exhaustive} failures=${r.failures.length} ${traces}`,
    );
    continue;
  }
  const traced = sim.runSeed(scenario, design, strategy, seed, { trace: true });
  const plain = sim.runSeed(scenario, design, strategy, seed);
  const v = (o) => `${o.verdict}:${o.violation?.invariant ?? '-'}:${o.steps}:${o.repro}`;
  if (v(traced) !== v(plain))
    throw new Error(`traced and untraced runs differ: ${v(traced)} vs ${v(plain)}`);
  lines.push(`${v(traced)} ${hash(sim.traceOf(traced))}`);
}
lines.sort();
process.stdout.write(`${lines.join('\n')}\n`);
process.stderr.write(`${lines.length} runs, digest ${hash(lines.join('\n'))}\n`);
