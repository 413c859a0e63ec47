import * as v from 'valibot';

/**
 * The schema of `.test-results/kernel.json`, the summary `pnpm test:kernel` (vm/run.mjs) writes
 * and vm/table.mjs reads back: a truncated or hand-edited file is refused with its JSON path and
 * what was expected, in one line, instead of a TypeError in the table.
 */

const Ms = v.pipe(v.number('expected milliseconds'), v.minValue(0, 'expected 0 or more'));

const Outcome = v.looseObject({
  name: v.string('expected the test name'),
  row: v.string('expected the table row'),
  variant: v.string('expected the variant ("" for none)'),
  status: v.picklist(['pass', 'fail', 'na'], 'expected "pass", "fail" or "na"'),
  message: v.exactOptional(v.string('expected a message')),
  ms: Ms,
});

const Suite = v.looseObject({
  tests: v.array(Outcome, 'expected an array of test outcomes'),
  wallMs: Ms,
  bench: v.exactOptional(v.looseObject({ text: v.string('expected the benchmark text') })),
});

export const KernelReportSchema = v.object({
  when: v.pipe(v.string('expected an ISO date'), v.isoTimestamp('expected an ISO date')),
  wallMs: Ms,
  kernels: v.array(
    v.looseObject({
      channel: v.string('expected the channel'),
      version: v.string('expected the kernel version'),
      ok: v.boolean('expected true or false'),
      exit: v.nullable(v.number('expected the harness exit code')),
      wallMs: Ms,
      vmMs: Ms,
      suite: v.nullable(Suite),
    }),
    'expected an array of kernels',
  ),
});

export type KernelReport = v.InferOutput<typeof KernelReportSchema>;

/** Parses and checks kernel.json's text; throws an Error whose message is one line. */
export function parseKernelReport(file: string, text: string): KernelReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${file}: not JSON (${(e as Error).message.slice(0, 80)}); run pnpm test:kernel again`,
    );
  }
  const r = v.safeParse(KernelReportSchema, value, { abortEarly: true });
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = v.getDotPath(issue);
  throw new Error(`${file}: ${path === null ? '' : `at ${path}: `}${issue.message}`);
}
