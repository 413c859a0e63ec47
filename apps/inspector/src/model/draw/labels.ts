/**
 * Text on the canvas: box labels, captions of bands and freezes (tags), the step axis and the lane
 * labels. Everything drawn from the trace goes through `fillText` (canvas text, never markup).
 */
import type { TraceEvent, TraceKind } from '@ktls-lab/core';
import { columnAt, type Layout } from '../layout';
import { AXIS_HEIGHT, LABEL_WIDTH, ROW_HEIGHT, type RowPositions, toPx } from '../viewport';
import type { Painter, Scene } from './scene';

/** A short word per kind; every kind has one, so a new kind must be given its word here. */
const KIND_LABEL: Readonly<Record<TraceKind, string>> = {
  'app-send': 'send',
  'record-open': 'open',
  'seal-request': 'seal',
  'seal-done': 'sealed',
  'record-out': 'out',
  segment: 'seg',
  'record-in': 'in',
  'open-request': 'open',
  'open-done': 'opened',
  'deliver-data': 'data',
  'deliver-control': 'ctrl',
  punt: 'punt',
  freeze: 'freeze',
  resume: 'resume',
  eof: 'eof',
  discard: 'drop',
  'key-install': 'key',
  'state-export': 'export',
  'state-import': 'import',
  'control-send': 'ctrl',
  'control-recv': 'ctrl',
  error: 'error',
  violation: 'VIOLATION',
  note: 'note',
};

/** The text inside a box: kind, then `#seq` and `e<epoch>` when the event has them. */
export function boxLabel(e: TraceEvent): string {
  let s = KIND_LABEL[e.kind];
  if (e.seq !== undefined) s += ` #${e.seq}`;
  if (e.epoch !== undefined) s += ` e${e.epoch}`;
  return s;
}

/** A caption: text at (x, y) = left, top. */
export interface Tag {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly colour: string;
}

export const TAG_HEIGHT = 11;

export function drawTags(ctx: Painter, tags: readonly Tag[]): void {
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  for (const t of tags) {
    const w = ctx.measureText(t.text).width;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(t.x - 1, t.y, w + 3, TAG_HEIGHT);
    ctx.fillStyle = t.colour;
    ctx.fillText(t.text, t.x, t.y);
  }
}

/** Cuts `text` to fit `width` pixels (measuring is cheap for the few labelled boxes on screen). */
export function ellipsize(ctx: Painter, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : `${text.slice(0, lo)}…`;
}

export function drawAxis(
  ctx: Painter,
  { layout, viewport: v, width }: Scene,
  xMin: number,
  xMax: number,
) {
  ctx.fillStyle = '#f6f6f6';
  ctx.fillRect(LABEL_WIDTH, 0, width - LABEL_WIDTH, AXIS_HEIGHT);
  ctx.fillStyle = '#333333';
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  const { columns } = layout;
  let lastPx = Number.NEGATIVE_INFINITY;
  for (let c = columnAt(columns, xMin); c < columns.t.length && columns.x[c]! <= xMax; c++) {
    const px = toPx(v, columns.x[c]!);
    if (px - lastPx < 48) continue;
    lastPx = px;
    ctx.fillText(`t${columns.t[c]}`, px + 1, AXIS_HEIGHT / 2);
  }
}

export function drawLaneLabels(ctx: Painter, layout: Layout, rows: RowPositions): void {
  ctx.fillStyle = '#fafafa';
  ctx.fillRect(0, 0, LABEL_WIDTH, rows.height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  let lastEp = '';
  for (const r of rows.visible) {
    const row = layout.rows[r]!;
    const y = rows.y[r]!;
    ctx.fillStyle = '#000000';
    const ep = row.ep === lastEp ? '' : row.ep;
    lastEp = row.ep;
    if (ep) ctx.fillText(ellipsize(ctx, ep, 64), 6, y + ROW_HEIGHT / 2);
    ctx.fillStyle = '#444444';
    ctx.fillText(row.lane, 74, y + ROW_HEIGHT / 2);
  }
}
