/**
 * The layouts the timelines draw, once per trace (pair), and their rows under the lane filter.
 * Compare mode lays both traces out on merged step widths so that the same step sits at the same
 * x in both.
 */
import type { Lane } from '@ktls-lab/core';
import { useMemo } from 'react';
import { type Layout, layoutTrace, mergeStepWidths, stepWidths } from '../model/layout';
import type { TraceDoc } from '../model/traceDoc';
import { rowPositions } from '../model/viewport';

export interface PairLayout {
  readonly a: Layout;
  /** The compared trace's layout, when there is one. */
  readonly b: Layout | null;
}

/**
 * The trace's own layout (made by its load worker), or both traces laid out again on merged step
 * widths so that steps line up.
 */
export function layoutPair(docA: TraceDoc, docB: TraceDoc | null): PairLayout {
  if (!docB) return { a: docA.layout, b: null };
  const a = docA.events.columns;
  const b = docB.events.columns;
  const widths = mergeStepWidths(stepWidths(a), stepWidths(b));
  return {
    a: layoutTrace(a, { stepWidths: widths }),
    b: layoutTrace(b, { stepWidths: widths }),
  };
}

export function useTraceLayouts(
  docA: TraceDoc | null,
  docB: TraceDoc | null,
  lanes: ReadonlySet<Lane>,
) {
  const layouts = useMemo(() => (docA ? layoutPair(docA, docB) : null), [docA, docB]);
  const rowsA = useMemo(() => (layouts ? rowPositions(layouts.a, lanes) : null), [layouts, lanes]);
  const rowsB = useMemo(
    () => (layouts?.b ? rowPositions(layouts.b, lanes) : null),
    [layouts, lanes],
  );
  return { layouts, rowsA, rowsB };
}
