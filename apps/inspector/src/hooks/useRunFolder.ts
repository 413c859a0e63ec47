/**
 * The open run folder (the index.json `ktls-lab explore --out` writes) and which of its runs is
 * shown. A run folder comes from a URL, its traces then resolve against that URL, or from files
 * opened together, its traces then are the opened files of the same base name.
 */
import { useCallback, useState } from 'react';
import { loadError } from '../model/loadError';
import { firstFailing, parseRunIndex, type RunIndex } from '../model/runIndex';
import type { Focus } from './useNavigation';
import type { TraceSlot } from './useTraceSlots';

export interface RunFolder {
  readonly name: string;
  readonly index: RunIndex;
  /** URL of index.json (traces resolve against it), or null when opened from files. */
  readonly url: string | null;
  /** Dropped or picked files by base name, when opened from files. */
  readonly files: ReadonlyMap<string, File> | null;
  readonly sel: number | null;
}

export function useRunFolder(
  primary: Pick<TraceSlot, 'load' | 'fail'>,
  focusNext: (focus: Focus) => void,
) {
  const { load, fail } = primary;
  const [run, setRun] = useState<RunFolder | null>(null);
  const [runError, setRunError] = useState<string | null>(null);

  /** Shows run `i` of the folder, at event `stepAt` or else at its first violation. */
  const openEntry = useCallback(
    (folder: RunFolder, i: number, stepAt: number | null) => {
      const entry = folder.index.runs[i];
      setRun({ ...folder, sel: i });
      if (!entry?.trace) return;
      focusNext({ step: stepAt, violation: true });
      const name = `${entry.design} × ${entry.scenario}`;
      if (folder.url !== null) {
        // index.json holds a file path, not a URL: encode each segment so `#`, `?`, `%` and
        // spaces in a name reach the server (apps/inspector/server.mjs decodes them).
        const path = entry.trace.split('/').map(encodeURIComponent).join('/');
        const url = new URL(path, new URL(folder.url, window.location.href)).toString();
        void load({ kind: 'url', url }, name, url);
        return;
      }
      const base = entry.trace.split('/').pop()!;
      const file = folder.files?.get(base);
      if (!file) {
        fail(
          name,
          loadError(
            'read-failed',
            `the run folder lists ${entry.trace}, but no file named ${base} was opened with index.json`,
          ),
        );
        return;
      }
      void load({ kind: 'file', file }, `${name} (${file.name})`, null);
    },
    [load, fail, focusNext],
  );

  /** Opens an index.json's text on run `sel`, or else on its first failing run. */
  const openIndex = useCallback(
    (
      text: string,
      name: string,
      url: string | null,
      files: ReadonlyMap<string, File> | null,
      sel: number | null,
      stepAt: number | null,
    ) => {
      const parsed = parseRunIndex(text);
      if (!parsed.ok) {
        setRun(null);
        setRunError(`${name}: ${parsed.message}`);
        return;
      }
      setRunError(null);
      const folder: RunFolder = { name, index: parsed.index, url, files, sel: null };
      const pick =
        sel !== null && sel < parsed.index.runs.length ? sel : firstFailing(parsed.index);
      if (pick >= 0) openEntry(folder, pick, stepAt);
      else setRun(folder);
    },
    [openEntry],
  );

  const openUrl = useCallback(
    async (url: string, sel: number | null, stepAt: number | null) => {
      try {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`HTTP ${r.status} ${r.statusText}`);
        openIndex(await r.text(), url, url, null, sel, stepAt);
      } catch (e) {
        setRunError(
          `could not fetch the run folder index ${url}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    },
    [openIndex],
  );

  const close = useCallback(() => setRun(null), []);
  const dismissError = useCallback(() => setRunError(null), []);

  return { run, runError, openEntry, openIndex, openUrl, close, dismissError };
}

export type RunFolderState = ReturnType<typeof useRunFolder>;
