import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { serializeTrace, type TraceEvent, type TraceHeader, traceLine } from '@ktls-lab/core';
import { fsMessage, UsageError } from './errors.js';

/**
 * A trace file written event by event, for a producer that knows the header only at the end
 * (`decode` learns the suite from the ServerHello): the event lines go to a side file as they come,
 * in batches, and `finish` writes the header, copies the lines after it in pieces and renames the
 * result into place. Memory stays flat however many events there are, and until `finish` no file
 * with the trace's name exists, so a failure half-way leaves nothing that looks complete.
 */
export class StreamedTrace {
  private readonly events: string;
  private readonly fd: number;
  private pending = '';
  count = 0;

  constructor(private readonly path: string) {
    this.events = `${path}.events-${process.pid}`;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(this.events, 'w');
    } catch (e) {
      throw new UsageError(fsMessage('write', path, e));
    }
  }

  readonly push = (event: TraceEvent): void => {
    this.pending += `${traceLine(event)}\n`;
    this.count++;
    if (this.pending.length >= 1 << 20) this.flush();
  };

  finish(header: TraceHeader): void {
    this.flush();
    closeSync(this.fd);
    const partial = `${this.path}.partial-${process.pid}`;
    try {
      const out = openSync(partial, 'w');
      try {
        // serializeTrace of no events is exactly the header line and its `\n`.
        writeSync(out, serializeTrace(header, []));
        const from = openSync(this.events, 'r');
        const buf = Buffer.alloc(1 << 20);
        try {
          for (;;) {
            const n = readSync(from, buf);
            if (n === 0) break;
            writeSync(out, buf, 0, n);
          }
        } finally {
          closeSync(from);
        }
      } finally {
        closeSync(out);
      }
      renameSync(partial, this.path);
    } catch (e) {
      rmSync(partial, { force: true });
      throw new UsageError(fsMessage('write', this.path, e));
    } finally {
      rmSync(this.events, { force: true });
    }
  }

  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed by a failed finish
    }
    rmSync(this.events, { force: true });
  }

  private flush(): void {
    if (this.pending === '') return;
    try {
      writeSync(this.fd, this.pending);
    } catch (e) {
      throw new UsageError(fsMessage('write', this.path, e));
    }
    this.pending = '';
  }
}
