/**
 * The simulator as a library: run a scenario against a design from a seed, see a mutant caught,
 * replay its repro string byte for byte, and shrink it to a shorter schedule.
 */
import assert from 'node:assert/strict';
import { findScenario, findSimDesign, replay, runSeed, shrink, traceOf } from '@ktls-lab/sim';

const scenario = findScenario('key-update-one-way');
const correct = findSimDesign('linux-ktls');
const mutant = findSimDesign('mutant-no-freeze-on-key-update');
assert.ok(scenario && correct && mutant);

for (let seed = 1; seed <= 20; seed++) {
  assert.equal(runSeed(scenario, correct, 'random', seed).verdict, 'held');
}
let caught = null;
for (let seed = 1; seed <= 200 && caught === null; seed++) {
  const run = runSeed(scenario, mutant, 'random', seed, { trace: true });
  if (run.verdict === 'violated') caught = run;
}
assert.ok(caught, 'the mutant is caught within 200 seeds');
const again = replay(caught.repro, { trace: true });
assert.equal(traceOf(again), traceOf(caught), 'a repro replays byte for byte');
const { shrunk } = shrink(scenario, mutant, caught);
assert.equal(shrunk.violation?.invariant, caught.violation?.invariant);
assert.ok(shrunk.choices.length <= caught.choices.length);
console.log(
  `sim: mutant caught (invariant ${caught.violation?.invariant}), shrunk from ${caught.choices.length} to ${shrunk.choices.length} choices: ${shrunk.repro}`,
);
