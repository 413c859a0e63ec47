import type { LoadProgress } from '../model/traceDoc';

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** Shown while the trace is read and then parsed in slices; the page stays responsive meanwhile. */
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
            : `checking and parsing${fraction === null ? '' : ` (${Math.floor(fraction * 100)} %)`}…`}
      </p>
      <progress max={1} {...(fraction === null ? {} : { value: fraction })} />
    </section>
  );
}
