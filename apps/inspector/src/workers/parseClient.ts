/**
 * Opens a trace: reads it (asynchronously, with the size limit checked before reading), has it
 * validated by `parseTrace` in a pool of workers working on slices in parallel, then turns the
 * validated text into events with one `JSON.parse`.
 *
 * Why this shape: on a 2-core machine, validating 100,000 events takes about 450 ms in one worker
 * and sending the parsed objects back costs as much again; slices halve the first and plain text
 * avoids the second. When a slice is invalid, the whole trace is validated again in one worker,
 * so that the error (line, message, field) is exactly `parseTrace`'s.
 */
import type { TraceEvent, TraceHeader } from '@ktls-lab/core';
import type { LoadError } from '../model/loadError';
import type { TraceSource, ValidateReply } from './protocol';
import { benchMeasure } from '../model/benchMark';
import { readSource } from './readSource';

export type ParseOutcome =
  | {
      readonly ok: true;
      readonly header: TraceHeader;
      readonly events: TraceEvent[];
      readonly bytes: number;
    }
  | { readonly ok: false; readonly error: LoadError };

export interface Progress {
  readonly phase: 'reading' | 'parsing';
  readonly loaded: number;
  readonly total: number | null;
}

/** Below this, one worker: splitting costs more than it saves. */
const SLICE_MIN_CHARS = 1 << 20;

let pool: Worker[] = [];
let nextId = 1;
const pending = new Map<
  number,
  (r: ValidateReply | { id: number; ok: false; died: string }) => void
>();

function poolSize(): number {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
}

function worker(i: number): Worker {
  if (pool[i]) return pool[i]!;
  const w = new Worker(new URL('./parse.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = ({ data }: MessageEvent<ValidateReply>) => {
    const resolve = pending.get(data.id);
    pending.delete(data.id);
    resolve?.(data);
  };
  w.onerror = (event) => {
    // A validator died (out of memory on a giant trace, for one): fail what is pending, loudly.
    for (const [id, resolve] of pending)
      resolve({ id, ok: false, died: event.message || 'worker error' });
    pending.clear();
    for (const p of pool) p.terminate();
    pool = [];
  };
  pool[i] = w;
  return w;
}

function validate(i: number, text: string, maxBytes: number) {
  const id = nextId++;
  return new Promise<ValidateReply | { id: number; ok: false; died: string }>((resolve) => {
    pending.set(id, resolve);
    worker(i).postMessage({ id, text, maxBytes });
  });
}

/** Cuts the events into `n` slices at line ends that follow a `}` (never at a blank line). */
function slices(text: string, bodyStart: number, n: number): string[] {
  const out: string[] = [];
  let start = bodyStart;
  for (let k = 1; k < n; k++) {
    const target = bodyStart + Math.floor(((text.length - bodyStart) * k) / n);
    const cut = text.indexOf('}\n', Math.max(start, target));
    if (cut < 0) break;
    out.push(text.slice(start, cut + 2));
    start = cut + 2;
  }
  out.push(text.slice(start));
  return out.filter((s) => s.length > 0);
}

export async function parseInWorker(
  source: TraceSource,
  maxBytes: number,
  progress: (p: Progress) => void,
): Promise<ParseOutcome> {
  const t0 = performance.now();
  const read = await readSource(source, maxBytes, (loaded, total) =>
    progress({ phase: 'reading', loaded, total }),
  );
  benchMeasure('read', t0);
  if (!read.ok) return read;
  const t1 = performance.now();
  let text = read.text;
  progress({ phase: 'parsing', loaded: read.bytes, total: read.bytes });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const died = (r: { died: string }): ParseOutcome => ({
    ok: false,
    error: { code: 'read-failed', line: 0, message: `the trace validator stopped: ${r.died}` },
  });
  const headerEnd = text.indexOf('\n');
  const parallel = text.length >= SLICE_MIN_CHARS && headerEnd > 0 && poolSize() > 1;
  if (parallel) {
    const header = text.slice(0, headerEnd + 1);
    const parts = slices(text, headerEnd + 1, poolSize());
    const replies = await Promise.all(parts.map((p, i) => validate(i, header + p, maxBytes)));
    const bad = replies.find((r) => !r.ok);
    if (bad && 'died' in bad) return died(bad);
    if (bad) return (await validateWhole(text, maxBytes, died)) ?? unreachable();
  } else {
    const failure = await validateWhole(text, maxBytes, died);
    if (failure) return failure;
  }
  benchMeasure('validate', t1);
  const t2 = performance.now();
  const parsed = materialise(text);
  benchMeasure('materialise', t2);
  return { ok: true, ...parsed, bytes: read.bytes };
}

/** The failure of validating the whole text in one worker, or null when it is valid. */
async function validateWhole(
  text: string,
  maxBytes: number,
  died: (r: { died: string }) => ParseOutcome,
): Promise<ParseOutcome | null> {
  const r = await validate(0, text, maxBytes);
  if ('died' in r) return died(r);
  return r.ok ? null : { ok: false, error: r.error };
}

/** A slice failed but the whole is valid: impossible, since each slice is a valid trace's part. */
function unreachable(): ParseOutcome {
  return {
    ok: false,
    error: {
      code: 'read-failed',
      line: 0,
      message: 'internal error: a slice of a valid trace failed validation',
    },
  };
}

/**
 * The events of a validated trace, with one JSON.parse of the lines joined as an array (much
 * faster than one parse per line). Valid means: header on line 1, one JSON object per line,
 * blank lines only at the end, `\r` before `\n` allowed (JSON white space).
 */
function materialise(text: string): { header: TraceHeader; events: TraceEvent[] } {
  const headerEnd = text.indexOf('\n');
  if (headerEnd < 0) return { header: JSON.parse(text) as TraceHeader, events: [] };
  const header = JSON.parse(text.slice(0, headerEnd)) as TraceHeader;
  const body = text.slice(headerEnd + 1).trimEnd();
  if (body === '') return { header, events: [] };
  const events = JSON.parse(`[${body.replaceAll('\n', ',')}]`) as TraceEvent[];
  return { header, events };
}
