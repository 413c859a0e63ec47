/**
 * The simulator job that re-runs the open trace's scenario and seed under another design, to
 * compare a mutant with the correct design (or the other way round) on the same interleaving.
 */
import type { TraceHeader } from '@ktls-lab/core';
import { parseRepro } from '@ktls-lab/sim';
import type { SimJob } from '../workers/simProtocol';

/** Null when the trace does not say which scenario and seed made it. */
export function compareJob(
  h: TraceHeader,
  design: string,
): Extract<SimJob, { kind: 'seed' }> | null {
  if (!h.scenario || h.seed === undefined) return null;
  let strategy: 'random' | 'pct' = 'random';
  try {
    if (h.repro && parseRepro(h.repro).strategy === 'pct') strategy = 'pct';
  } catch {
    // A repro we cannot read: the seed with the random strategy is still a fair comparison.
  }
  return { kind: 'seed', scenario: h.scenario, design, strategy, seed: Number(h.seed) };
}
