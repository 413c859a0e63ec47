// One mutant, in its own process: @ktls-lab/core resolves to the mutated copy named by
// KTLS_MUTANT_CORE (see the resolve hook registered below), then every correct design runs every
// scenario for a fixed number of random and PCT seeds. Prints one JSON line: caught or not, by
// which invariant or exception, after how many runs.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const core = process.env.KTLS_MUTANT_CORE;
const seeds = Number(process.env.KTLS_MUTANT_SEEDS ?? 20);
const generated = Number(process.env.KTLS_MUTANT_GENERATED ?? 0);
if (core) {
  const target = pathToFileURL(`${core}/index.js`).href;
  const hook = `export async function resolve(s, c, next) {
    if (s === '@ktls-lab/core') return { url: ${JSON.stringify(target)}, shortCircuit: true };
    return next(s, c);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
const sim = await import('@ktls-lab/sim');
let runs = 0;
const result = (caught, how) => {
  process.stdout.write(`${JSON.stringify({ caught, how, runs })}\n`);
  process.exit(0);
};
try {
  for (let seed = 1; seed <= seeds; seed++) {
    for (const design of sim.SIM_DESIGNS.filter((d) => d.kind === 'correct')) {
      for (const scenario of sim.SCENARIOS) {
        for (const strategy of ['random', 'pct']) {
          runs++;
          const o = sim.runSeed(scenario, design, strategy, seed);
          if (o.violation) {
            result(true, `invariant ${o.violation.invariant} (${design.name} × ${scenario.name})`);
          }
        }
      }
    }
  }
  // Then generated scenarios: gen-s under schedule seed s (src/scenario/generate.ts).
  for (let seed = 1; seed <= generated; seed++) {
    const scenario = sim.generateScenario(seed);
    for (const design of sim.SIM_DESIGNS.filter((d) => d.kind === 'correct')) {
      runs++;
      const o = sim.runSeed(scenario, design, 'random', seed);
      if (o.violation) {
        result(true, `invariant ${o.violation.invariant} (${design.name} × ${scenario.name})`);
      }
    }
  }
} catch (e) {
  result(true, `exception: ${String(e?.message ?? e).slice(0, 80)}`);
}
result(false, null);
