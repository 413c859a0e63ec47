/**
 * Try a seed without a terminal: scenario, design, strategy and seed; the simulator runs in a
 * Web Worker and its trace opens here. Also replays a repro string.
 */
import { SCENARIOS, SIM_DESIGNS } from '@ktls-lab/sim';
import { useState } from 'react';
import type { SimJob } from '../workers/simProtocol';

export function SimPanel(props: {
  busy: boolean;
  status: string | null;
  onRun: (job: SimJob) => void;
}) {
  const [scenario, setScenario] = useState(SCENARIOS[1]?.name ?? SCENARIOS[0]!.name);
  const [design, setDesign] = useState(SIM_DESIGNS[0]!.name);
  const [strategy, setStrategy] = useState<'random' | 'pct'>('random');
  const [seed, setSeed] = useState('1');
  const [repro, setRepro] = useState('');
  const seedOk = /^\d{1,9}$/.test(seed);
  return (
    <section className="panel sim" aria-label="Run the simulator" data-testid="sim-panel">
      <h2>Run the simulator</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (seedOk) props.onRun({ kind: 'seed', scenario, design, strategy, seed: Number(seed) });
        }}
      >
        <label>
          scenario
          <select
            value={scenario}
            onChange={(e) => setScenario(e.target.value)}
            data-testid="sim-scenario"
          >
            {SCENARIOS.map((s) => (
              <option key={s.name} value={s.name} title={s.summary}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          design
          <select
            value={design}
            onChange={(e) => setDesign(e.target.value)}
            data-testid="sim-design"
          >
            {SIM_DESIGNS.map((d) => (
              <option key={d.name} value={d.name} title={d.summary}>
                {d.name}
                {d.kind === 'mutant' ? ' (mutant)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          strategy
          <select
            value={strategy}
            onChange={(e) => setStrategy(e.target.value as 'random' | 'pct')}
          >
            <option value="random">random</option>
            <option value="pct">pct</option>
          </select>
        </label>
        <label>
          seed
          <input
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
            inputMode="numeric"
            size={8}
            aria-invalid={!seedOk}
            data-testid="sim-seed"
          />
        </label>
        <button type="submit" disabled={props.busy || !seedOk} data-testid="sim-run">
          {props.busy ? 'Running…' : 'Run seed'}
        </button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (repro.trim()) props.onRun({ kind: 'replay', repro: repro.trim() });
        }}
      >
        <label className="wide">
          repro
          <input
            value={repro}
            onChange={(e) => setRepro(e.target.value)}
            placeholder="ktls1:scenario:design:…"
          />
        </label>
        <button type="submit" disabled={props.busy || !repro.trim()}>
          Replay
        </button>
      </form>
      {props.status && (
        <p className="status" data-testid="sim-status">
          {props.status}
        </p>
      )}
    </section>
  );
}
