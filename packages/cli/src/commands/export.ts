import { parseTrace, toPerfetto } from '@ktls-lab/core';
import { EXIT, UsageError } from '../errors.js';
import { readText, writeText } from '../files.js';

/** `ktls-lab export <trace.ndjson> --format perfetto`: Chrome trace-event JSON for Perfetto. */
export function exportCommand(file: string, o: { format: 'perfetto'; out?: string }): number {
  const parsed = parseTrace(readText(file));
  if (!parsed.ok) {
    const e = parsed.error;
    throw new UsageError(
      `${file}: not a valid ktls-lab trace (${e.code}, line ${e.line}${e.column === undefined ? '' : `, column ${e.column}`}${e.path ? `, field ${e.path}` : ''}): ${e.message}`,
    );
  }
  const json = `${JSON.stringify(toPerfetto(parsed.header, parsed.events))}\n`;
  if (o.out !== undefined) {
    writeText(o.out, json);
    process.stderr.write(
      `wrote ${o.out}: ${parsed.events.length} events as Chrome trace-event JSON (open it in https://ui.perfetto.dev)\n`,
    );
  } else {
    process.stdout.write(json);
  }
  return EXIT.ok;
}
