import { LANES, type TraceEvent } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { boxLabel, drawScene, type Painter } from './draw';
import { memoryTable } from './eventTable';
import { filterMask } from './filter';
import { layoutTrace } from './layout';
import { colourOfType, FREEZE_FILL } from './palette';
import { LABEL_WIDTH, ROW_HEIGHT, rowPositions, toPx } from './viewport';
import { type LooseEvent, looseEvent, TEST_HEADER } from './testHeader';

const header = TEST_HEADER;

interface Call {
  readonly op: string;
  readonly args: readonly unknown[];
  readonly fillStyle: unknown;
}

/** A Painter that records what it is asked to draw. */
function recorder(): Painter & { calls: Call[] } {
  const calls: Call[] = [];
  const state = {
    fillStyle: '#000' as Painter['fillStyle'],
    strokeStyle: '#000' as Painter['strokeStyle'],
    lineWidth: 1,
    font: '',
    textBaseline: 'alphabetic' as Painter['textBaseline'],
    textAlign: 'start' as Painter['textAlign'],
  };
  const rec =
    (op: string) =>
    (...args: unknown[]) => {
      calls.push({ op, args, fillStyle: state.fillStyle });
    };
  return Object.assign(state, {
    calls,
    fillRect: rec('fillRect'),
    strokeRect: rec('strokeRect'),
    fillText: rec('fillText'),
    beginPath: rec('beginPath'),
    moveTo: rec('moveTo'),
    lineTo: rec('lineTo'),
    closePath: rec('closePath'),
    stroke: rec('stroke'),
    fill: rec('fill'),
    save: rec('save'),
    restore: rec('restore'),
    rect: rec('rect'),
    clip: rec('clip'),
    setLineDash: rec('setLineDash'),
    measureText: (t: string) => ({ width: t.length * 6 }) as TextMetrics,
  });
}

const ev = (d: Omit<LooseEvent, 'ep' | 'lane'> & Partial<LooseEvent>): TraceEvent =>
  looseEvent({
    ep: 'server',
    lane: 'dp-rx',
    ...d,
  });

function scene(list: TraceEvent[], zoom: number, x0 = 0) {
  const events = memoryTable(header, list);
  const layout = layoutTrace(events.columns);
  const rows = rowPositions(layout, new Set(LANES));
  return { layout, events, rows, viewport: { x0, zoom }, width: 800, height: rows.height };
}

describe('drawScene', () => {
  it('paints only the columns in view (virtualised)', () => {
    const events = Array.from({ length: 1000 }, (_, t) => ev({ t, kind: 'record-in', type: 23 }));
    const ctx = recorder();
    const s = scene(events, 20, 500);
    const stats = drawScene(ctx, { ...s, mask: null, cursor: null });
    const visibleSlots = (800 - LABEL_WIDTH) / 20;
    expect(stats.boxes).toBeGreaterThan(0);
    expect(stats.boxes).toBeLessThanOrEqual(Math.ceil(visibleSlots) + 1);
  });

  it('paints at most one box per pixel and row when zoomed far out', () => {
    const events = Array.from({ length: 50_000 }, (_, t) => ev({ t, kind: 'record-in', type: 23 }));
    const ctx = recorder();
    const stats = drawScene(ctx, { ...scene(events, 0.01), mask: null, cursor: null });
    expect(stats.boxes).toBeLessThanOrEqual(800);
    expect(stats.boxes).toBeGreaterThan(100);
    // Neighbouring boxes of one colour in a row are one rectangle: one call, not one per box.
    const fills = ctx.calls.filter((c) => c.op === 'fillRect' && c.fillStyle === colourOfType(23));
    expect(fills).toHaveLength(1);
  });

  it('shades a freeze over its row from freeze to resume, with its reasons', () => {
    const events = [
      ev({ t: 0, kind: 'freeze', reason: 'key-update' }),
      ev({ t: 5, kind: 'resume', reason: 'key-installed' }),
    ];
    const ctx = recorder();
    const s = scene(events, 40);
    drawScene(ctx, { ...s, mask: null, cursor: null });
    const f = s.layout.freezes[0]!;
    const y = s.rows.y[f.row];
    const shade = ctx.calls.find((c) => c.op === 'fillRect' && c.fillStyle === FREEZE_FILL);
    expect(shade?.args).toEqual([
      toPx(s.viewport, f.x0),
      y,
      toPx(s.viewport, f.x1) - toPx(s.viewport, f.x0),
      ROW_HEIGHT - 1,
    ]);
    const texts = ctx.calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
    expect(texts).toContain('frozen: key-update → key-installed');
  });

  it('labels epoch bands and lanes, and filters by content type', () => {
    const events = [
      ev({ t: 0, kind: 'open-request', epoch: 2, key: 'abcdef0123456789', req: 1 }),
      ev({ t: 1, kind: 'deliver-data', lane: 'app-rx', type: 23, seq: '0', epoch: 2 }),
      ev({ t: 30, kind: 'deliver-control', lane: 'cp', type: 22, seq: '1', epoch: 2 }),
    ];
    const ctx = recorder();
    const mask = filterMask(memoryTable(header, events), new Set(LANES), new Set(['22']), '');
    const stats = drawScene(ctx, { ...scene(events, 40), mask, cursor: null });
    expect(stats.boxes).toBe(1);
    const texts = ctx.calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
    expect(texts).toContain('RX epoch 2 · abcdef01');
    expect(texts).toContain('dp-rx');
    expect(texts).toContain('client');
  });

  it('labels boxes with kind, sequence number and epoch', () => {
    expect(boxLabel(ev({ t: 0, kind: 'record-in', seq: '7', epoch: 2 }))).toBe('in #7 e2');
    expect(boxLabel(ev({ t: 0, kind: 'segment' }))).toBe('seg');
  });
});
