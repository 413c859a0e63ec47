import { memo } from 'react';
import { isFailing, type RunIndex } from '../model/runIndex';

/** The runs of an exploration folder (design × scenario), with verdict and repro. */
export const RunList = memo(function RunList(props: {
  index: RunIndex;
  selected: number | null;
  onOpen: (i: number) => void;
}) {
  const { index, selected, onOpen } = props;
  return (
    <section className="panel runs" aria-label="Runs" data-testid="runs">
      <h2>Runs ({index.runs.length})</h2>
      {index.summary && <p className="summary">{index.summary}</p>}
      <table>
        <thead>
          <tr>
            <th>design</th>
            <th>scenario</th>
            <th>verdict</th>
          </tr>
        </thead>
        <tbody>
          {index.runs.map((r, i) => {
            const failing = isFailing(r);
            const unexpected = failing && r.kind === 'correct';
            return (
              <tr
                // biome-ignore lint/suspicious/noArrayIndexKey: the index is the run's identity here
                key={i}
                className={`${i === selected ? 'selected ' : ''}${unexpected ? 'unexpected' : failing ? 'failing' : ''}`}
              >
                <td>
                  {r.design}
                  {r.kind === 'mutant' && <span className="tag">mutant</span>}
                </td>
                <td>{r.scenario}</td>
                <td>
                  {r.trace ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => onOpen(i)}
                      title={r.repro ?? undefined}
                    >
                      {failing ? '✗' : '✓'} {r.verdict}
                      {r.invariant !== null && ` #${r.invariant}`}
                    </button>
                  ) : (
                    <span>
                      {failing ? '✗' : '✓'} {r.verdict}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {selected !== null && index.runs[selected]?.repro && (
        <p className="repro">
          repro: <code data-testid="repro">{index.runs[selected]!.repro}</code>
        </p>
      )}
    </section>
  );
});
