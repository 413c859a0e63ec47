/**
 * Where the view is: the selected event (the cursor), the part of the timeline on screen (the
 * viewport) and playback, with the moves that change them. The compared trace follows the cursor
 * by step. A new main layout is fitted to the plot, or focused on the event that whoever opened
 * the trace asked for (`focusNext`).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { stepFrom } from '../model/filter';
import { eventAtStep } from '../model/layout';
import type { TraceDoc } from '../model/traceDoc';
import {
  clampViewport,
  fitAll,
  LABEL_WIDTH,
  reveal,
  type Viewport,
  zoomAt,
} from '../model/viewport';
import type { PairLayout } from './useTraceLayouts';

/** What to select once the next main trace is laid out. */
export interface Focus {
  /** An event index (kept only if the trace has that many events). */
  readonly step: number | null;
  /** Without a step: the first violation, if the trace has one. */
  readonly violation: boolean;
}

export const NO_FOCUS: Focus = { step: null, violation: false };

/** Pixels per slot when jumping to an event: boxes wide enough to carry their labels. */
export const FOCUS_ZOOM = 40;
export const PLAY_INTERVAL_MS = 140;
/** The plot's width until the timeline has measured it. */
const INITIAL_PLOT_WIDTH = 1000;

export function useNavigation(
  docA: TraceDoc | null,
  docB: TraceDoc | null,
  layouts: PairLayout | null,
  maskA: Uint8Array | null,
) {
  const [cursor, setCursor] = useState<number | null>(null);
  const [viewport, setViewport] = useState<Viewport>({ x0: 0, zoom: 8 });
  const [playing, setPlaying] = useState(false);
  const plotWidth = useRef(INITIAL_PLOT_WIDTH);
  const pendingFocus = useRef<Focus>(NO_FOCUS);

  const focusNext = useCallback((focus: Focus) => {
    pendingFocus.current = focus;
  }, []);

  const cursorB = useMemo(() => {
    if (!layouts?.b || !docA || cursor === null || cursor >= docA.events.length) return null;
    return eventAtStep(layouts.b, docA.events.columns.t[cursor]!);
  }, [layouts, docA, cursor]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new primary layout refocuses; the trace it belongs to comes with it
  useEffect(() => {
    if (!layouts || !docA) return;
    const want = pendingFocus.current;
    pendingFocus.current = NO_FOCUS;
    let focus: number | null = null;
    if (want.step !== null && want.step < docA.events.length) focus = want.step;
    else if (want.violation && layouts.a.violations.length > 0)
      focus = layouts.a.violations[0]!.event;
    setCursor(focus);
    setPlaying(false);
    const fit = fitAll(layouts.a.width, plotWidth.current);
    if (focus === null) setViewport(fit);
    else
      setViewport(
        reveal(
          { x0: 0, zoom: Math.max(fit.zoom, FOCUS_ZOOM) },
          layouts.a.eventX[focus]!,
          plotWidth.current,
        ),
      );
  }, [layouts?.a]);

  const select = useCallback(
    (i: number) => {
      setCursor(i);
      if (layouts) setViewport((v) => reveal(v, layouts.a.eventX[i]!, plotWidth.current));
    },
    [layouts],
  );

  /** Compare-view click: the primary event at the same step. */
  const selectFromB = useCallback(
    (i: number) => {
      if (!layouts || !docB) return;
      const j = eventAtStep(layouts.a, docB.events.columns.t[i]!);
      if (j !== null) select(j);
    },
    [layouts, docB, select],
  );

  /** The next or previous event the filter shows; false when there is none. */
  const step = useCallback(
    (dir: 1 | -1) => {
      if (!docA) return false;
      const next = stepFrom(maskA, docA.events.length, cursor, dir);
      if (next === null || next === cursor) return false;
      select(next);
      return true;
    },
    [docA, maskA, cursor, select],
  );

  /** The first (dir 1) or last (dir -1) event the filter shows. */
  const selectEnd = useCallback(
    (dir: 1 | -1) => {
      if (docA && docA.events.length > 0)
        select(stepFrom(maskA, docA.events.length, null, dir) ?? 0);
    },
    [docA, maskA, select],
  );

  /** Zooms about the cursor, or about the middle of the plot when nothing is selected. */
  const zoomBy = useCallback(
    (factor: number) => {
      if (!layouts) return;
      setViewport((v) => {
        const anchorPx =
          cursor !== null
            ? LABEL_WIDTH + (layouts.a.eventX[cursor]! - v.x0) * v.zoom
            : LABEL_WIDTH + plotWidth.current / 2;
        return clampViewport(zoomAt(v, anchorPx, factor), layouts.a.width, plotWidth.current);
      });
    },
    [layouts, cursor],
  );

  const fit = useCallback(() => {
    if (layouts) setViewport(fitAll(layouts.a.width, plotWidth.current));
  }, [layouts]);

  /** The first violation after the cursor, wrapping round to the first one. */
  const nextViolation = useCallback(() => {
    if (!layouts || layouts.a.violations.length === 0) return;
    const vs = layouts.a.violations;
    const after = vs.find((v) => cursor === null || v.event > cursor) ?? vs[0]!;
    select(after.event);
  }, [layouts, cursor, select]);

  const togglePlay = useCallback(() => setPlaying((p) => !p), []);
  const stop = useCallback(() => setPlaying(false), []);

  // Play: one step per tick until the end or a key press.
  useEffect(() => {
    if (!playing) return;
    const id = window.setInterval(() => {
      if (!step(1)) setPlaying(false);
    }, PLAY_INTERVAL_MS);
    return () => window.clearInterval(id);
  }, [playing, step]);

  const onPlotWidth = useCallback((w: number) => {
    plotWidth.current = w;
  }, []);
  const onViewport = useCallback(
    (v: Viewport) =>
      setViewport(layouts ? clampViewport(v, layouts.a.width, plotWidth.current) : v),
    [layouts],
  );

  return {
    cursor,
    cursorB,
    viewport,
    playing,
    focusNext,
    select,
    selectFromB,
    step,
    selectEnd,
    zoomBy,
    fit,
    nextViolation,
    togglePlay,
    stop,
    onPlotWidth,
    onViewport,
  };
}
