#!/usr/bin/env node
/**
 * Benchmark (not a test) of generated scenarios (src/scenario/generate.ts), on the built package:
 * - generation speed, as scenarios per second and as a ratio to the runs per second of the
 *   simulator on the same scenarios in the same process (the baseline);
 * - for each mutant, the first seed s whose scenario gen-s (schedule seed s) catches it;
 * - for each of those failures, its size before and after shrinking (actions, app bytes,
 *   choices), and whether the shrunk repro replays to the same invariant.
 * Prints one JSON object. Usage: node bench/generated.mjs [seeds=1000]
 */
import { performance } from 'node:perf_hooks';
import {
  generateScenario,
  parseRepro,
  replay,
  runSeed,
  SIM_DESIGNS,
  scenarioNamed,
  scenarioSize,
  shrink,
} from '@ktls-lab/sim';

const seeds = Number(process.argv[2] ?? 1000);
const timed = (f) => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};

let scenarios = [];
const generateSeconds = timed(() => {
  scenarios = Array.from({ length: seeds }, (_, i) => generateScenario(i + 1));
});
const linux = SIM_DESIGNS.find((d) => d.name === 'linux-ktls');
const runSeconds = timed(() => {
  for (const [i, s] of scenarios.entries()) runSeed(s, linux, 'random', i + 1);
});

const mutants = SIM_DESIGNS.filter((d) => d.kind === 'mutant').map((design) => {
  for (let s = 1; s <= seeds; s++) {
    const scenario = generateScenario(s);
    const failing = runSeed(scenario, design, 'random', s);
    if (!failing.violation) continue;
    const r = shrink(failing.repro, { maxAttempts: 2000 });
    const shrunk = scenarioNamed(parseRepro(r.shrunk.repro).scenario);
    return {
      mutant: design.name,
      firstSeed: s,
      invariant: failing.violation.invariant,
      before: { ...scenarioSize(scenario), choices: failing.choices.length },
      after: { ...scenarioSize(shrunk), choices: r.shrunk.choices.length },
      shrinkAttempts: r.attempts,
      replays: replay(r.shrunk.repro).violation?.invariant === failing.violation.invariant,
      repro: r.shrunk.repro,
    };
  }
  return { mutant: design.name, firstSeed: null };
});

console.log(
  JSON.stringify(
    {
      seeds,
      scenariosPerSecond: Math.round(seeds / generateSeconds),
      linuxKtlsRunsPerSecond: Math.round(seeds / runSeconds),
      generationVsRunRatio: Number((runSeconds / generateSeconds).toFixed(1)),
      mutants,
    },
    null,
    2,
  ),
);
