import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { fileSize, pieces, readRanges } from './files.js';

const openFds = () => readdirSync('/proc/self/fd').length;

describe('reading a capture lazily (readRanges)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ktls-files-'));
  const path = join(dir, 'c2s.bin');
  const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff);
  writeFileSync(path, bytes);

  it('covers a file in pieces that add up to it', () => {
    expect(pieces(10_000, 4096)).toEqual([
      [0, 4096],
      [4096, 4096],
      [8192, 1808],
    ]);
    expect(pieces(0)).toEqual([]);
    const got = [...readRanges(path, pieces(fileSize(path), 4096))];
    expect(got.map((b) => b.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(got).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads each range into a buffer of its own, in the order asked', () => {
    const got = [
      ...readRanges(path, [
        [9000, 10],
        [0, 3],
      ]),
    ];
    expect([...got[0]!]).toEqual([...bytes.subarray(9000, 9010)]);
    expect([...got[1]!]).toEqual([...bytes.subarray(0, 3)]);
    expect(got[0]!.buffer).not.toBe(got[1]!.buffer);
  });

  it('names a file cut short, and closes it however the reading ends', () => {
    const before = openFds();
    expect(() => [...readRanges(path, [[9990, 20]])]).toThrow(UsageError);
    expect(() => [...readRanges(path, [[9990, 20]])]).toThrow(/ends at byte 10000, before 10010/);
    for (const _ of readRanges(path, pieces(10_000, 100))) break;
    expect(openFds()).toBe(before);
  });

  it('refuses what is not a regular file', () => {
    expect(() => fileSize(dir)).toThrow(UsageError);
    expect(() => fileSize(join(dir, 'missing.bin'))).toThrow(UsageError);
  });
});
