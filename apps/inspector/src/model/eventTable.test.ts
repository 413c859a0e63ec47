import { serializeTrace, type TraceEvent } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { ColumnBuilder, columnsOf } from './columns';
import { lineTable, memoryTable } from './eventTable';
import { looseEvent, looseEvents, TEST_HEADER } from './testHeader';

const header = TEST_HEADER;

const events: TraceEvent[] = looseEvents([
  { t: 0, ep: 'client', lane: 'cp', kind: 'key-install', epoch: 1, key: '00112233', seq: '0' },
  { t: 1, ep: 'server', lane: 'app-rx', kind: 'note', note: 'héllo → 𝄞 "quoted"' },
  { t: 2, ep: 'proxy', lane: 'wire', kind: 'segment', size: 5, header: '1703030012' },
]);

/** What openTrace keeps: the trace's bytes. */
const tableFromText = (text: string) =>
  lineTable(columnsOf(header, events), new TextEncoder().encode(text));

describe('lineTable', () => {
  const text = serializeTrace(header, events);

  it('reads each event whole from its line, non-ASCII text included', () => {
    const table = tableFromText(text);
    expect(table.length).toBe(3);
    for (let i = 0; i < events.length; i++) expect(table.at(i)).toEqual(events[i]);
  });

  it('reads an unterminated last line, CRLF line ends and trailing blank lines', () => {
    expect(tableFromText(text.trimEnd()).at(2)).toEqual(events[2]);
    const crlf = tableFromText(`${text.replaceAll('\n', '\r\n')}\r\n\n`);
    for (let i = 0; i < events.length; i++) expect(crlf.at(i)).toEqual(events[i]);
  });

  it('refuses an index outside the trace', () => {
    const table = tableFromText(text);
    expect(() => table.at(3)).toThrow(RangeError);
    expect(() => table.at(-1)).toThrow(RangeError);
    expect(() => memoryTable(header, events).at(3)).toThrow(RangeError);
  });
});

describe('columnsOf', () => {
  it('codes every field the layout and drawing read, and adds endpoints the header lacks', () => {
    const c = columnsOf(header, [
      ...events,
      looseEvent({
        t: 3,
        ep: 'server',
        lane: 'dp-rx',
        kind: 'violation',
        type: 23,
        req: 9,
        reason: 'key-update',
        violation: { invariant: 1, name: 'x', message: 'y' },
      }),
    ]);
    expect(c.endpoints).toEqual(['client', 'server', 'proxy']);
    expect([...c.ep]).toEqual([0, 1, 2, 1]);
    expect([...c.t]).toEqual([0, 1, 2, 3]);
    expect([...c.type]).toEqual([-1, -1, -1, 23]);
    expect([...c.epoch]).toEqual([1, -1, -1, -1]);
    expect([...c.req]).toEqual([-1, -1, -1, 9]);
    expect(c.strings[c.key[0]!]).toBe('00112233');
    expect(c.strings[c.reason[3]!]).toBe('key-update');
    expect([...c.violations.keys()]).toEqual([3]);
  });

  it('grows past its first capacity', () => {
    const many: TraceEvent[] = Array.from({ length: 5000 }, (_, t) => ({
      t,
      ep: 'client',
      lane: 'wire',
      kind: 'segment',
      size: 0,
      header: '',
    }));
    const b = new ColumnBuilder(header.endpoints, 16);
    for (const e of many) b.add(e);
    const c = b.finish();
    expect(c.length).toBe(5000);
    expect([...c.t]).toEqual(many.map((e) => e.t));
    expect(c.ep.length).toBe(5000);
  });
});
