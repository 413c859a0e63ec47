/**
 * Dropped EVP keys free their native memory: 100k keys made and dropped (each used to seal one
 * record) leave the resident set where it was, because the addon's finalizer frees both cipher
 * contexts when the GC collects the handle. The control keeps its keys and must grow, which shows
 * the measurement sees the contexts at all. Each run is a child `node --expose-gc`
 * (test/fixtures/evp-contexts.mjs) so that the collections are forced and this worker's heap does
 * not blur the numbers.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Sample {
  readonly rss: number;
}
interface Run {
  readonly count: number;
  readonly kept: number;
  readonly warm: Sample;
  readonly after: Sample;
  readonly again: Sample;
}

const FIXTURE = fileURLToPath(new URL('./fixtures/evp-contexts.mjs', import.meta.url));
const MB = 1024 * 1024;

function run(count: number, mode: 'drop' | 'close' | 'keep'): Run {
  const out = execFileSync(process.execPath, ['--expose-gc', FIXTURE, String(count), mode], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  return JSON.parse(out) as Run;
}

describe('EVP key memory', () => {
  it('100k keys dropped without close(): memory stays flat (the finalizer frees them)', () => {
    const r = run(100_000, 'drop');
    // Two contexts per key are about 2.5 KiB (the control below): 100k leaked would be ~250 MB.
    expect(r.after.rss - r.warm.rss).toBeLessThan(24 * MB);
    expect(r.again.rss - r.warm.rss).toBeLessThan(24 * MB);
  }, 300_000);

  it('keys closed at once: memory stays flat', () => {
    const r = run(20_000, 'close');
    expect(r.again.rss - r.warm.rss).toBeLessThan(16 * MB);
  }, 300_000);

  it('the control: 20k keys kept alive grow the resident set by tens of MB', () => {
    const r = run(20_000, 'keep');
    expect(r.kept).toBe(50_000);
    expect(r.again.rss - r.warm.rss).toBeGreaterThan(40 * MB);
  }, 300_000);
});
