import { merge, type Results } from '@ktls-lab/sim';
import { EXIT, InputError } from '../errors.js';
import { checkOutputFile, writeText } from '../files.js';
import { ResultsSchema } from '../inputSchemas.js';
import { readJsonInput } from '../jsonInput.js';
import { writeOut } from '../output.js';
import {
  failureLines,
  finalVerdict,
  verdictJson,
  verdictSentence,
  verdictTable,
} from '../report.js';
import { styleFor } from '../style.js';

/**
 * `ktls-lab merge <files...>`: joins shard results; exit code as for explore. Every file is
 * checked against the results schema first (inputSchemas.ts), so a garbage cell is an input error
 * naming the file and the cell, not a crash or a silently wrong verdict.
 */
export function mergeCommand(
  files: readonly string[],
  o: { out?: string; json?: boolean },
): number {
  if (o.out !== undefined) checkOutputFile(o.out, '--out');
  const parsed: Results[] = files.map((file) =>
    readJsonInput(file, ResultsSchema, 'a results.json written by `ktls-lab explore --out`'),
  );
  const strategies = new Set(parsed.map((r) => r.strategy));
  if (strategies.size > 1) {
    const i = parsed.findIndex((r) => r.strategy !== parsed[0]!.strategy);
    throw new InputError(
      files[i]!,
      'at strategy',
      `expected "${parsed[0]!.strategy}" as in ${files[0]} (results of different strategies do not add up)`,
    );
  }
  const results = merge(parsed);
  if (o.out !== undefined) writeText(o.out, `${JSON.stringify(results, null, 2)}\n`);
  if (o.json) {
    writeOut(`${JSON.stringify({ ...results, verdict: verdictJson(results) }, null, 2)}\n`);
  } else {
    const style = styleFor(process.stdout);
    const runs = results.cells.reduce((s, c) => s + c.runs, 0);
    const lines = [
      `merged ${files.length} files: ${results.strategy}, ${results.cells.length} cells, ${runs} runs`,
      '',
      ...verdictTable(results, style),
    ];
    const failures = failureLines(results, style);
    if (failures.length > 0) lines.push('', 'failures:', ...failures);
    if (o.out !== undefined) lines.push('', `wrote ${o.out}`);
    const s = verdictSentence(results);
    lines.push(s.ok ? style.green(s.text) : style.red(style.bold(s.text)));
    writeOut(`${lines.join('\n')}\n`);
  }
  return finalVerdict(results).ok ? EXIT.ok : EXIT.finding;
}
