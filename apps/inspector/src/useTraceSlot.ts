/**
 * A trace slot plus the way to fill it. Each load gets a ticket; a reply for an older ticket is
 * dropped, so opening B while A still parses never shows A.
 */
import { useCallback, useRef, useState } from 'react';
import { openTrace } from './load/openTrace';
import type { TraceSource } from './load/traceSource';
import type { LoadError } from './model/loadError';
import type { Slot, TraceDoc } from './model/traceDoc';

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
