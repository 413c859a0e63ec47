/**
 * The filter the view applies to both traces (lanes, content types, a text query) and its masks.
 * The search texts are built in idle time once a trace is shown, so that the first search is
 * quick; not while another trace loads, which would then share the page's time with it.
 */
import { LANES, type Lane } from '@ktls-lab/core';
import { useEffect, useMemo, useState } from 'react';
import type { EventTable } from '../model/eventTable';
import { filterMask, indexSomeText } from '../model/filter';
import type { TraceDoc } from '../model/traceDoc';

/** An idle slice stops with this much of its time left, so that input is not kept waiting. */
const IDLE_RESERVE_MS = 2;

export function useEventFilter(docA: TraceDoc | null, docB: TraceDoc | null, loading: boolean) {
  const [lanes, setLanes] = useState<ReadonlySet<Lane>>(() => new Set(LANES));
  const [types, setTypes] = useState<ReadonlySet<string> | null>(null);
  const [query, setQuery] = useState('');
  const maskA = useMemo(
    () => (docA ? filterMask(docA.events, lanes, types, query) : null),
    [docA, lanes, types, query],
  );
  const maskB = useMemo(
    () => (docB ? filterMask(docB.events, lanes, types, query) : null),
    [docB, lanes, types, query],
  );
  useEffect(() => {
    if (loading) return;
    const tables = [docA?.events, docB?.events].filter((t): t is EventTable => t !== undefined);
    let handle = 0;
    const step = (deadline: IdleDeadline) => {
      const more = () => deadline.timeRemaining() > IDLE_RESERVE_MS;
      if (!tables.every((t) => indexSomeText(t, more))) handle = requestIdleCallback(step);
    };
    handle = requestIdleCallback(step);
    return () => cancelIdleCallback(handle);
  }, [docA, docB, loading]);
  return { lanes, types, query, setLanes, setTypes, setQuery, maskA, maskB };
}
