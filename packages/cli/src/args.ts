import { parseShard, type Shard } from '@ktls-lab/sim';
import { InvalidArgumentError } from 'commander';

/**
 * Option parsers for commander: each throws `InvalidArgumentError`, which commander reports as
 * "option '--x <v>' argument 'v' is invalid. <why>" and which the CLI turns into exit 2.
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The shortest duration accepted: below it a budget cannot hold one batch of runs, and the
 * rounding to whole milliseconds would turn it into 0 (no work, a vacuous verdict).
 */
export const MIN_DURATION_MS = 10;
/** The longest: a week, far beyond any run, and safely inside a timer's 2^31 - 1 ms. */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;

/** "500ms", "30s", "2m", "1.5h" (a bare number is seconds) → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 500ms, 30s or 2m.');
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
  if (!(ms > 0) || !Number.isFinite(ms))
    throw new InvalidArgumentError('the duration must be more than 0.');
  if (ms < MIN_DURATION_MS)
    throw new InvalidArgumentError(`the duration must be at least ${MIN_DURATION_MS}ms.`);
  if (ms > MAX_DURATION_MS) throw new InvalidArgumentError('the duration must be at most 7 days.');
  return Math.round(ms);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** A positive integer, at most `max`. */
export function positiveInt(max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a positive integer.');
    const n = Number(text);
    if (n < 1) throw new InvalidArgumentError('expected a positive integer (at least 1).');
    if (n > max) throw new InvalidArgumentError(`at most ${max}.`);
    return n;
  };
}

export function shardArg(text: string): Shard {
  try {
    return parseShard(text);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--shard /, ''));
  }
}

/** Repeatable option that also accepts comma-separated lists: `--design a --design b,c`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}
