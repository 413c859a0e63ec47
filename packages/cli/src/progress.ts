import { Presets, SingleBar } from 'cli-progress';
import { formatDuration } from './args.js';
import type { ExploreProgress } from './explore.js';

export interface Progress {
  update(p: ExploreProgress): void;
  stop(): void;
}

/**
 * A progress bar when `stream` is a terminal; otherwise a plain line every few seconds on stderr
 * (so that piped stdout stays the report alone).
 */
export function createProgress(stream: NodeJS.WriteStream, label: string): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format: `${label} {bar} {percentage}% | {runs} runs | {failing} failing cells | {elapsed}`,
        hideCursor: true,
        clearOnComplete: true,
        barsize: 30,
      },
      Presets.shades_classic,
    );
    bar.start(1000, 0, { runs: 0, failing: 0, elapsed: '0ms' });
    return {
      update: (p) =>
        bar.update(Math.round(p.fraction * 1000), {
          runs: p.runs,
          failing: p.failingCells,
          elapsed: formatDuration(p.elapsedMs),
        }),
      stop: () => bar.stop(),
    };
  }
  let lastLine = 0;
  let printed = -1;
  let last: ExploreProgress | null = null;
  const line = (p: ExploreProgress) => {
    printed = p.runs;
    process.stderr.write(
      `${label}: ${p.runs} runs, ${p.failingCells} failing cells, ${formatDuration(p.elapsedMs)}\n`,
    );
  };
  return {
    update(p) {
      last = p;
      if (p.elapsedMs - lastLine >= 5000) {
        lastLine = p.elapsedMs;
        line(p);
      }
    },
    stop() {
      if (last && last.runs !== printed) line(last);
    },
  };
}
