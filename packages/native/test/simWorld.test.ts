/**
 * The simulator's World against core's driver, on every kernel-capable scenario, in both designs a
 * kernel implements (issue 15): the same app-visible sequence, or exactly the documented
 * divergence (SIM_DIVERGENCES). The VM runs the World against the real kernel
 * (test/kernel/differential.ts, rows `differential.sim.<scenario>`); this runs in ordinary CI.
 */
import { LINUX_KTLS, LINUX_KTLS_PRE_REKEY } from '@ktls-lab/core';
import { SCENARIOS } from '@ktls-lab/sim';
import { describe, expect, it } from 'vitest';
import {
  appSequencesOfRun,
  compareWithSim,
  kernelCapability,
  runScenarioOnCore,
  runScenarioOnSim,
  SIM_DIVERGENCES,
} from '../src/index.js';

const capable = SCENARIOS.filter((s) => kernelCapability(s).ok);

describe.each([LINUX_KTLS, LINUX_KTLS_PRE_REKEY])('sim World vs core driver, $name', (design) => {
  it.each(capable.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const sim = runScenarioOnSim(s, design);
    const core = runScenarioOnCore(s, { design });
    expect(sim.verdict).toBe('held');
    expect(compareWithSim(sim, appSequencesOfRun(core))).toEqual([]);
    // Not vacuous: some endpoint read something.
    expect([...sim.sequence.client, ...sim.sequence.server].length).toBeGreaterThan(0);
    // Same schedule, same trace: the sim side of the differential is deterministic.
    expect(runScenarioOnSim(s, design).trace).toBe(sim.trace);
  });
});

describe('the comparison', () => {
  const s = capable.find((x) => x.name === 'key-update-one-way')!;

  it('has at least 8 kernel-capable scenarios to compare', () => {
    expect(capable.length).toBeGreaterThanOrEqual(8);
  });

  it('sees the freeze and the records around it', () => {
    const sim = runScenarioOnSim(s, LINUX_KTLS);
    expect(sim.sequence.server).toEqual(['data 300', 'control 22/5', 'EKEYEXPIRED', 'data 300']);
    // Before 6.14 there is no freeze: the data after the KeyUpdate arrives under the old key.
    expect(runScenarioOnSim(s, LINUX_KTLS_PRE_REKEY).sequence.server).toEqual([
      'data 300',
      'control 22/5',
      'data 300',
    ]);
  });

  it('fails on a difference the table does not document', () => {
    const sim = runScenarioOnSim(s, LINUX_KTLS);
    const other = { ...sim.sequence, server: sim.sequence.server.slice(0, 2) };
    expect(compareWithSim(sim, other)).toHaveLength(1);
  });

  it('fails when a documented divergence goes away or changes', () => {
    for (const d of SIM_DIVERGENCES) {
      const sc = capable.find((x) => x.name === d.scenario)!;
      const sim = runScenarioOnSim(sc, LINUX_KTLS);
      // The socket side seeing what the sim sees: the divergence is gone, and that must be noticed.
      expect(compareWithSim(sim, sim.sequence)).toEqual([
        expect.stringContaining('documented divergence changed'),
      ]);
    }
    expect(SIM_DIVERGENCES.map((d) => `${d.scenario}.${d.side}`)).toEqual(['fatal-alert.server']);
  });

  it('refuses a design the simulator does not have', () => {
    expect(() => runScenarioOnSim(s, { ...LINUX_KTLS, name: 'no-such-design' })).toThrow(
      /no design no-such-design/,
    );
  });
});
