import { type Failure, parseRepro, type Results } from '@ktls-lab/sim';
import * as v from 'valibot';

/**
 * The valibot schemas of the JSON files ktls-lab reads back: an explore run's results.json (merge)
 * and a capture's index.json (decode). Traces have theirs in @ktls-lab/core (traceSchema.ts).
 */

const Count = v.pipe(
  v.number('expected a number'),
  v.safeInteger('expected a whole number'),
  v.minValue(0, 'expected a count (0 or more)'),
);

const Repro = v.pipe(
  v.string('expected a repro string'),
  v.check((s) => {
    try {
      parseRepro(s);
      return true;
    } catch {
      return false;
    }
  }, 'expected a repro string (ktls1:scenario:design:strategy:seed.check:choices) that is whole'),
);

const FailureSchema = v.strictObject(
  {
    seed: v.pipe(Count, v.maxValue(0xffffffff, 'expected a 32-bit seed')),
    repro: Repro,
    invariant: v.pipe(Count, v.minValue(1, 'expected an invariant id (1 or more)')),
    message: v.string('expected a string'),
    steps: Count,
    choices: Count,
  },
  (issue) =>
    issue.expected === 'never'
      ? `unknown field (a failure has seed, repro, invariant, message, steps, choices)`
      : `expected a failure object (seed, repro, invariant, message, steps, choices)`,
) satisfies v.GenericSchema<unknown, Failure>;

/** A scenario or design name as repro strings carry them: no colon, white space or controls. */
const Name = v.pipe(
  v.string('expected a name'),
  v.regex(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters.
    /^[^\s:\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]{1,200}$/,
    'expected a scenario or design name (no colon, white space or control characters)',
  ),
);

const CellSchema = v.pipe(
  v.object(
    {
      design: Name,
      scenario: Name,
      kind: v.picklist(['correct', 'mutant'], 'expected "correct" or "mutant"'),
      runs: Count,
      failures: Count,
      first: v.nullable(FailureSchema),
      exhaustive: v.exactOptional(v.boolean('expected true or false')),
      shrunk: v.exactOptional(FailureSchema),
    },
    'expected a cell object (design, scenario, kind, runs, failures, first)',
  ),
  v.check((c) => c.failures <= c.runs, 'expected failures to be at most runs'),
  v.check(
    (c) => (c.failures === 0) === (c.first === null),
    'expected "first" to be a failure exactly when failures > 0',
  ),
);

export const ResultsSchema = v.object(
  {
    format: v.literal(
      'ktls-lab-results',
      'expected "ktls-lab-results" (a results.json of explore)',
    ),
    version: v.literal(1, 'expected version 1 (the version this build reads)'),
    strategy: v.picklist(['random', 'pct', 'dfs'], 'expected "random", "pct" or "dfs"'),
    shard: v.nullable(v.string('expected a shard "i/n" or null')),
    cells: v.array(CellSchema, 'expected an array of cells'),
  },
  'expected a results object (format, version, strategy, shard, cells)',
) satisfies v.GenericSchema<unknown, Results>;

const ChunkSchema = v.strictObject(
  {
    dir: v.picklist(['c2s', 's2c'], 'expected "c2s" or "s2c"'),
    offset: Count,
    length: Count,
    ms: v.pipe(v.number('expected milliseconds'), v.minValue(0, 'expected 0 or more')),
  },
  'expected a chunk { dir, offset, length, ms }',
);

export const CaptureIndexSchema = v.object(
  {
    format: v.literal('ktls-lab-capture', 'expected "ktls-lab-capture" (an index.json of capture)'),
    version: v.literal(1, 'expected version 1 (the version this build reads)'),
    chunks: v.array(ChunkSchema, 'expected an array of chunks'),
    // How each direction ended (capture's relay); older indexes have none.
    ends: v.optional(
      v.object({
        c2s: v.picklist(['fin', 'rst', 'open'], 'expected fin, rst or open'),
        s2c: v.picklist(['fin', 'rst', 'open'], 'expected fin, rst or open'),
      }),
    ),
  },
  'expected a capture index object (format, version, chunks)',
);

export type CaptureIndex = v.InferOutput<typeof CaptureIndexSchema>;
