/**
 * In-VM runner of the kernel suite: one process, every test in order, a line per test on stdout,
 * and a JSON report (`--out`) that vm/run.mjs reads back over the rw 9p share. With `--bench=1`
 * it also runs the benchmark and puts its numbers in the report.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatProbe, probe } from '../../src/index.js';
import { runBenchmark } from './bench.js';
import { kernelTest, type Need, NotApplicable, TESTS, unmetNeeds } from './framework.js';
import { checkRequirements, harnessEnv } from './requirements.js';
import './all.js';

interface Outcome {
  readonly name: string;
  readonly row: string;
  readonly variant: string;
  readonly group: string;
  readonly status: 'pass' | 'fail' | 'na';
  readonly message?: string;
  readonly ms: number;
}

/**
 * packages/node-ktls's rows (group `node-ktls`), compiled by vm/run.mjs into that package's
 * dist-vm: imported by path, not as a dependency (node-ktls depends on this package), and run in
 * this same process (docs/vm-harness.md §5: one Node process per boot).
 */
const NODE_KTLS_SUITE = new URL(
  '../../../../node-ktls/dist-vm/test/kernel/suite.js',
  import.meta.url,
);
const NODE_KTLS_BENCH = new URL(
  '../../../../node-ktls/dist-vm/test/kernel/bench.js',
  import.meta.url,
);

interface ExternalTest {
  readonly row: string;
  readonly variant: string;
  readonly needs: readonly string[];
  readonly run: () => unknown;
}

async function registerNodeKtls(): Promise<void> {
  if (!existsSync(fileURLToPath(NODE_KTLS_SUITE))) return;
  const m = (await import(NODE_KTLS_SUITE.href)) as { NODE_KTLS_TESTS: ExternalTest[] };
  for (const t of m.NODE_KTLS_TESTS)
    kernelTest('node-ktls', t.row, t.variant, t.needs as readonly Need[], t.run);
}

/** Adds node-ktls's benchmark (Node tls vs the offloaded stream vs sendFile) to ours. */
async function withNodeKtls<B extends { text: string }>(ours: B): Promise<B> {
  if (!existsSync(fileURLToPath(NODE_KTLS_BENCH))) return ours;
  const m = (await import(NODE_KTLS_BENCH.href)) as {
    runNodeKtlsBenchmark: () => Promise<{ text: string }>;
  };
  try {
    const nodeKtls = await m.runNodeKtlsBenchmark();
    return { ...ours, nodeKtls, text: `${ours.text}\n${nodeKtls.text}` };
  } catch (error) {
    return { ...ours, text: `${ours.text}\nnode-ktls benchmark failed: ${String(error)}` };
  }
}

/**
 * NotApplicable, or an error of that name from another package's rows (node-ktls cannot import
 * this test-only class, so it throws its own with the same name).
 */
const isNotApplicable = (error: unknown): boolean =>
  error instanceof NotApplicable || (error instanceof Error && error.name === 'NotApplicable');

async function main(): Promise<void> {
  await registerNodeKtls();
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const out = outIdx >= 0 ? args[outIdx + 1] : undefined;
  const bench = args.includes('--bench=1');
  const filter = process.env.KTLS_TEST_FILTER;
  const started = Date.now();
  const p = probe();
  console.log(formatProbe(p));
  const results: Outcome[] = [];
  // The VM's own requirements first: a run without them would be all n/a and prove nothing.
  for (const r of checkRequirements(p, harnessEnv(process.env))) {
    const outcome: Outcome = {
      name: r.row,
      row: r.row,
      variant: '',
      group: 'harness',
      status: r.failure === null ? 'pass' : 'fail',
      ...(r.failure === null ? {} : { message: r.failure }),
      ms: 0,
    };
    results.push(outcome);
    console.log(
      `${r.failure === null ? 'ok  ' : 'FAIL'} ${r.row}${r.failure ? `: ${r.failure}` : ''}`,
    );
  }
  // An error no test awaited (a socket's 'error' without a listener, a rejection nobody handled)
  // fails the test that was running instead of ending the process and every later row with it.
  const stray: string[] = [];
  const onStray = (e: unknown) => stray.push(e instanceof Error ? e.message : String(e));
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  for (const t of TESTS) {
    // Comma-separated substrings: a test runs when its name contains any of them.
    if (filter && !filter.split(',').some((f) => f !== '' && t.name.includes(f))) continue;
    stray.length = 0;
    const t0 = Date.now();
    const why = unmetNeeds(t, p);
    let outcome: Outcome;
    if (why !== null) {
      outcome = { ...pick(t), status: 'na', message: why, ms: 0 };
    } else {
      try {
        const note = await withinRowTimeout(Promise.resolve(t.run()));
        outcome = {
          ...pick(t),
          status: 'pass',
          ...(typeof note === 'string' ? { message: note } : {}),
          ms: Date.now() - t0,
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        outcome = isNotApplicable(error)
          ? { ...pick(t), status: 'na', message, ms: Date.now() - t0 }
          : {
              ...pick(t),
              status: 'fail',
              message: `${message}${error instanceof Error && error.stack ? `\n${error.stack.split('\n').slice(1, 4).join('\n')}` : ''}`,
              ms: Date.now() - t0,
            };
      }
    }
    if (stray.length > 0 && outcome.status !== 'fail')
      outcome = {
        ...pick(t),
        status: 'fail',
        message: `an error no test awaited: ${stray.join('; ')}`,
        ms: outcome.ms,
      };
    results.push(outcome);
    const tag = outcome.status === 'pass' ? 'ok  ' : outcome.status === 'na' ? 'n/a ' : 'FAIL';
    console.log(
      `${tag} ${t.name} (${outcome.ms} ms)${outcome.message ? `: ${outcome.message}` : ''}`,
    );
  }
  const benchResult = bench ? await withNodeKtls(await runBenchmark()) : undefined;
  if (benchResult) console.log(benchResult.text);
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.filter((r) => r.status === 'fail').length;
  const na = results.filter((r) => r.status === 'na').length;
  const report = {
    kernel: p.kernel,
    probe: p,
    tests: results,
    wallMs: Date.now() - started,
    ...(benchResult ? { bench: benchResult } : {}),
  };
  if (out) writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
  console.log(`${passed} passed, ${failed} failed, ${na} not applicable`);
  // Exit now: a row that left a socket or timer behind must not keep the guest up until the VM's
  // own timeout, which would lose every result (docs/vm-harness.md §3).
  process.exit(failed > 0 ? 1 : 0);
}

/**
 * A row that hangs fails after ROW_TIMEOUT_MS instead of stalling the whole kernel's suite. The
 * slowest rows (64 MiB under TCG on a loaded host) take about 80 s; four times that is a hang.
 */
const ROW_TIMEOUT_MS = 320_000;
function withinRowTimeout<T>(run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the row did not finish in ${ROW_TIMEOUT_MS / 1000} s (a hang)`)),
      ROW_TIMEOUT_MS,
    );
  });
  return Promise.race([run, expired]).finally(() => clearTimeout(timer));
}

function pick(t: { name: string; row: string; variant: string; group: string }) {
  return { name: t.name, row: t.row, variant: t.variant, group: t.group };
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
