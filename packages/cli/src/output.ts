import { EXIT } from './exitCodes.js';

/**
 * The one way commands write to stdout and stderr. A reader that goes away (`ktls-lab export |
 * head`) makes the next write fail with EPIPE; that is not an error of the command: the stream is
 * marked closed, later writes are dropped, and the command ends with the code it would have had.
 * Other write errors on stdout (a full disk behind a redirect) are remembered and turn a success
 * into an environment error (exit 5): output that was not all written must not claim success.
 */

interface StreamState {
  closed: boolean;
  error: string | null;
}

const states = new WeakMap<NodeJS.WritableStream, StreamState>();

function stateOf(stream: NodeJS.WriteStream): StreamState {
  let s = states.get(stream);
  if (!s) {
    s = { closed: false, error: null };
    states.set(stream, s);
    const st = s;
    stream.on('error', (e: NodeJS.ErrnoException) => {
      st.closed = true;
      if (e.code !== 'EPIPE' && st.error === null) st.error = `${e.code ?? 'error'}: ${e.message}`;
    });
  }
  return s;
}

function write(stream: NodeJS.WriteStream, text: string): boolean {
  const s = stateOf(stream);
  if (s.closed) return false;
  try {
    return stream.write(text);
  } catch (e) {
    // A synchronous EPIPE (files and some pipes are written synchronously).
    s.closed = true;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPIPE' && s.error === null) s.error = String(code ?? e);
    return false;
  }
}

/** Writes to stdout; false if the reader has gone (the text was dropped) or must drain first. */
export function writeOut(text: string): boolean {
  return write(process.stdout, text);
}

/** Writes to stderr (dropped if stderr is closed). */
export function writeErr(text: string): boolean {
  return write(process.stderr, text);
}

/** Starts watching both streams (before any output, so an early EPIPE is not unhandled). */
export function guardOutput(): void {
  stateOf(process.stdout);
  stateOf(process.stderr);
}

/** Whether stdout's reader went away (commands may stop producing output early). */
export function stdoutClosed(): boolean {
  return stateOf(process.stdout).closed;
}

/**
 * The exit code after output: a command's code, unless stdout failed for a reason other than its
 * reader leaving, which makes a success an environment error.
 */
export function exitAfterOutput(code: number): number {
  const error = stateOf(process.stdout).error;
  if (error === null || code !== EXIT.ok) return code;
  writeErr(`ktls-lab: error: cannot write to stdout (${error})\n`);
  return EXIT.environment;
}

/** Resolves once stdout has taken everything written so far (or has closed). */
export function flushOut(): Promise<void> {
  const s = stateOf(process.stdout);
  if (s.closed || process.stdout.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    process.stdout.once('drain', () => resolve());
    process.stdout.once('error', () => resolve());
    process.stdout.once('close', () => resolve());
  });
}
