import { LANES, type TraceEvent, type TraceHeader } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { columnsOf } from './columns';
import {
  COLUMN_GAP,
  columnAt,
  eventAt,
  eventAtStep,
  type LayoutOptions,
  layoutTrace as layoutColumns,
  mergeStepWidths,
  stepWidths as stepWidthsOf,
} from './layout';
import { type LooseEvent, looseEvent, TEST_HEADER } from './testHeader';

const header = TEST_HEADER;

// The layout reads columns; these tests write events, as a trace does.
const layoutTrace = (h: TraceHeader, events: readonly TraceEvent[], options?: LayoutOptions) =>
  layoutColumns(columnsOf(h, events), options);
const stepWidths = (events: readonly TraceEvent[]) => stepWidthsOf(columnsOf(header, events));

type Draft = Omit<LooseEvent, 'ep' | 'lane'> & Partial<Pick<LooseEvent, 'ep' | 'lane'>>;
const ev = (d: Draft): TraceEvent => looseEvent({ ep: 'server', lane: 'dp-rx', ...d });

describe('layoutTrace: lanes and columns', () => {
  it('makes one row per endpoint and lane, in LANES order, header endpoints first', () => {
    const l = layoutTrace(header, [ev({ t: 0, kind: 'note', ep: 'proxy', lane: 'wire' })]);
    expect(l.endpoints).toEqual(['client', 'server', 'proxy']);
    expect(l.rows).toHaveLength(3 * LANES.length);
    expect(l.rows.slice(0, 6).map((r) => r.lane)).toEqual([...LANES]);
    expect(l.rows[6]).toEqual({ index: 6, ep: 'server', lane: 'app-tx' });
    expect(l.eventRow[0]).toBe(2 * LANES.length + LANES.indexOf('wire'));
  });

  it('gives each step a column as wide as its busiest row and places events side by side', () => {
    const events = [
      ev({ t: 0, kind: 'record-in' }),
      ev({ t: 0, kind: 'open-request' }),
      ev({ t: 0, kind: 'open-done' }),
      ev({ t: 0, kind: 'deliver-data', lane: 'app-rx' }),
      ev({ t: 3, kind: 'record-in' }),
    ];
    const l = layoutTrace(header, events);
    expect([...l.columns.t]).toEqual([0, 3]);
    expect(l.columns.width[0]).toBe(3 + COLUMN_GAP);
    expect([...l.eventX]).toEqual([0, 1, 2, 0, 3 + COLUMN_GAP]);
    expect(l.width).toBe(3 + COLUMN_GAP + 1 + COLUMN_GAP);
    // Events grouped by column in `order`.
    expect([...l.order]).toEqual([0, 1, 2, 3, 4]);
    expect([...l.columns.start]).toEqual([0, 4, 5]);
  });

  it('orders columns by step even when the trace is not sorted', () => {
    const l = layoutTrace(header, [ev({ t: 5, kind: 'note' }), ev({ t: 1, kind: 'note' })]);
    expect([...l.columns.t]).toEqual([1, 5]);
    expect([...l.order]).toEqual([1, 0]);
    expect(l.eventX[0]).toBeGreaterThan(l.eventX[1]!);
  });

  it('finds events by position and by step', () => {
    const events = [ev({ t: 0, kind: 'record-in' }), ev({ t: 2, kind: 'record-in' })];
    const l = layoutTrace(header, events);
    const row = l.eventRow[1]!;
    expect(eventAt(l, l.eventX[1]! + 0.5, row)).toBe(1);
    expect(eventAt(l, l.eventX[1]! + 0.5, row - 1)).toBeNull();
    expect(eventAt(l, l.width + 10, row)).toBeNull();
    expect(columnAt(l.columns, 0)).toBe(0);
    expect(eventAtStep(l, 1)).toBe(1);
    expect(eventAtStep(l, 3)).toBeNull();
  });

  it('aligns two traces by step when laid out with merged widths', () => {
    const a = [ev({ t: 0, kind: 'note' }), ev({ t: 0, kind: 'note' }), ev({ t: 2, kind: 'note' })];
    const b = [ev({ t: 0, kind: 'note' }), ev({ t: 1, kind: 'note' }), ev({ t: 2, kind: 'note' })];
    const widths = mergeStepWidths(stepWidths(a), stepWidths(b));
    const la = layoutTrace(header, a, { stepWidths: widths });
    const lb = layoutTrace(header, b, { stepWidths: widths });
    expect(la.eventX[2]).toBe(lb.eventX[2]);
    expect(la.width).toBe(lb.width);
    expect([...la.columns.t]).toEqual([0, 1, 2]);
  });
});

describe('layoutTrace: freeze intervals', () => {
  it('pairs freeze and resume per endpoint and lane', () => {
    const events = [
      ev({ t: 1, kind: 'freeze', reason: 'key-update' }),
      ev({ t: 2, kind: 'freeze', ep: 'client', reason: 'punt' }),
      ev({ t: 4, kind: 'resume', reason: 'key-installed' }),
      ev({ t: 5, kind: 'resume', ep: 'client', reason: 'state-import' }),
    ];
    const l = layoutTrace(header, events);
    expect(l.freezes).toHaveLength(2);
    const [server, client] = l.freezes;
    expect(server).toMatchObject({
      ep: 'server',
      lane: 'dp-rx',
      start: 0,
      end: 2,
      reason: 'key-update',
      resumeReason: 'key-installed',
      x0: l.eventX[0],
      x1: l.eventX[2]! + 1,
    });
    expect(client).toMatchObject({ ep: 'client', start: 1, end: 3, reason: 'punt' });
  });

  it('runs an unterminated freeze to the end of the trace and ignores a stray resume', () => {
    const events = [
      ev({ t: 0, kind: 'resume', lane: 'app-rx' }),
      ev({ t: 1, kind: 'freeze', reason: 'key-update' }),
      ev({ t: 2, kind: 'freeze', reason: 'again' }),
      ev({ t: 9, kind: 'note' }),
    ];
    const l = layoutTrace(header, events);
    expect(l.freezes).toEqual([
      expect.objectContaining({ start: 1, end: null, x1: l.width, reason: 'key-update' }),
    ]);
  });
});

describe('layoutTrace: epoch bands', () => {
  it('assigns key installs a direction from the key fingerprint and splits bands per epoch', () => {
    const events = [
      ev({ t: 0, kind: 'key-install', lane: 'cp', epoch: 1, key: 'aa' }), // rx key
      ev({ t: 0, kind: 'key-install', lane: 'cp', epoch: 1, key: 'bb' }), // tx key
      ev({ t: 1, kind: 'seal-request', lane: 'dp-tx', epoch: 1, key: 'bb', req: 1 }),
      ev({ t: 2, kind: 'open-request', epoch: 1, key: 'aa', req: 1 }),
      ev({ t: 5, kind: 'key-install', lane: 'cp', epoch: 2, key: 'cc' }),
      ev({ t: 6, kind: 'open-request', epoch: 2, key: 'cc', req: 2 }),
    ];
    const l = layoutTrace(header, events);
    const rx = l.epochs.filter((b) => b.dir === 'rx');
    const tx = l.epochs.filter((b) => b.dir === 'tx');
    expect(rx.map((b) => [b.epoch, b.key, b.start])).toEqual([
      [1, 'aa', 0],
      [2, 'cc', 4],
    ]);
    expect(rx[0]!.x1).toBe(l.eventX[4]);
    expect(rx[1]!.x1).toBe(l.width);
    expect(tx).toEqual([expect.objectContaining({ epoch: 1, key: 'bb', start: 1, x1: l.width })]);
    // RX bands shade the receive lanes of the endpoint; TX bands the send lanes.
    expect(rx[0]!.rows.map((r) => l.rows[r]!.lane)).toEqual(['dp-rx', 'app-rx']);
    expect(tx[0]!.rows.map((r) => l.rows[r]!.lane)).toEqual(['app-tx', 'dp-tx', 'wire']);
  });

  it('starts a band from crypto requests when there is no key install', () => {
    const events = [
      ev({ t: 0, kind: 'open-request', epoch: 3, req: 1 }),
      ev({ t: 1, kind: 'open-request', epoch: 3, req: 2 }),
      ev({ t: 2, kind: 'open-request', epoch: 4, req: 3 }),
    ];
    const l = layoutTrace(header, events);
    expect(l.epochs.map((b) => [b.epoch, b.start])).toEqual([
      [3, 0],
      [4, 2],
    ]);
  });
});

describe('layoutTrace: crypto spans and violations', () => {
  it('pairs requests and completions by endpoint, operation and req, in any order', () => {
    const events = [
      ev({ t: 0, kind: 'open-request', req: 1 }),
      ev({ t: 0, kind: 'open-request', req: 2 }),
      ev({ t: 0, kind: 'seal-request', lane: 'dp-tx', req: 1 }),
      ev({ t: 3, kind: 'open-done', req: 2 }),
      ev({ t: 4, kind: 'seal-done', lane: 'dp-tx', req: 1 }),
    ];
    const l = layoutTrace(header, events);
    const spans = l.crypto.map((s) => [s.op, s.req, s.request, s.done]);
    expect(spans).toContainEqual(['open', 2, 1, 3]);
    expect(spans).toContainEqual(['seal', 1, 2, 4]);
    expect(spans).toContainEqual(['open', 1, 0, null]);
    const open1 = l.crypto.find((s) => s.op === 'open' && s.req === 1)!;
    expect(open1.x1).toBe(l.width);
  });

  it('marks violations with their invariant at the event position', () => {
    const events = [
      ev({ t: 0, kind: 'record-in' }),
      ev({
        t: 7,
        kind: 'violation',
        violation: { invariant: 3, name: 'frozen-means-frozen', message: 'decrypts while frozen' },
      }),
    ];
    const l = layoutTrace(header, events);
    expect(l.violations).toEqual([
      {
        event: 1,
        row: l.eventRow[1],
        x: l.eventX[1],
        t: 7,
        invariant: 3,
        name: 'frozen-means-frozen',
        message: 'decrypts while frozen',
      },
    ]);
  });

  // How fast it is, is measured by bench/bench.mjs (a benchmark, not a test).
  it('lays out 100,000 events, pairing every crypto request with its completion', () => {
    const events: TraceEvent[] = [];
    for (let i = 0; i < 100_000; i++) {
      events.push(
        ev({
          t: i >> 2,
          kind: i % 2 ? 'open-done' : 'open-request',
          req: i >> 1,
          epoch: 1 + (i >> 14),
        }),
      );
    }
    const l = layoutTrace(header, events);
    expect(l.crypto).toHaveLength(50_000);
  });
});

describe('layoutTrace: placement against a plain reference', () => {
  /** Deterministic pseudo-random numbers (a 32-bit LCG): the same cases on every run. */
  function lcg(seed: number): (n: number) => number {
    let s = seed >>> 0;
    return (n) => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    };
  }

  /** Columns and x the plain way: every step's width from per-(step, row) counts in maps. */
  function reference(events: readonly TraceEvent[], align?: ReadonlyMap<number, number>) {
    const eps = [...header.endpoints];
    for (const e of events) if (!eps.includes(e.ep)) eps.push(e.ep);
    const rowOf = (e: TraceEvent) => eps.indexOf(e.ep) * LANES.length + LANES.indexOf(e.lane);
    const perRow = new Map<string, number>();
    const widths = new Map<number, number>(align);
    const slot: number[] = [];
    for (const e of events) {
      const key = `${e.t}/${rowOf(e)}`;
      const n = perRow.get(key) ?? 0;
      perRow.set(key, n + 1);
      slot.push(n);
      widths.set(e.t, Math.max(widths.get(e.t) ?? 0, n + 1));
    }
    const ts = [...widths.keys()].sort((a, b) => a - b);
    const colX = new Map<number, number>();
    let x = 0;
    for (const t of ts) {
      colX.set(t, x);
      x += widths.get(t)! + COLUMN_GAP;
    }
    const eventX = events.map((e, i) => colX.get(e.t)! + slot[i]!);
    const order = events
      .map((_, i) => i)
      .sort((a, b) => ts.indexOf(events[a]!.t) - ts.indexOf(events[b]!.t) || a - b);
    return { ts, eventX, eventRow: events.map(rowOf), order, width: x, endpoints: eps };
  }

  it('places random traces, sorted or not, alone or aligned, as the reference does', () => {
    const kinds = ['record-in', 'freeze', 'resume', 'open-request', 'open-done', 'note'] as const;
    const next = lcg(7);
    let unsorted = 0;
    for (let run = 0; run < 300; run++) {
      const sorted = run % 3 !== 0;
      const n = next(40);
      let t = 0;
      const events: TraceEvent[] = [];
      for (let i = 0; i < n; i++) {
        t = sorted ? t + next(3) : next(12);
        events.push(
          looseEvent({
            t,
            ep: ['client', 'server', 'proxy'][next(3)]!,
            lane: LANES[next(LANES.length)]!,
            kind: kinds[next(kinds.length)]!,
          }),
        );
      }
      if (events.some((e, i) => i > 0 && e.t < events[i - 1]!.t)) unsorted++;
      const align =
        run % 2 === 0
          ? new Map([
              [next(20), 1 + next(3)],
              [next(20), 2],
            ])
          : undefined;
      const l = layoutTrace(header, events, align ? { stepWidths: align } : {});
      const want = reference(events, align);
      expect([...l.columns.t]).toEqual(want.ts);
      expect([...l.eventX]).toEqual(want.eventX);
      expect([...l.eventRow]).toEqual(want.eventRow);
      expect([...l.order]).toEqual(want.order);
      expect(l.width).toBeCloseTo(want.width, 9);
      expect(l.endpoints).toEqual(want.endpoints);
    }
    // Both paths of the layout were exercised.
    expect(unsorted).toBeGreaterThan(50);
  });

  it('notices a trace that steps back only once, by one step, anywhere', () => {
    for (const steps of [
      [1, 0],
      [0, 2, 1, 3],
      [0, 1, 2, 3, 2],
      [3, 3, 2, 2],
    ]) {
      const events = steps.map((t) => ev({ t, kind: 'note' }));
      const l = layoutTrace(header, events);
      const want = reference(events);
      expect([...l.columns.t]).toEqual(want.ts);
      expect([...l.eventX]).toEqual(want.eventX);
      expect([...l.order]).toEqual(want.order);
    }
  });
});
