/**
 * The page's two trace slots (the main trace, and the one it is compared with), each with the way
 * to fill it. Each load gets a ticket; a reply for an older ticket is dropped, so opening B while
 * A still parses never shows A.
 */
import { useCallback, useRef, useState } from 'react';
import { openTrace } from '../load/openTrace';
import type { TraceSource } from '../load/traceSource';
import type { LoadError } from '../model/loadError';
import type { Slot, TraceDoc } from '../model/traceDoc';

export function useTraceSlot(maxBytes: number) {
  const [slot, setSlot] = useState<Slot>({ status: 'empty' });
  const ticket = useRef(0);

  const load = useCallback(
    async (source: TraceSource, name: string, url: string | null): Promise<TraceDoc | null> => {
      const mine = ++ticket.current;
      setSlot({ status: 'loading', name, progress: null });
      const started = performance.now();
      const stale = () => ticket.current !== mine;
      const outcome = await openTrace(
        source,
        maxBytes,
        (progress) => {
          if (!stale()) setSlot({ status: 'loading', name, progress });
        },
        stale,
      );
      if (!outcome || stale()) return null;
      if (!outcome.ok) {
        setSlot({ status: 'error', name, error: outcome.error });
        return null;
      }
      const doc: TraceDoc = {
        name,
        url,
        header: outcome.header,
        events: outcome.events,
        layout: outcome.layout,
        bytes: outcome.bytes,
        loadMs: performance.now() - started,
      };
      setSlot({ status: 'ready', doc });
      return doc;
    },
    [maxBytes],
  );

  const clear = useCallback(() => {
    ticket.current++;
    setSlot({ status: 'empty' });
  }, []);

  const fail = useCallback((name: string, error: LoadError) => {
    ticket.current++;
    setSlot({ status: 'error', name, error });
  }, []);

  return { slot, load, clear, fail };
}

export type TraceSlot = ReturnType<typeof useTraceSlot>;

/** The main slot and the compare slot, with the traces they show once ready. */
export function useTraceSlots(maxBytes: number) {
  const primary = useTraceSlot(maxBytes);
  const compare = useTraceSlot(maxBytes);
  const docA = primary.slot.status === 'ready' ? primary.slot.doc : null;
  const docB = compare.slot.status === 'ready' ? compare.slot.doc : null;
  const loading = primary.slot.status === 'loading' || compare.slot.status === 'loading';
  return { primary, compare, docA, docB, loading };
}
