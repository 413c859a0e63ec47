import { memo } from 'react';
import type { Layout } from '../model/layout';
import type { TraceDoc } from '../model/traceDoc';

/** What this trace is (design × scenario, seed, world) and where the cursor is. */
export const TraceTitle = memo(function TraceTitle(props: {
  doc: TraceDoc;
  layout: Layout;
  cursor: number | null;
  playing: boolean;
}) {
  const { doc, layout, cursor, playing } = props;
  const h = doc.header;
  const e = cursor !== null && cursor < doc.events.length ? doc.events.at(cursor) : undefined;
  return (
    <div className="trace-title" data-testid="trace-title">
      <h2>
        {h.design}
        {h.scenario !== undefined && <> × {h.scenario}</>}
        {h.seed !== undefined && <span className="muted"> seed {h.seed}</span>}
      </h2>
      <p className="muted">
        {h.world} · {h.engine}
        {h.kernel !== undefined && ` · kernel ${h.kernel}`}
        {h.suite !== undefined && ` · ${h.suite}`} · {thousands(doc.events.length)} events ·{' '}
        {layout.violations.length} violation{layout.violations.length === 1 ? '' : 's'} · {doc.name}{' '}
        · opened in {Math.round(doc.loadMs)} ms
      </p>
      <p className="position" data-testid="position" aria-live="polite">
        {e
          ? `event ${cursor} of ${doc.events.length} · step ${e.t} · ${e.ep} ${e.lane} ${e.kind}`
          : 'no event selected'}
        {playing && ' · playing'}
      </p>
      {h.repro !== undefined && (
        <p className="repro muted">
          repro <code>{h.repro}</code>
        </p>
      )}
    </div>
  );
});

/**
 * 100000 → "100,000". Not `toLocaleString`: its first call loads the number formatting data,
 * about 100 ms on the first trace a fresh page opens (bench/bench.mjs).
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
