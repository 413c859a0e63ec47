import { parseTrace, toPerfetto } from '@ktls-lab/core';
import { EXIT, InputError } from '../errors.js';
import { checkOutputFile, readText, writeText } from '../files.js';
import { writeErr, writeOut } from '../output.js';

/** `ktls-lab export <trace.ndjson> --format perfetto`: Chrome trace-event JSON for Perfetto. */
export function exportCommand(file: string, o: { format: 'perfetto'; out?: string }): number {
  if (o.out !== undefined) checkOutputFile(o.out, '--out');
  const parsed = parseTrace(readText(file));
  if (!parsed.ok) {
    const e = parsed.error;
    const place = [
      e.line > 0 ? `line ${e.line}` : null,
      e.column === undefined ? null : `column ${e.column}`,
      e.path ? `field ${e.path}` : null,
    ].filter((x) => x !== null);
    throw new InputError(
      file,
      place.length > 0 ? place.join(', ') : null,
      `not a valid ktls-lab trace (${e.code}): ${e.message}`,
    );
  }
  const json = `${JSON.stringify(toPerfetto(parsed.header, parsed.events))}\n`;
  if (o.out !== undefined) {
    writeText(o.out, json);
    writeErr(
      `wrote ${o.out}: ${parsed.events.length} events as Chrome trace-event JSON (open it in https://ui.perfetto.dev)\n`,
    );
  } else {
    writeOut(json);
  }
  return EXIT.ok;
}
