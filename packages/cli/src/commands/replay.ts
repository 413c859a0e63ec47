import { traceHash } from '@ktls-lab/core';
import {
  invariantName,
  parseRepro,
  ReproError,
  type RunOutcome,
  replay,
  resolveRepro,
  shrink,
  traceOf,
} from '@ktls-lab/sim';
import { existsSync } from 'node:fs';
import { EXIT, InputError, UsageError } from '../errors.js';
import { checkOutputFile, readText, writeText } from '../files.js';
import { writeOut } from '../output.js';
import { styleFor } from '../style.js';

/**
 * The repro to run: the argument itself, or, when it names a file, the repro string in it (one
 * line; `#` comments and blank lines are skipped). A repro in a file that does not parse (cut
 * short, changed: its check fails) is an input error naming the file and line.
 */
export function reproArgument(arg: string): string {
  if (arg.startsWith('ktls') || !existsSync(arg)) return arg;
  const lines = readText(arg).split(/\r\n|\r|\n/);
  const found = lines
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'));
  if (found.length !== 1)
    throw new InputError(
      arg,
      null,
      `expected one repro string (ktls1:...), found ${found.length} lines of text`,
    );
  const { text, line } = found[0]!;
  try {
    resolveRepro(parseRepro(text));
  } catch (e) {
    if (e instanceof ReproError) throw new InputError(arg, `line ${line}`, e.message);
    throw e;
  }
  return text;
}

/** A replayed run, as printed: everything but the events. */
function describe(o: RunOutcome, trace: string) {
  return {
    repro: o.repro,
    scenario: o.scenario,
    design: o.design,
    verdict: o.verdict,
    steps: o.steps,
    choices: o.choices.length,
    violation: o.violation
      ? {
          invariant: o.violation.invariant,
          name: o.violation.name,
          message: o.violation.message,
          step: o.violation.step,
        }
      : null,
    traceHash: traceHash(trace),
  };
}

/** `ktls-lab replay <repro>`: 0 if the run holds, 1 if it violates an invariant, 2 bad repro. */
export function replayCommand(arg: string, o: { trace?: string; json?: boolean }): number {
  if (o.trace !== undefined) checkOutputFile(o.trace, '--trace');
  const repro = reproArgument(arg);
  const outcome = replay(repro, { trace: true });
  const trace = traceOf(outcome);
  const d = describe(outcome, trace);
  if (o.trace !== undefined) writeText(o.trace, trace);
  if (o.json) {
    writeOut(`${JSON.stringify(d, null, 2)}\n`);
  } else {
    const style = styleFor(process.stdout);
    const lines = [
      `repro      ${d.repro}`,
      `scenario   ${d.scenario}`,
      `design     ${d.design}`,
      `verdict    ${d.violation ? style.red(style.bold('VIOLATED')) : style.green('held')}`,
      `steps      ${d.steps}`,
      `choices    ${d.choices}`,
    ];
    if (d.violation) {
      lines.push(
        `violation  invariant ${d.violation.invariant} (${d.violation.name}) at step ${d.violation.step}: ${d.violation.message}`,
      );
    }
    lines.push(
      `trace      ${d.traceHash}${o.trace !== undefined ? ` (written to ${o.trace})` : ''}`,
    );
    writeOut(`${lines.join('\n')}\n`);
  }
  return d.violation ? EXIT.finding : EXIT.ok;
}

/** `ktls-lab shrink <repro>`: the repro must fail; prints the smallest schedule that still does. */
export function shrinkCommand(
  arg: string,
  o: { trace?: string; json?: boolean; maxAttempts: number },
): number {
  if (o.trace !== undefined) checkOutputFile(o.trace, '--trace');
  const repro = reproArgument(arg);
  const parsed = parseRepro(repro);
  const { scenario, design } = resolveRepro(parsed);
  const original = replay(repro);
  if (!original.violation) {
    throw new UsageError(
      `repro does not fail: ${original.repro} holds after ${original.steps} steps (nothing to shrink)`,
    );
  }
  const r = shrink(scenario, design, original, { maxAttempts: o.maxAttempts, trace: true });
  const v = r.shrunk.violation;
  if (v?.invariant !== original.violation.invariant) {
    throw new Error(
      `shrinking lost the failure: ${r.shrunk.repro} ${v ? `violates invariant ${v.invariant}` : 'holds'} (replay is not faithful)`,
    );
  }
  const trace = traceOf(r.shrunk);
  if (o.trace !== undefined) writeText(o.trace, trace);
  const report = {
    original: original.repro,
    shrunk: r.shrunk.repro,
    invariant: v.invariant,
    name: invariantName(v.invariant),
    message: v.message,
    steps: { before: original.steps, after: r.shrunk.steps },
    choices: { before: original.choices.length, after: r.shrunk.choices.length },
    attempts: r.attempts,
    traceHash: traceHash(trace),
  };
  if (o.json) {
    writeOut(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `shrunk     ${report.shrunk}`,
      `violation  invariant ${v.invariant} (${report.name}) at step ${v.step}: ${v.message}`,
      `steps      ${report.steps.before} -> ${report.steps.after}`,
      `choices    ${report.choices.before} -> ${report.choices.after}`,
      `attempts   ${report.attempts} replays${r.attempts >= o.maxAttempts ? ' (limit reached: may shrink further with --max-attempts)' : ''}`,
      `trace      ${report.traceHash}${o.trace !== undefined ? ` (written to ${o.trace})` : ''}`,
    ];
    writeOut(`${lines.join('\n')}\n`);
  }
  return EXIT.ok;
}
