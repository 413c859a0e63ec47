/**
 * The compared trace under the main one: its title and timeline on the main view's viewport, its
 * cursor on the event at the main cursor's step.
 */
import type { Layout } from '../model/layout';
import type { TraceDoc } from '../model/traceDoc';
import type { RowPositions, Viewport } from '../model/viewport';
import { Timeline } from './Timeline';
import { TraceTitle } from './TraceTitle';

export function CompareView(props: {
  doc: TraceDoc;
  layout: Layout;
  rows: RowPositions;
  viewport: Viewport;
  mask: Uint8Array | null;
  cursor: number | null;
  onViewport: (v: Viewport) => void;
  onSelect: (i: number) => void;
}) {
  const { doc, layout, rows, viewport, mask, cursor, onViewport, onSelect } = props;
  return (
    <div className="compare" data-testid="compare">
      <TraceTitle doc={doc} layout={layout} cursor={cursor} playing={false} />
      <Timeline
        label={doc.name}
        layout={layout}
        events={doc.events}
        rows={rows}
        viewport={viewport}
        mask={mask}
        cursor={cursor}
        onViewport={onViewport}
        onSelect={onSelect}
      />
    </div>
  );
}
