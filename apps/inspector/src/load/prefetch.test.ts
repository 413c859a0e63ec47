// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BYTES } from '../model/loadError';
import { takePrefetch } from './prefetch';

// The working directory is the package (vitest runs per package), where index.html lives.
const html = readFileSync(join(process.cwd(), 'index.html'), 'utf8');

describe('prefetch', () => {
  afterEach(() => {
    delete window.__inspectorPrefetch;
  });

  it("index.html reads bodies up to the app's default limit, as the app would", () => {
    const limit = /: (\d+) \* (\d+) \* (\d+);/.exec(html);
    expect(limit).not.toBeNull();
    expect(Number(limit![1]) * Number(limit![2]) * Number(limit![3])).toBe(DEFAULT_MAX_BYTES);
  });

  it('hands each download out once, and only for its URL', async () => {
    const response = new Response('x');
    window.__inspectorPrefetch = { '/data/a.ndjson': Promise.resolve({ response, body: null }) };
    expect(takePrefetch('/data/b.ndjson')).toBeNull();
    const taken = takePrefetch('/data/a.ndjson');
    expect((await taken)?.response).toBe(response);
    expect(takePrefetch('/data/a.ndjson')).toBeNull();
  });
});
