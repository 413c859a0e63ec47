import type { LoadProgress } from '../model/traceDoc';

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** Shown while the worker reads and parses; the page stays responsive meanwhile. */
export function LoadingPanel({ name, progress }: { name: string; progress: LoadProgress | null }) {
  const fraction = progress?.total ? Math.min(1, progress.loaded / progress.total) : null;
  return (
    <section className="panel loading" aria-busy="true" data-testid="loading">
      <h2>Opening {name}</h2>
      <p>
        {progress === null
          ? 'starting…'
          : progress.phase === 'reading'
            ? `reading ${mb(progress.loaded)}${progress.total ? ` of ${mb(progress.total)}` : ''}`
            : `checking and parsing ${mb(progress.loaded)}…`}
      </p>
      <progress
        max={1}
        {...(fraction === null || progress?.phase === 'parsing' ? {} : { value: fraction })}
      />
    </section>
  );
}
