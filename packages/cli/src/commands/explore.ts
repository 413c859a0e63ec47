import {
  type ExploreStrategy,
  type Results,
  type Selection,
  type Shard,
  select,
} from '@ktls-lab/sim';
import { formatDuration } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { explore } from '../explore.js';
import {
  type CheckedFailure,
  checkFailures,
  type ShrinkPassReport,
  shrinkFailures,
} from '../failures.js';
import { prepareOutDir, writeOutDir } from '../files.js';
import { writeErr, writeOut } from '../output.js';
import { createProgress } from '../progress.js';
import {
  failureLines,
  finalVerdict,
  verdictJson,
  verdictSentence,
  verdictTable,
} from '../report.js';
import { createRunner } from '../runner.js';
import { inspectCommand } from './inspect.js';
import { styleFor } from '../style.js';

export interface ExploreCommandOptions {
  readonly scenario: string[];
  readonly design: string[];
  readonly strategy: ExploreStrategy;
  readonly seeds?: number;
  /** Generated scenarios gen-1..gen-N instead of the catalog (which --scenario can add back). */
  readonly generated?: number;
  readonly budget?: number;
  readonly workers: number;
  readonly shard?: Shard;
  readonly out?: string;
  readonly json?: boolean;
  readonly shrink: boolean;
  readonly shrinkBudget: number;
  readonly maxAttempts: number;
  readonly keepGoing?: boolean;
  readonly inspect?: boolean;
}

export const DEFAULT_BUDGET_MS = 60_000;

export async function exploreCommand(o: ExploreCommandOptions): Promise<number> {
  const selection = selectionOf(o);
  const seeds = o.generated ?? o.seeds;
  if (o.inspect && o.out === undefined)
    throw new UsageError('--inspect needs --out DIR (the inspector serves that folder)');
  if (o.out !== undefined) prepareOutDir(o.out);
  const budgetMs = o.budget ?? (seeds === undefined ? DEFAULT_BUDGET_MS : undefined);
  const style = styleFor(process.stdout);
  const say = (line = '') => {
    if (!o.json) writeOut(`${line}\n`);
  };
  const note = (line: string) => writeErr(`${line}\n`);
  if (o.strategy === 'dfs' && seeds !== undefined) {
    note(
      'explore: --seeds does not apply to --strategy dfs (each cell is one exhaustive exploration)',
    );
  }

  const limits = [
    o.strategy === 'dfs' ? 'every schedule of each small scenario' : null,
    o.strategy !== 'dfs' && seeds !== undefined
      ? `${o.generated !== undefined ? 'generated scenarios' : 'seeds'} 1..${seeds}`
      : null,
    budgetMs !== undefined ? `budget ${formatDuration(budgetMs)}` : null,
  ].filter((x) => x !== null);
  const counted = `${selection.scenarios.length}${selection.generated ? ' + generated' : ''}`;
  say(
    `ktls-lab explore: ${o.strategy}, ${selection.designs.length} designs × ${counted} scenarios, ${limits.join(', ')}, ${o.workers} worker${o.workers === 1 ? '' : 's'}${o.shard ? `, shard ${o.shard.index}/${o.shard.count}` : ''}`,
  );

  // The first SIGINT (Ctrl-C) or SIGTERM ends the run after the batch in flight; the failures
  // found so far are still checked, written and reported, and the exit code says "interrupted".
  // A second signal kills (the default action, once the handlers are gone).
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    note(
      `\nexplore: ${signal}; finishing the batch in flight and writing what was found (again to abort)`,
    );
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await exploreAndReport(o, {
      selection,
      budgetMs,
      style,
      say,
      note,
      interrupted: () => interrupted,
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

interface RunContext {
  readonly selection: ReturnType<typeof select>;
  readonly budgetMs: number | undefined;
  readonly style: ReturnType<typeof styleFor>;
  readonly say: (line?: string) => void;
  readonly note: (line: string) => void;
  readonly interrupted: () => boolean;
}

async function exploreAndReport(o: ExploreCommandOptions, ctx: RunContext): Promise<number> {
  const { selection, budgetMs, style, say, note } = ctx;
  const seeds = o.generated ?? o.seeds;
  const runner = createRunner(o.workers);
  const progress = createProgress(o.json ? process.stderr : process.stdout, 'explore');
  let outcome: Awaited<ReturnType<typeof explore>>;
  try {
    outcome = await explore(runner, {
      selection,
      strategy: o.strategy,
      ...(seeds === undefined ? {} : { seeds }),
      ...(budgetMs === undefined ? {} : { budgetMs }),
      ...(o.shard ? { shard: o.shard } : {}),
      keepGoing: o.keepGoing ?? false,
      onProgress: (p) => progress.update(p),
      interrupted: ctx.interrupted,
    });
  } finally {
    progress.stop();
    await runner.close();
  }
  const { results } = outcome;

  // Interrupted: no shrinking (it could take the whole shrink budget); the first failures are
  // written as found.
  let shrinkReport: ShrinkPassReport | null = null;
  if (o.shrink && !ctx.interrupted()) {
    shrinkReport = shrinkFailures(results, {
      maxAttempts: o.maxAttempts,
      budgetMs: o.shrinkBudget,
    });
  }
  const checked = checkFailures(results, o.out !== undefined);
  const problems = checked.flatMap((c) => c.problems);
  // A write that fails (a full disk, the folder removed) must not lose the failures: they are
  // still printed below, and the error ends the command after that.
  let traces: string[] = [];
  let writeError: unknown = null;
  if (o.out !== undefined) {
    try {
      traces = writeOutDir(o.out, results, checked, ctx.interrupted());
    } catch (e) {
      writeError = e;
    }
  }
  const sentence = verdictSentence(results);
  const ok = finalVerdict(results).ok && problems.length === 0;
  const runsPerSecond = outcome.runs / Math.max(0.001, outcome.elapsedMs / 1000);

  if (o.json) {
    writeOut(
      `${JSON.stringify(
        {
          ...results,
          verdict: verdictJson(results),
          stats: {
            runs: outcome.runs,
            elapsedMs: Math.round(outcome.elapsedMs),
            runsPerSecond: Math.round(runsPerSecond),
            workers: o.workers,
            stoppedBy: outcome.stoppedBy,
            lastSeed: outcome.lastSeed,
          },
          problems,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    say();
    for (const line of verdictTable(results, style)) say(line);
    const failures = failureLines(results, style);
    if (failures.length > 0) {
      say();
      say('failures (shortest repro; replay with `ktls-lab replay <repro>`):');
      for (const line of failures) say(line);
    }
    say();
    for (const line of notes(results, outcome, shrinkReport, checked)) say(line);
    if (o.out !== undefined && writeError === null) {
      say(
        `wrote ${o.out}/results.json, ${o.out}/index.json and ${traces.length} trace${traces.length === 1 ? '' : 's'} in ${o.out}/traces`,
      );
    }
    say(
      `${outcome.runs} runs in ${formatDuration(outcome.elapsedMs)}: ${Math.round(runsPerSecond)} runs/s (${o.workers} worker${o.workers === 1 ? '' : 's'}, stopped: ${stopText(outcome.stoppedBy)})`,
    );
    say(sentence.ok ? style.green(sentence.text) : style.red(style.bold(sentence.text)));
  }
  for (const p of problems) note(style.red(style.bold(`NONDETERMINISM OR BROKEN REPRO: ${p}`)));
  // The report above has every failure (table and repros, or the JSON); now the write error.
  if (writeError !== null) throw writeError;
  if (ctx.interrupted()) {
    note(
      `explore: interrupted after ${outcome.runs} runs; ${checked.length} failing cell${checked.length === 1 ? '' : 's'} reported${o.out !== undefined ? ` and written to ${o.out}` : ''}`,
    );
    return EXIT.interrupted;
  }
  const code = ok ? EXIT.ok : EXIT.finding;
  if (o.inspect && o.out !== undefined) await inspectCommand(o.out, {});
  return code;
}

/** `--generated N`: the generated cell, plus the catalog scenarios named with --scenario. */
function selectionOf(o: ExploreCommandOptions): Selection {
  const selection = select(o.scenario, o.design);
  if (o.generated === undefined) return selection;
  if (o.seeds !== undefined)
    throw new UsageError('--generated N runs seeds 1..N already; leave out --seeds');
  if (o.strategy === 'dfs')
    throw new UsageError('--generated runs random or PCT schedules, not --strategy dfs');
  return {
    ...selection,
    scenarios: o.scenario.length === 0 ? [] : selection.scenarios,
    generated: true,
  };
}

function stopText(s: string): string {
  switch (s) {
    case 'seeds':
      return 'all seeds done';
    case 'budget':
      return 'budget spent';
    case 'all-failed':
      return 'every cell failed';
    case 'interrupted':
      return 'interrupted';
    default:
      return 'done';
  }
}

function notes(
  results: Results,
  outcome: { runs: number },
  shrinkReport: ShrinkPassReport | null,
  checked: readonly CheckedFailure[],
): string[] {
  const lines: string[] = [];
  const notRun = results.cells.filter((c) => c.runs === 0).length;
  if (notRun > 0) {
    lines.push(
      `note: ${notRun} cells got no runs (the budget ran out first); their verdict is vacuous`,
    );
  }
  const partial = results.cells.filter((c) => c.exhaustive === false && c.failures === 0).length;
  if (partial > 0) lines.push(`note: ${partial} dfs cells were not explored exhaustively (held?)`);
  if (results.strategy === 'dfs') {
    const exhaustive = results.cells.filter((c) => c.exhaustive === true).length;
    lines.push(
      `dfs: ${outcome.runs} schedules; ${exhaustive} of ${results.cells.length} cells explored exhaustively`,
    );
  }
  if (shrinkReport && checked.length > 0) {
    const skipped = shrinkReport.skipped.length;
    lines.push(
      `shrunk ${shrinkReport.shrunk} failure${shrinkReport.shrunk === 1 ? '' : 's'} in ${shrinkReport.attempts} replays (${formatDuration(shrinkReport.elapsedMs)})${skipped > 0 ? `; ${skipped} left unshrunk (shrink budget spent)` : ''}`,
    );
  }
  if (checked.length > 0) {
    const deterministic = checked.filter((c) => c.traceHash !== null).length;
    lines.push(
      `determinism: ${deterministic} of ${checked.length} repros replayed to identical traces`,
    );
  }
  return lines;
}
