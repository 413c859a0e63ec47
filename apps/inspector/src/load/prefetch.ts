/**
 * Downloads that index.html starts before the app's code has loaded: the traces named by the
 * address (`?trace=`, `?compare=`), with the body read into a blob as it arrives when the
 * `Content-Length` is within the limit. A 12 MB trace then downloads while the code is parsed and
 * React renders, instead of after (bench/bench.mjs). Each one is handed out once; a later open of
 * the same URL fetches again.
 */
export interface Prefetched {
  readonly response: Response;
  /** The body, being read; null when index.html left it unread (not OK, or too large). */
  readonly body: Promise<Blob> | null;
}

declare global {
  interface Window {
    __inspectorPrefetch?: Record<string, Promise<Prefetched>>;
  }
}

/** The download index.html started for `url`, or null (none, or already taken). */
export function takePrefetch(url: string): Promise<Prefetched> | null {
  const started = window.__inspectorPrefetch;
  const response = started?.[url];
  if (!started || !response) return null;
  delete started[url];
  return response;
}
