import { merge } from '@ktls-lab/sim';
import { EXIT, UsageError } from '../errors.js';
import { readText, writeText } from '../files.js';
import {
  failureLines,
  finalVerdict,
  verdictJson,
  verdictSentence,
  verdictTable,
} from '../report.js';
import { styleFor } from '../style.js';

/** `ktls-lab merge <files...>`: joins shard results; exit code as for explore. */
export function mergeCommand(
  files: readonly string[],
  o: { out?: string; json?: boolean },
): number {
  const parsed = files.map((file) => {
    const text = readText(file);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
    }
  });
  let results: ReturnType<typeof merge>;
  try {
    results = merge(parsed);
  } catch (e) {
    // "file 2 is not ..." → name the file.
    const m = /^file (\d+) /.exec((e as Error).message);
    const file = m ? files[Number(m[1]) - 1] : undefined;
    if (file !== undefined) throw new UsageError(`${file}: ${(e as Error).message}`);
    throw e;
  }
  if (o.out !== undefined) writeText(o.out, `${JSON.stringify(results, null, 2)}\n`);
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ ...results, verdict: verdictJson(results) }, null, 2)}\n`,
    );
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
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return finalVerdict(results).ok ? EXIT.ok : EXIT.finding;
}
