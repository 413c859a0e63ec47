import {
  createReadStream,
  closeSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  PERFETTO_JSON_START,
  type PerfettoItem,
  PerfettoStream,
  perfettoJsonEnd,
  TraceReader,
  type TraceParseError,
} from '@ktls-lab/core';
import { EXIT, fsMessage, InputError, UsageError } from '../errors.js';
import { checkOutputFile } from '../files.js';
import { flushOut, stdoutClosed, writeErr, writeOut } from '../output.js';

/**
 * `ktls-lab export <trace.ndjson> --format perfetto`: Chrome trace-event JSON for Perfetto.
 *
 * Streams: the trace is read in pieces (core's `TraceReader`), each event converted as it is read
 * (`PerfettoStream`) and written out before the next piece is read, so memory stays flat in the
 * trace's size (packages/cli/bench/export-rss.bench.mjs measures it). Holding the whole JSON died
 * in `JSON.stringify` past V8's string limit for traces of a few hundred MB. `--out` is written
 * to a temporary file renamed into place at the end, so a trace found invalid half-way leaves no
 * file that looks complete.
 */

/** Bytes of output gathered before a write: large enough that writes are few, small enough to be flat. */
const FLUSH_AT = 1 << 20;

/** Where the JSON goes: a file written synchronously, or stdout with backpressure. */
interface Output {
  write(text: string): Promise<void> | void;
  done(): void;
  abandon(): void;
}

function fileOutput(path: string): Output {
  const temp = `${path}.partial-${process.pid}`;
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(temp, 'w');
  } catch (e) {
    throw new UsageError(`--out: ${fsMessage('write', path, e)}`);
  }
  return {
    write: (text) => {
      writeSync(fd, text);
    },
    done: () => {
      closeSync(fd);
      try {
        renameSync(temp, path);
      } catch (e) {
        rmSync(temp, { force: true });
        throw new UsageError(`--out: ${fsMessage('write', path, e)}`);
      }
    },
    abandon: () => {
      closeSync(fd);
      rmSync(temp, { force: true });
    },
  };
}

/**
 * stdout through the CLI's one writer (src/output.ts): a reader that goes away (`export | head`)
 * ends the export quietly; otherwise wait for the pipe to drain before the next piece.
 */
function streamOutput(): Output {
  return {
    write: async (text) => {
      if (!writeOut(text)) await flushOut();
    },
    done: () => {},
    abandon: () => {},
  };
}

/** A trace that does not parse is an input error (exit 4) naming the file and the place. */
function invalid(file: string, e: TraceParseError): InputError {
  const place = [
    e.line > 0 ? `line ${e.line}` : null,
    e.column === undefined ? null : `column ${e.column}`,
    e.path ? `field ${e.path}` : null,
  ].filter((x) => x !== null);
  return new InputError(
    file,
    place.length > 0 ? place.join(', ') : null,
    `not a valid ktls-lab trace (${e.code}): ${e.message}`,
  );
}

export async function exportCommand(
  file: string,
  o: { format: 'perfetto'; out?: string },
): Promise<number> {
  if (o.out !== undefined) checkOutputFile(o.out, '--out');
  // Opened first, so that a missing or unreadable trace is a usage error before any output.
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new UsageError(fsMessage('read', file, e));
  }
  const input = createReadStream('', { fd, encoding: 'utf8', highWaterMark: FLUSH_AT });
  const out = o.out !== undefined ? fileOutput(o.out) : streamOutput();
  let pending = '';
  let written = 0;
  let events = 0;
  const sink = ({ ev }: PerfettoItem) => {
    pending += `${written++ === 0 ? '' : ','}${JSON.stringify(ev)}`;
  };
  let converter: PerfettoStream | null = null;
  const reader: TraceReader = new TraceReader({
    // Streamed, so no size limit: the default exists for readers that hold a trace whole.
    maxBytes: Number.MAX_SAFE_INTEGER,
    onEvent: (event) => {
      // The reader calls onEvent only after a valid header (line 1).
      converter ??= new PerfettoStream(reader.header!, sink);
      converter.push(event);
      events++;
    },
  });
  try {
    await out.write(PERFETTO_JSON_START);
    for await (const chunk of input) {
      const failure = reader.push(chunk);
      if (failure && !failure.ok) throw invalid(file, failure.error);
      if (pending.length >= FLUSH_AT) {
        await out.write(pending);
        pending = '';
      }
      // The reader of stdout went away (`export | head`): nothing more can be delivered.
      if (o.out === undefined && stdoutClosed()) {
        input.destroy();
        return EXIT.ok;
      }
    }
    const result = reader.end();
    if (!result.ok) throw invalid(file, result.error);
    // A trace without events: the header's processes and threads still get their names.
    (converter ?? new PerfettoStream(result.header, sink)).end();
    await out.write(`${pending}${perfettoJsonEnd(result.header)}\n`);
    out.done();
  } catch (e) {
    input.destroy();
    out.abandon();
    throw e;
  }
  if (o.out !== undefined) {
    writeErr(
      `wrote ${o.out}: ${events} events as Chrome trace-event JSON (open it in https://ui.perfetto.dev)\n`,
    );
  }
  return EXIT.ok;
}
