#!/usr/bin/env node
/**
 * Writes the end-to-end fixtures into e2e/fixtures/: traces from the real simulator (a failing
 * mutant and the correct design on the same seed), a run folder in the layout of
 * `ktls-lab explore --out`, and bad traces of every kind the inspector must explain.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeTrace } from '@ktls-lab/core';
import { findScenario, findSimDesign, runSeed, traceOf } from '@ktls-lab/sim';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'fixtures');
rmSync(out, { recursive: true, force: true });
// The fixtures folder is itself a run folder (index.json + traces/), so one server serves all.
mkdirSync(join(out, 'traces'), { recursive: true });

const SCENARIO = 'key-update-one-way';
const MUTANT = 'mutant-no-freeze-on-key-update';
const scenario = findScenario(SCENARIO);

/** The first seed on which the mutant is caught. */
function firstFailingSeed(designName) {
  const design = findSimDesign(designName);
  for (let seed = 1; seed < 500; seed++) {
    const o = runSeed(scenario, design, 'random', seed, { trace: true });
    if (o.verdict === 'violated') return o;
  }
  throw new Error(`${designName} is never caught on ${SCENARIO}`);
}

const mutant = firstFailingSeed(MUTANT);
const correct = runSeed(scenario, findSimDesign('linux-ktls'), 'random', mutant.seed, {
  trace: true,
});
const mutantText = traceOf(mutant);
const correctText = traceOf(correct);
writeFileSync(join(out, 'mutant.ndjson'), mutantText);
writeFileSync(join(out, 'correct.ndjson'), correctText);

// A run folder as `ktls-lab explore --out` writes it.
const other = firstFailingSeed('mutant-rekey-without-sequence-reset');
const entry = (o, kind) => ({
  design: o.design,
  scenario: o.scenario,
  kind,
  verdict: o.verdict,
  runs: 10,
  failures: o.verdict === 'violated' ? 1 : 0,
  repro: o.verdict === 'violated' ? o.repro : null,
  invariant: o.violation?.invariant ?? null,
  invariantName: o.violation?.name ?? null,
  message: o.violation?.message ?? null,
  steps: o.verdict === 'violated' ? o.steps : null,
  choices: o.verdict === 'violated' ? o.choices.length : null,
  shrunk: false,
  traceHash: null,
  trace: o.verdict === 'violated' ? `traces/${o.design}--${o.scenario}.ndjson` : null,
  problems: [],
});
const runs = [entry(correct, 'correct'), entry(mutant, 'mutant'), entry(other, 'mutant')];
for (const [o, r] of [
  [mutant, runs[1]],
  [other, runs[2]],
]) {
  writeFileSync(join(out, r.trace), traceOf(o));
}
writeFileSync(
  join(out, 'index.json'),
  `${JSON.stringify(
    {
      format: 'ktls-lab-index',
      version: 1,
      strategy: 'random',
      shard: null,
      verdict: {
        ok: true,
        unexpected: [],
        uncaught: [],
        summary: 'OK: every correct design held; every mutant was caught',
      },
      results: 'results.json',
      runs,
    },
    null,
    2,
  )}\n`,
);

// Bad traces.
const [headerLine, ...eventLines] = mutantText.split('\n');
writeFileSync(join(out, 'empty.ndjson'), '');
writeFileSync(
  join(out, 'wrong-version.ndjson'),
  `${headerLine.replace('"version":1', '"version":7')}\n${eventLines.join('\n')}`,
);
// Cut in the middle of the last event line, as an interrupted write leaves it.
writeFileSync(join(out, 'truncated.ndjson'), mutantText.slice(0, mutantText.length - 40));
const garbage = Buffer.alloc(4096);
for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
writeFileSync(join(out, 'garbage.bin'), garbage);
writeFileSync(
  join(out, 'bad-event.ndjson'),
  // A complete record-in but for its sequence number, so that the error is about `seq`.
  `${headerLine}\n${eventLines[0]}\n{"t":1,"ep":"client","lane":"dp-rx","kind":"record-in","type":23,"wire":27,"header":"1703030016","seq":"-1"}\n`,
);
// Bigger than the limit the test sets with ?maxBytes=, still a valid trace.
let big = `${headerLine}\n`;
while (big.length < 300_000) big += `${eventLines.slice(0, -1).join('\n')}\n`;
writeFileSync(join(out, 'big.ndjson'), big);

// Trace text that looks like markup must be shown as text, never run.
const hostile = JSON.parse(headerLine);
hostile.design = '<img src=x onerror="window.__pwned=1">';
writeFileSync(
  join(out, 'hostile.ndjson'),
  serializeTrace(hostile, [
    {
      t: 0,
      ep: 'client',
      lane: 'app-tx',
      kind: 'note',
      note: '<script>window.__pwned=2</script><b>bold?</b>',
    },
    // Delivered plaintext that spells <b></b>: markup in the data as well as in the text.
    {
      t: 1,
      ep: 'client',
      lane: 'app-rx',
      kind: 'deliver-data',
      size: 7,
      preview: '3c623e3c2f623e',
    },
  ]),
);

console.log(
  `fixtures: ${out} (mutant ${MUTANT} × ${SCENARIO} seed ${mutant.seed}: ${mutant.events.length} events, violation #${mutant.violation.invariant}; correct: ${correct.verdict})`,
);
