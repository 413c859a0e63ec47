/**
 * Reads a trace source into text, with progress and the size limit enforced before or while
 * reading (a 2 GB file must be refused, not loaded into memory and then refused).
 */
import { type LoadError, loadError } from '../model/loadError';
import { takePrefetch } from './prefetch';
import type { TraceSource } from './traceSource';

export type ReadResult =
  | { readonly ok: true; readonly text: string; readonly bytes: number }
  | { readonly ok: false; readonly error: LoadError };

type Progress = (loaded: number, total: number | null) => void;

const tooLarge = (bytes: number, max: number): ReadResult => ({
  ok: false,
  error: loadError(
    'too-large',
    `trace is ${bytes} bytes, larger than the limit of ${max} bytes (${(max / 1048576).toFixed(0)} MiB)`,
  ),
});

export async function readSource(
  source: TraceSource,
  maxBytes: number,
  progress: Progress,
): Promise<ReadResult> {
  if (source.kind === 'text') return { ok: true, text: source.text, bytes: source.text.length };
  if (source.kind === 'file') {
    if (source.file.size > maxBytes) return tooLarge(source.file.size, maxBytes);
    if (source.file.size <= 64 << 20) {
      return source.file.text().then(
        (text): ReadResult => ({ ok: true, text, bytes: source.file.size }),
        (e): ReadResult => ({
          ok: false,
          error: loadError('read-failed', `could not read ${source.file.name}: ${String(e)}`),
        }),
      );
    }
    return readStream(source.file.stream(), source.file.size, maxBytes, progress).catch((e) => ({
      ok: false,
      error: loadError('read-failed', `could not read ${source.file.name}: ${String(e)}`),
    }));
  }
  let response: Response;
  let body: Promise<Blob> | null = null;
  try {
    const prefetched = takePrefetch(source.url);
    if (prefetched) ({ response, body } = await prefetched);
    else response = await fetch(source.url);
  } catch (e) {
    return {
      ok: false,
      error: loadError('fetch-failed', `could not fetch ${source.url}: ${String(e)}`),
    };
  }
  if (!response.ok) {
    return {
      ok: false,
      error: loadError(
        'fetch-failed',
        `could not fetch ${source.url}: HTTP ${response.status} ${response.statusText}`,
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
  if (!response.body) return { ok: true, text: '', bytes: 0 };
  // A known, acceptable length: one bulk read is several times faster than decoding chunks. As a
  // blob first: Chromium then keeps the body out of the page until it is complete, instead of
  // moving it through the page in 64 KiB chunks, which halves the read of a 12 MB trace
  // (bench/bench.mjs).
  if (total !== null) {
    progress(0, total);
    try {
      const text = await (await (body ?? response.blob())).text();
      return { ok: true, text, bytes: total };
    } catch (e) {
      return {
        ok: false,
        error: loadError('fetch-failed', `reading ${source.url} failed: ${String(e)}`),
      };
    }
  }
  return readStream(response.body, total, maxBytes, progress).catch((e) => ({
    ok: false,
    error: loadError('fetch-failed', `reading ${source.url} failed: ${String(e)}`),
  }));
}

async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number | null,
  maxBytes: number,
  progress: Progress,
): Promise<ReadResult> {
  const reader = stream.getReader();
  // Non-fatal decoding: binary garbage becomes U+FFFD and parseTrace reports the line.
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
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
    parts.push(decoder.decode(value, { stream: true }));
    if (loaded - lastReport > 1 << 20) {
      lastReport = loaded;
      progress(loaded, total);
    }
  }
  parts.push(decoder.decode());
  progress(loaded, total);
  return { ok: true, text: parts.join(''), bytes: loaded };
}
