/**
 * The simulator, run in a Web Worker (workers/simClient.ts) so that the page stays responsive:
 * whether a run is under way, what the last one said, and its trace handed to `onTrace`.
 */
import { useCallback, useState } from 'react';
import { simulate } from '../workers/simClient';
import type { SimJob, SimResult } from '../workers/simProtocol';

type SimSuccess = Extract<SimResult, { ok: true }>;

/** One line on a finished run: verdict, violation, length and the repro string to replay it. */
export function simSummary(r: SimSuccess): string {
  return `${r.name}: ${r.verdict}${r.violation ? ` (${r.violation})` : ''} in ${r.steps} steps. repro ${r.repro}`;
}

export function useSimWorker(onTrace: (trace: SimSuccess, asCompare: boolean) => void) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  const run = useCallback(
    async (job: SimJob, asCompare = false) => {
      setBusy(true);
      setStatus('running in the worker…');
      const r = await simulate(job);
      setBusy(false);
      if (!r.ok) {
        setStatus(`simulator: ${r.message}`);
        return;
      }
      setStatus(simSummary(r));
      onTrace(r, asCompare);
    },
    [onTrace],
  );

  return { busy, status, run };
}
