/** For the hooks' unit tests: a trace document made from events in memory. */
import type { TraceEvent } from '@ktls-lab/core';
import { memoryTable } from '../model/eventTable';
import { layoutTrace } from '../model/layout';
import { type LooseEvent, looseEvent, TEST_HEADER } from '../model/testHeader';
import type { TraceDoc } from '../model/traceDoc';

type Draft = Omit<LooseEvent, 'ep' | 'lane' | 'kind'> &
  Partial<Pick<LooseEvent, 'ep' | 'lane' | 'kind'>>;
/** A note on the server's RX data path unless the draft says otherwise. */
export const ev = (d: Draft): TraceEvent =>
  looseEvent({ ep: 'server', lane: 'dp-rx', kind: 'note', note: 'n', ...d });

export const violationAt = (t: number): TraceEvent =>
  looseEvent({
    t,
    ep: 'server',
    lane: 'dp-rx',
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
