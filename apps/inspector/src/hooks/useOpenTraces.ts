/**
 * Putting traces into the two slots: from a URL, from picked or dropped files (one trace, two to
 * compare, or a run folder's index.json with its traces), and from the simulator.
 */
import { useCallback } from 'react';
import { type Focus, NO_FOCUS } from './useNavigation';
import type { RunFolderState } from './useRunFolder';
import type { TraceSlot } from './useTraceSlots';

/** A trace the simulator wrote. */
export interface SimTrace {
  readonly name: string;
  readonly text: string;
}

export function useOpenTraces(
  primary: TraceSlot,
  compare: TraceSlot,
  runs: Pick<RunFolderState, 'openIndex' | 'close' | 'dismissError'>,
  focusNext: (focus: Focus) => void,
) {
  const { load } = primary;
  const { load: loadCompare, clear: clearCompare } = compare;
  const { openIndex, close, dismissError } = runs;

  const openTraceUrl = useCallback(
    (url: string, focus: Focus) => {
      focusNext(focus);
      void load({ kind: 'url', url }, url, url);
    },
    [load, focusNext],
  );

  const openCompareUrl = useCallback(
    (url: string) => void loadCompare({ kind: 'url', url }, url, url),
    [loadCompare],
  );

  const openFiles = useCallback(
    async (files: readonly File[], asCompare = false) => {
      if (files.length === 0) return;
      const index = files.find((f) => f.name === 'index.json');
      if (index && !asCompare) {
        const byName = new Map(files.map((f) => [f.name, f]));
        clearCompare();
        openIndex(await index.text(), index.name, null, byName, null, null);
        return;
      }
      const traces = files.filter((f) => f !== index);
      if (asCompare) {
        void loadCompare({ kind: 'file', file: traces[0]! }, traces[0]!.name, null);
        return;
      }
      close();
      dismissError();
      focusNext(NO_FOCUS);
      void load({ kind: 'file', file: traces[0]! }, traces[0]!.name, null);
      // Two traces at once: the second is compared with the first.
      if (traces[1]) void loadCompare({ kind: 'file', file: traces[1] }, traces[1].name, null);
      else clearCompare();
    },
    [load, loadCompare, clearCompare, openIndex, close, dismissError, focusNext],
  );

  const openSimTrace = useCallback(
    (trace: SimTrace, asCompare: boolean) => {
      const source = { kind: 'text', text: trace.text, name: trace.name } as const;
      if (asCompare) {
        void loadCompare(source, trace.name, null);
        return;
      }
      close();
      focusNext(NO_FOCUS);
      void load(source, trace.name, null);
    },
    [load, loadCompare, close, focusNext],
  );

  return { openTraceUrl, openCompareUrl, openFiles, openSimTrace };
}
