/** Compare the open trace with the same scenario and seed under another design. */
import { findSimDesign, SIM_DESIGNS } from '@ktls-lab/sim';
import { useState } from 'react';
import type { TraceDoc } from '../model/traceDoc';

export function CompareBar(props: {
  doc: TraceDoc;
  busy: boolean;
  onDesign: (design: string) => void;
  onClose: (() => void) | null;
}) {
  const { doc, busy, onDesign, onClose } = props;
  const h = doc.header;
  const correct = SIM_DESIGNS.filter((d) => d.kind === 'correct').map((d) => d.name);
  // A mutant is best compared with the correct design; a correct design with its first mutant.
  const suggestion =
    findSimDesign(h.design)?.kind === 'mutant'
      ? correct[0]!
      : (SIM_DESIGNS.find((d) => d.kind === 'mutant')?.name ?? correct[0]!);
  const [design, setDesign] = useState(suggestion);
  const canRun = h.world === 'sim' && h.scenario !== undefined && h.seed !== undefined;
  return (
    <div className="compare-bar">
      {canRun && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onDesign(design);
          }}
        >
          Compare with{' '}
          <select
            value={design}
            onChange={(e) => setDesign(e.target.value)}
            data-testid="compare-design"
          >
            {SIM_DESIGNS.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>{' '}
          on {h.scenario}, seed {h.seed}{' '}
          <button type="submit" disabled={busy} data-testid="compare-run">
            Compare
          </button>
        </form>
      )}
      {onClose && (
        <button type="button" onClick={onClose} data-testid="compare-close">
          Close comparison
        </button>
      )}
    </div>
  );
}
