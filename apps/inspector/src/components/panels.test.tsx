// @vitest-environment jsdom
import type { TraceEvent } from '@ktls-lab/core';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTable } from '../model/eventTable';
import { looseEvents, TEST_HEADER } from '../model/testHeader';
import { DetailPanel } from './DetailPanel';
import { ErrorPanel } from './ErrorPanel';
import { Legend } from './Legend';
import { thousands } from './TraceTitle';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement | null = null;
function render(node: React.ReactNode): HTMLDivElement {
  container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(node));
  return container;
}
afterEach(() => {
  container?.remove();
  container = null;
});

const hostile = '<img src=x onerror="alert(1)"><b>bold</b>';

describe('DetailPanel', () => {
  it('shows the record fields, decoded header and preview, and escapes trace text', () => {
    const events: TraceEvent[] = looseEvents([
      {
        t: 3,
        ep: 'server',
        lane: 'dp-rx',
        kind: 'record-in',
        seq: '7',
        epoch: 2,
        type: 23,
        wire: 322,
        header: '170303013d',
        nonce: 'a8d22deb12278af91d0cf796',
        aad: '170303013d',
        preview: '68656c6c6f',
        note: hostile,
      },
    ]);
    const el = render(
      <DetailPanel events={memoryTable(TEST_HEADER, events)} index={0} onSelect={() => {}} />,
    );
    const text = el.textContent ?? '';
    expect(text).toContain('Event 0 · record-in');
    expect(text).toContain('23 application_data');
    expect(text).toContain(
      '17 03 03 01 3d = type 23 (application_data), version 0x0303, length 317',
    );
    expect(text).toContain('a8 d2 2d eb');
    expect(el.querySelector('[data-testid="preview-text"]')?.textContent).toBe('hello');
    expect(text).toContain(hostile);
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('b')).toBeNull();
  });

  it('explains a violation with the events of that endpoint that led there', () => {
    const events: TraceEvent[] = looseEvents([
      { t: 1, ep: 'server', lane: 'dp-rx', kind: 'record-in', seq: '0' },
      { t: 1, ep: 'client', lane: 'wire', kind: 'segment' },
      { t: 2, ep: 'server', lane: 'dp-rx', kind: 'open-request', seq: '0', epoch: 1 },
      {
        t: 2,
        ep: 'server',
        lane: 'dp-rx',
        kind: 'violation',
        violation: { invariant: 3, name: 'frozen-means-frozen', message: 'decrypts while frozen' },
      },
    ]);
    const el = render(
      <DetailPanel events={memoryTable(TEST_HEADER, events)} index={3} onSelect={() => {}} />,
    );
    expect(el.textContent).toContain(
      'Invariant 3 violated: frozen-means-frozen at step 2 on server',
    );
    const lead = [...el.querySelectorAll('.lead-up li')].map((li) => li.textContent);
    expect(lead).toEqual(['t1 dp-rx record-in #0', 't2 dp-rx open-request #0 e1']);
  });
});

describe('ErrorPanel and Legend', () => {
  it('says what is wrong and where', () => {
    const el = render(
      <ErrorPanel
        source="bad.ndjson"
        error={{ code: 'bad-event', line: 3, message: `line 3: ${hostile}`, path: 'seq' }}
      />,
    );
    expect(el.querySelector('[data-testid="error-code"]')?.textContent).toBe('bad-event');
    expect(el.querySelector('[data-testid="error-where"]')?.textContent).toBe('line 3 · field seq');
    expect(el.textContent).toContain(hostile);
    expect(el.querySelector('img')).toBeNull();
  });

  it('shows the palette with every content type', () => {
    const el = render(<Legend />);
    for (const name of [
      'application_data',
      'handshake',
      'alert',
      'frozen',
      'invariant violation',
    ]) {
      expect(el.textContent).toContain(name);
    }
  });
});

describe('TraceTitle', () => {
  it('groups the event count in thousands', () => {
    expect([0, 999, 1000, 100_000, 1_234_567].map(thousands)).toEqual([
      '0',
      '999',
      '1,000',
      '100,000',
      '1,234,567',
    ]);
  });
});
