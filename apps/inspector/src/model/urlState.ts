/**
 * What the address bar holds, so that a position in a race can be shared: the trace (or run
 * folder and which run), the compared trace, and the selected event.
 *
 * `step` is the index of the selected event in the trace (0-based); two traces in compare mode
 * are aligned by the logical time of that event.
 */
export interface UrlState {
  readonly trace: string | null;
  readonly run: string | null;
  /** Index of the open run in the run folder. */
  readonly sel: number | null;
  readonly compare: string | null;
  readonly step: number | null;
  /** Overrides the size limit (tests use a small one to exercise the "too large" path). */
  readonly maxBytes: number | null;
}

const int = (s: string | null): number | null => {
  if (s === null || !/^\d{1,15}$/.test(s)) return null;
  return Number(s);
};

export function readUrlState(search: string): UrlState {
  const p = new URLSearchParams(search);
  return {
    trace: p.get('trace'),
    run: p.get('run'),
    sel: int(p.get('sel')),
    compare: p.get('compare'),
    step: int(p.get('step')),
    maxBytes: int(p.get('maxBytes')),
  };
}

export function writeUrlState(s: UrlState): string {
  const p = new URLSearchParams();
  if (s.run !== null) p.set('run', s.run);
  if (s.run !== null && s.sel !== null) p.set('sel', String(s.sel));
  if (s.trace !== null && s.run === null) p.set('trace', s.trace);
  if (s.compare !== null) p.set('compare', s.compare);
  if (s.step !== null) p.set('step', String(s.step));
  if (s.maxBytes !== null) p.set('maxBytes', String(s.maxBytes));
  const q = p.toString();
  return q ? `?${q}` : '';
}
