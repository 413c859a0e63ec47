import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunFolder, Session } from './fixtures.js';

/**
 * What the bad-input suite's case files share: the valid inputs they break (made once, in
 * badInput.test.ts's beforeAll) and a fresh directory per case. Seeds are fixed so the number of
 * cases is stable; KTLS_BADINPUT_SEED explores others.
 */
const SEED = Number(process.env.KTLS_BADINPUT_SEED ?? 19);

export const runs = (n: number) => ({ numRuns: n, seed: SEED, endOnFailure: true });

export interface Context {
  work: string;
  run: RunFolder;
  session: Session;
}

export const ctx: Context = { work: '', run: undefined!, session: undefined! };

let n = 0;

/** A fresh directory for one case. */
export function caseDir(): string {
  const d = join(ctx.work, `case-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
}
