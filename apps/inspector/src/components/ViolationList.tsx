import { memo } from 'react';
import type { ViolationMarker } from '../model/layout';

/** Every violation of the trace; choosing one moves the cursor there. */
export const ViolationList = memo(function ViolationList(props: {
  violations: readonly ViolationMarker[];
  cursor: number | null;
  onSelect: (event: number) => void;
}) {
  const { violations, cursor, onSelect } = props;
  return (
    <section className="panel violations" aria-label="Violations" data-testid="violations">
      <h2>Violations ({violations.length})</h2>
      {violations.length === 0 ? (
        <p className="hint">No invariant was violated in this trace.</p>
      ) : (
        <ul>
          {violations.map((v) => (
            <li key={v.event}>
              <button
                type="button"
                className={`link violation-link${cursor === v.event ? ' current' : ''}`}
                onClick={() => onSelect(v.event)}
              >
                ▼ #{v.invariant} {v.name} · step {v.t}
              </button>
              <div className="message">{v.message}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});
