/**
 * Reads a trace source into its bytes, with progress and the size limit enforced before or while
 * reading (a 2 GB file must be refused, not loaded into memory and then refused).
 */
import { assertNever } from '@ktls-lab/core';
import { type LoadError, loadError } from '../model/loadError';
import { takePrefetch } from './prefetch';
import type { TraceSource } from './traceSource';

export type ReadResult =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      /** The text, when the source was text: it need not be decoded back from the bytes. */
      readonly text?: string;
    }
  | { readonly ok: false; readonly error: LoadError };

type Progress = (loaded: number, total: number | null) => void;

const MIB = 1048576;

const tooLarge = (bytes: number, max: number): ReadResult => ({
  ok: false,
  error: loadError(
    'too-large',
    `trace is ${bytes} bytes, larger than the limit of ${max} bytes (${(max / MIB).toFixed(0)} MiB)`,
  ),
});

export async function readBytes(
  source: TraceSource,
  maxBytes: number,
  progress: Progress,
): Promise<ReadResult> {
  switch (source.kind) {
    case 'text':
      return { ok: true, bytes: new TextEncoder().encode(source.text), text: source.text };
    case 'file': {
      const { file } = source;
      if (file.size > maxBytes) return tooLarge(file.size, maxBytes);
      return readBlob(file, `could not read ${file.name}`, 'read-failed');
    }
    case 'url':
      return readUrl(source.url, maxBytes, progress);
    default:
      return assertNever(source, 'trace source');
  }
}

/** A download: prefetched by index.html or fetched now, refused from its length when too large. */
async function readUrl(url: string, maxBytes: number, progress: Progress): Promise<ReadResult> {
  let response: Response;
  let body: Promise<Blob> | null = null;
  try {
    const prefetched = takePrefetch(url);
    if (prefetched) ({ response, body } = await prefetched);
    else response = await fetch(url);
  } catch (e) {
    return {
      ok: false,
      error: loadError('fetch-failed', `could not fetch ${url}: ${String(e)}`),
    };
  }
  if (!response.ok) {
    void response.body?.cancel().catch(() => {});
    return {
      ok: false,
      error: loadError(
        'fetch-failed',
        `could not fetch ${url}: HTTP ${response.status} ${response.statusText}`,
      ),
    };
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const total = Number.isFinite(length) ? length : null;
  if (total !== null && total > maxBytes) {
    // Refused from its size: the rest of the download is not wanted either.
    void response.body?.cancel().catch(() => {});
    return tooLarge(total, maxBytes);
  }
  const failed = `reading ${url} failed`;
  if (!response.body) return { ok: true, bytes: new Uint8Array(0) };
  // A known, acceptable length: read as a blob, which Chromium keeps out of the page until it is
  // complete instead of moving it through the page in 64 KiB chunks; one bulk read is several
  // times faster than reading a stream (bench/bench.mjs). index.html has usually started it.
  if (total !== null) {
    progress(0, total);
    try {
      return await readBlob(await (body ?? response.blob()), failed, 'fetch-failed');
    } catch (e) {
      return { ok: false, error: loadError('fetch-failed', `${failed}: ${String(e)}`) };
    }
  }
  return readStream(response.body, maxBytes, progress).catch((e) => ({
    ok: false,
    error: loadError('fetch-failed', `${failed}: ${String(e)}`),
  }));
}

function readBlob(blob: Blob, failed: string, code: LoadError['code']): Promise<ReadResult> {
  return blob.arrayBuffer().then(
    (buffer): ReadResult => ({ ok: true, bytes: new Uint8Array(buffer) }),
    (e): ReadResult => ({ ok: false, error: loadError(code, `${failed}: ${String(e)}`) }),
  );
}

/** A download of unknown length: chunk by chunk, counting against the limit as it arrives. */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  progress: Progress,
): Promise<ReadResult> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.byteLength;
    if (loaded > maxBytes) {
      await reader.cancel();
      return tooLarge(loaded, maxBytes);
    }
    chunks.push(value);
    if (loaded - lastReport > MIB) {
      lastReport = loaded;
      progress(loaded, null);
    }
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { ok: true, bytes };
}
