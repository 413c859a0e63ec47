/**
 * A budgeted exploration from code, without the CLI: every correct design on two scenarios and a
 * mutant that the explorer must catch: 40 seeds per cell, at most 10 seconds, on two worker threads. The verdict says
 * whether the correct designs held and the mutant was caught; each failure carries its repro.
 */
import assert from 'node:assert/strict';
import { select, verdict } from '@ktls-lab/sim';
import { explore } from '@ktls-lab/sim/node';

const selection = select(
  ['key-update-one-way', 'ticket-between-data'],
  ['linux-ktls', 'rfc-2015', 'mutant-no-freeze-on-key-update'],
);
const outcome = await explore({
  selection,
  strategy: 'random',
  seeds: 40,
  budgetMs: 10_000,
  workers: 2,
});
const v = verdict(outcome.results);
assert.ok(v.ok, `unexpected: ${v.unexpected.map((c) => c.design).join(', ')}`);
const caught = outcome.results.cells.find((c) => c.design.startsWith('mutant') && c.failures > 0);
assert.ok(caught?.first, 'the mutant is caught');
console.log(
  `explore: ${outcome.runs} runs in ${Math.round(outcome.elapsedMs)} ms (${outcome.stoppedBy}); mutant caught: ${caught.first.repro}`,
);
