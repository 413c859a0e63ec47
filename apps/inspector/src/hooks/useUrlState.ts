/**
 * The address bar (model/urlState.ts has its format): what it asked for when the page opened is
 * opened once, and from then on it follows the view, so that the position can be shared.
 */
import { useEffect, useState } from 'react';
import { readUrlState, type UrlState, writeUrlState } from '../model/urlState';
import type { Focus } from './useNavigation';

/** The address bar as the page was opened; later writes only mirror the view. */
export function useInitialUrlState(): UrlState {
  const [initial] = useState(() => readUrlState(window.location.search));
  return initial;
}

export interface UrlOpeners {
  readonly run: (url: string, sel: number | null, step: number | null) => void;
  readonly trace: (url: string, focus: Focus) => void;
  readonly compare: (url: string) => void;
}

/** What the view shows; `maxBytes` is kept from the initial address. */
export type UrlView = Omit<UrlState, 'maxBytes'>;

export function useUrlState(initial: UrlState, view: UrlView, open: UrlOpeners): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on mount
  useEffect(() => {
    const s = initial;
    if (s.run !== null) open.run(s.run, s.sel, s.step);
    else if (s.trace !== null) open.trace(s.trace, { step: s.step, violation: false });
    if (s.compare !== null) open.compare(s.compare);
  }, []);

  const { trace, run, sel, compare, step } = view;
  const { maxBytes } = initial;
  useEffect(() => {
    const search = writeUrlState({ trace, run, sel, compare, step, maxBytes });
    // A trace from a file or the simulator has no address; the address bar then keeps the last.
    const shareable = trace !== null || run !== null;
    if (shareable && search !== window.location.search) {
      window.history.replaceState(null, '', `${window.location.pathname}${search}`);
    }
  }, [trace, run, sel, compare, step, maxBytes]);
}
