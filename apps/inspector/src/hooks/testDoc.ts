/** For the hooks' unit tests: a trace document made from events in memory. */
import type { TraceEvent } from '@ktls-lab/core';
import { memoryTable } from '../model/eventTable';
import { layoutTrace } from '../model/layout';
import { TEST_HEADER } from '../model/testHeader';
import type { TraceDoc } from '../model/traceDoc';

type Draft = Omit<TraceEvent, 'ep' | 'lane' | 'kind'> &
  Partial<Pick<TraceEvent, 'ep' | 'lane' | 'kind'>>;
export const ev = (d: Draft): TraceEvent => ({ ep: 'server', lane: 'dp-rx', kind: 'note', ...d });

export const violationAt = (t: number): TraceEvent =>
  ev({
    t,
    kind: 'violation',
    violation: { invariant: 3, name: 'frozen-means-frozen', message: 'decrypts while frozen' },
  });

export function testDoc(events: readonly TraceEvent[], name = 'test.ndjson'): TraceDoc {
  const table = memoryTable(TEST_HEADER, events);
  return {
    name,
    url: null,
    header: TEST_HEADER,
    events: table,
    layout: layoutTrace(table.columns),
    bytes: 0,
    loadMs: 0,
  };
}
