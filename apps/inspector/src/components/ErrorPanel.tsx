/** A trace that cannot be opened says what is wrong and where; never a blank page. */
import type { LoadError } from '../model/loadError';

export function ErrorPanel({
  source,
  error,
  onDismiss,
}: {
  source: string;
  error: LoadError;
  onDismiss?: () => void;
}) {
  return (
    <section className="panel error-panel" role="alert" data-testid="error-panel">
      <h2>Cannot open {source}</h2>
      <p className="error-message">{error.message}</p>
      <dl className="fields">
        <dt>problem</dt>
        <dd>
          <code data-testid="error-code">{error.code}</code>
        </dd>
        <dt>where</dt>
        <dd data-testid="error-where">
          {error.line > 0
            ? `line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''}`
            : 'the file as a whole'}
          {error.path !== undefined && (
            <>
              {' '}
              · field <code>{error.path}</code>
            </>
          )}
        </dd>
      </dl>
      <p className="hint">
        A trace is NDJSON: a header line <code>{'{"format":"ktls-lab-trace","version":1,…}'}</code>,
        then one event per line, as written by <code>ktls-lab explore --out</code>,{' '}
        <code>ktls-lab replay --trace</code> or the simulator here.
      </p>
      {onDismiss && (
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </section>
  );
}
