/**
 * Paints the swimlanes onto a 2D canvas context. Virtualised: only columns, bands, freezes and
 * spans that intersect the visible range are visited, and when boxes are narrower than a pixel
 * only one box per pixel column and row is painted, so a frame costs O(visible pixels), not
 * O(events).
 *
 * Everything drawn from the trace goes through `fillText` (canvas text, never markup).
 */
import type { TraceEvent } from '@ktls-lab/core';
import { kindCode, NONE, type TraceColumns } from './columns';
import type { EventTable } from './eventTable';
import { columnAt, type Layout } from './layout';
import {
  CURSOR,
  colourOfType,
  EPOCH_TINTS,
  FREEZE_FILL,
  FREEZE_HATCH,
  OKABE_ITO,
  OPEN_SPAN,
  SEAL_SPAN,
  textOn,
  VIOLATION,
} from './palette';
import { PixelRuns } from './pixelRuns';
import {
  AXIS_HEIGHT,
  LABEL_WIDTH,
  ROW_HEIGHT,
  type RowPositions,
  toPx,
  toX,
  type Viewport,
} from './viewport';

/** The subset of CanvasRenderingContext2D the painter uses (a test can record it). */
export type Painter = Pick<
  CanvasRenderingContext2D,
  | 'fillRect'
  | 'strokeRect'
  | 'fillText'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'closePath'
  | 'stroke'
  | 'fill'
  | 'save'
  | 'restore'
  | 'rect'
  | 'clip'
  | 'setLineDash'
  | 'measureText'
> & {
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  lineWidth: number;
  font: string;
  textBaseline: CanvasRenderingContext2D['textBaseline'];
  textAlign: CanvasRenderingContext2D['textAlign'];
};

export interface Scene {
  readonly layout: Layout;
  readonly events: EventTable;
  readonly viewport: Viewport;
  readonly rows: RowPositions;
  /** CSS pixels. */
  readonly width: number;
  readonly height: number;
  /** Events shown (1) and hidden (0) by the filters; null shows all. */
  readonly mask: Uint8Array | null;
  readonly cursor: number | null;
}

export interface DrawStats {
  readonly boxes: number;
  readonly columns: number;
}

const KIND_LABEL: Partial<Record<TraceEvent['kind'], string>> = {
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
  let s = KIND_LABEL[e.kind] ?? e.kind;
  if (e.seq !== undefined) s += ` #${e.seq}`;
  if (e.epoch !== undefined) s += ` e${e.epoch}`;
  return s;
}

/** Crypto requests and completions are drawn half height: they are steps inside a record's life. */
const HALF_HEIGHT = (() => {
  const out = new Uint8Array(256);
  for (const k of ['seal-request', 'seal-done', 'open-request', 'open-done', 'note'] as const)
    out[kindCode(k)] = 1;
  return out;
})();
const SEGMENT = kindCode('segment');
const ERROR = kindCode('error');

export function drawScene(ctx: Painter, scene: Scene): DrawStats {
  const { layout, viewport: v, rows, width, height } = scene;
  const plotX1 = width;
  const xMin = toX(v, LABEL_WIDTH);
  const xMax = toX(v, plotX1);

  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_WIDTH, 0, width - LABEL_WIDTH, height);
  ctx.clip();

  // Band and freeze captions are collected and painted over the boxes, on a white ground, so a
  // box never hides the reason of a freeze.
  const tags: Tag[] = [];
  drawRowStripes(ctx, scene);
  drawEpochs(ctx, scene, xMin, xMax, tags);
  drawFreezes(ctx, scene, xMin, xMax, tags);
  drawCrypto(ctx, scene, xMin, xMax);
  const stats = drawBoxes(ctx, scene, xMin, xMax);
  drawTags(ctx, tags);
  drawViolations(ctx, scene, xMin, xMax);
  drawCursor(ctx, scene);
  drawAxis(ctx, scene, xMin, xMax);
  ctx.restore();

  drawLaneLabels(ctx, layout, rows);
  return stats;
}

function drawRowStripes(ctx: Painter, { rows, width }: Scene): void {
  ctx.strokeStyle = '#e4e4e4';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const r of rows.visible) {
    const y = rows.y[r]! + ROW_HEIGHT - 0.5;
    ctx.moveTo(LABEL_WIDTH, y);
    ctx.lineTo(width, y);
  }
  ctx.stroke();
}

/** A caption: text at (x, y) = left, top. */
interface Tag {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly colour: string;
}

const TAG_HEIGHT = 11;

function drawTags(ctx: Painter, tags: readonly Tag[]): void {
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

function drawEpochs(
  ctx: Painter,
  { layout, rows, viewport: v }: Scene,
  xMin: number,
  xMax: number,
  tags: Tag[],
) {
  // Band edges (key changes) go into one path: thousands of bands must not mean thousands of
  // strokes. A band edge is drawn as a line so that it reads without colour.
  const edges: number[] = [];
  // Bands under a pixel wide (thousands, zoomed out): one per pixel column and row, as runs.
  const runs = new PixelRuns(layout.rows.length);
  const lastPx = new Float64Array(layout.rows.length).fill(-1);
  for (const band of layout.epochs) {
    if (band.x1 < xMin || band.x0 > xMax) continue;
    const px0 = toPx(v, band.x0);
    const px1 = toPx(v, band.x1);
    const narrow = px1 - px0 < 1;
    const p = Math.floor(px0);
    if (!narrow) ctx.fillStyle = EPOCH_TINTS[band.epoch % 2]!;
    let labelY = -1;
    for (const r of band.rows) {
      const y = rows.y[r]!;
      if (y < 0) continue;
      if (!narrow) ctx.fillRect(px0, y, px1 - px0, ROW_HEIGHT - 1);
      else if (lastPx[r]! < p) {
        lastPx[r] = p;
        runs.add(r, p, band.epoch % 2, y, ROW_HEIGHT - 1);
      }
      if (labelY < 0) labelY = y;
      if (px1 - px0 >= 3) edges.push(Math.round(px0) + 0.5, y);
    }
    if (labelY >= 0 && px1 - px0 > 60) {
      const text = `${band.dir.toUpperCase()} epoch ${band.epoch}${band.key ? ` · ${band.key.slice(0, 8)}` : ''}`;
      tags.push({ text, x: Math.max(px0, LABEL_WIDTH) + 3, y: labelY, colour: '#1f4e79' });
    }
  }
  runs.paint(ctx, EPOCH_TINTS);
  ctx.strokeStyle = 'rgba(0,114,178,0.6)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let k = 0; k < edges.length; k += 2) {
    ctx.moveTo(edges[k]!, edges[k + 1]!);
    ctx.lineTo(edges[k]!, edges[k + 1]! + ROW_HEIGHT - 1);
  }
  ctx.stroke();
}

function drawFreezes(
  ctx: Painter,
  { layout, rows, viewport: v, width }: Scene,
  xMin: number,
  xMax: number,
  tags: Tag[],
) {
  for (const f of layout.freezes) {
    if (f.x1 < xMin || f.x0 > xMax) continue;
    const y = rows.y[f.row]!;
    if (y < 0) continue;
    const px0 = Math.max(LABEL_WIDTH - 10, toPx(v, f.x0));
    const px1 = Math.min(width + 10, toPx(v, f.x1));
    ctx.fillStyle = FREEZE_FILL;
    ctx.fillRect(px0, y, px1 - px0, ROW_HEIGHT - 1);
    // Hatching, so a freeze is not only a shade of grey (not worth it below a few pixels).
    if (px1 - px0 < 6) continue;
    ctx.save();
    ctx.beginPath();
    ctx.rect(px0, y, px1 - px0, ROW_HEIGHT - 1);
    ctx.clip();
    ctx.strokeStyle = FREEZE_HATCH;
    ctx.lineWidth = 1;
    ctx.beginPath();
    const start = px0 - ((px0 - LABEL_WIDTH) % 8) - ROW_HEIGHT;
    for (let x = start; x < px1; x += 8) {
      ctx.moveTo(x, y + ROW_HEIGHT);
      ctx.lineTo(x + ROW_HEIGHT, y);
    }
    ctx.stroke();
    ctx.restore();
    if (px1 - px0 > 80) {
      const text = `frozen: ${f.reason}${f.resumeReason ? ` → ${f.resumeReason}` : ' (never resumed)'}`;
      tags.push({
        text,
        x: Math.max(px0, LABEL_WIDTH) + 3,
        y: y + ROW_HEIGHT - TAG_HEIGHT - 1,
        colour: '#000000',
      });
    }
  }
}

function drawCrypto(
  ctx: Painter,
  { layout, rows, viewport: v }: Scene,
  xMin: number,
  xMax: number,
) {
  // One path per operation and style: tens of thousands of spans must not mean as many strokes.
  for (const op of ['seal', 'open'] as const) {
    for (const done of [true, false]) {
      ctx.strokeStyle = op === 'seal' ? SEAL_SPAN : OPEN_SPAN;
      ctx.lineWidth = 2;
      ctx.setLineDash(done ? [] : [4, 3]);
      ctx.beginPath();
      // When zoomed far out, several spans share a pixel: draw one per pixel and row.
      const lastPx = new Map<number, number>();
      for (const s of layout.crypto) {
        if (s.op !== op || (s.done !== null) !== done) continue;
        if (s.x1 < xMin || s.x0 > xMax) continue;
        const y = rows.y[s.row]!;
        if (y < 0) continue;
        const px0 = toPx(v, s.x0 + 0.5);
        const px1 = toPx(v, s.x1 - 0.5);
        const p = Math.floor(px0);
        if (px1 - px0 < 2 && lastPx.get(s.row) === p) continue;
        lastPx.set(s.row, p);
        const ly = y + ROW_HEIGHT - 5;
        ctx.moveTo(px0, ly);
        ctx.lineTo(px1, ly);
        if (px1 - px0 >= 4) {
          ctx.moveTo(px0, ly - 3);
          ctx.lineTo(px0, ly + 3);
          if (done) {
            ctx.moveTo(px1, ly - 3);
            ctx.lineTo(px1, ly + 3);
          }
        }
      }
      ctx.stroke();
    }
  }
  ctx.setLineDash([]);
}

function drawBoxes(ctx: Painter, scene: Scene, xMin: number, xMax: number): DrawStats {
  if (scene.viewport.zoom < 1) return drawDenseBoxes(ctx, scene, xMin, xMax);
  const { layout, events, rows, viewport: v, mask } = scene;
  const { columns, order, eventX, eventRow } = layout;
  const cols = events.columns;
  const c0 = columnAt(columns, xMin);
  const boxW = v.zoom;
  const gap = boxW > 6 ? 1.5 : 0;
  const labels = boxW >= 34;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  let boxes = 0;
  let c = c0;
  for (; c < columns.t.length && columns.x[c]! <= xMax; c++) {
    for (let k = columns.start[c]!; k < columns.start[c + 1]!; k++) {
      const i = order[k]!;
      const r = eventRow[i]!;
      const y = rows.y[r]!;
      if (y < 0) continue;
      if (mask && mask[i] === 0) continue;
      const kind = cols.kind[i]!;
      const px = toPx(v, eventX[i]!);
      const half = HALF_HEIGHT[kind] === 1;
      const top = half ? y + 5 : y + 2;
      const h = half ? ROW_HEIGHT - 12 : ROW_HEIGHT - 5;
      const w = Math.max(1, boxW - gap);
      const colour = boxColour(cols, i);
      ctx.fillStyle = colour;
      if (kind === SEGMENT && boxW > 3) {
        // Segments are raw stream bytes, not records: an outline, not a solid box.
        ctx.strokeStyle = OKABE_ITO.grey;
        ctx.lineWidth = 1;
        ctx.strokeRect(px + 0.5, top + 0.5, w - 1, h - 1);
      } else {
        ctx.fillRect(px, top, w, h);
      }
      boxes++;
      if (labels) {
        // The only per-box read of a whole event: a few hundred labelled boxes fit on screen.
        ctx.fillStyle = kind === SEGMENT ? '#333333' : textOn(colour);
        ctx.fillText(ellipsize(ctx, boxLabel(events.at(i)), w - 4), px + 2, top + h / 2);
      }
    }
  }
  return { boxes, columns: c - c0 };
}

function boxColour(cols: TraceColumns, i: number): string {
  if (cols.violations.has(i)) return VIOLATION;
  if (cols.kind[i] === ERROR) return OKABE_ITO.vermillion;
  const type = cols.type[i]!;
  return colourOfType(type === NONE ? undefined : type);
}

/**
 * Boxes narrower than a pixel: one box per pixel column and row (the first event there), so the
 * frame is bounded by the screen, not the trace; painted as runs of one colour (see PixelRuns).
 */
function drawDenseBoxes(ctx: Painter, scene: Scene, xMin: number, xMax: number): DrawStats {
  const { layout, events, rows, viewport: v, mask } = scene;
  const { columns, order, eventX, eventRow } = layout;
  const cols = events.columns;
  const lastPx = new Float64Array(layout.rows.length).fill(-1);
  const runs = new PixelRuns(layout.rows.length);
  // Style of a run: colour index times two, plus one for half height.
  const colours: string[] = [];
  const colourIndex = new Map<string, number>();
  let boxes = 0;
  const c0 = columnAt(columns, xMin);
  let c = c0;
  for (; c < columns.t.length && columns.x[c]! <= xMax; c++) {
    for (let k = columns.start[c]!; k < columns.start[c + 1]!; k++) {
      const i = order[k]!;
      const r = eventRow[i]!;
      const y = rows.y[r]!;
      if (y < 0) continue;
      if (mask && mask[i] === 0) continue;
      const p = Math.floor(toPx(v, eventX[i]!));
      if (lastPx[r] === p) continue;
      lastPx[r] = p;
      const colour = boxColour(cols, i);
      let ci = colourIndex.get(colour);
      if (ci === undefined) {
        ci = colours.length;
        colours.push(colour);
        colourIndex.set(colour, ci);
      }
      const half = HALF_HEIGHT[cols.kind[i]!] === 1;
      runs.add(
        r,
        p,
        ci * 2 + (half ? 1 : 0),
        half ? y + 5 : y + 2,
        half ? ROW_HEIGHT - 12 : ROW_HEIGHT - 5,
      );
      boxes++;
    }
  }
  runs.paint(
    ctx,
    colours.flatMap((colour) => [colour, colour]),
  );
  return { boxes, columns: c - c0 };
}

/** Cuts `text` to fit `width` pixels (measuring is cheap for the few labelled boxes on screen). */
function ellipsize(ctx: Painter, text: string, width: number): string {
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

function drawViolations(
  ctx: Painter,
  { layout, rows, viewport: v, height }: Scene,
  xMin: number,
  xMax: number,
) {
  const marks: { px: number; ty: number }[] = [];
  let lastPx = Number.NaN;
  for (const m of layout.violations) {
    if (m.x + 1 < xMin || m.x > xMax) continue;
    const px = toPx(v, m.x + 0.5);
    if (Math.floor(px) === lastPx) continue;
    lastPx = Math.floor(px);
    const y = rows.y[m.row]!;
    marks.push({ px, ty: y >= 0 ? y : AXIS_HEIGHT });
  }
  if (marks.length === 0) return;
  ctx.strokeStyle = VIOLATION;
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 3]);
  ctx.beginPath();
  for (const { px } of marks) {
    ctx.moveTo(px, AXIS_HEIGHT);
    ctx.lineTo(px, height);
  }
  ctx.stroke();
  ctx.setLineDash([]);
  // A triangle: the marker is a shape, not only a colour.
  ctx.fillStyle = VIOLATION;
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const { px, ty } of marks) {
    ctx.moveTo(px - 7, ty - 1);
    ctx.lineTo(px + 7, ty - 1);
    ctx.lineTo(px, ty + 10);
    ctx.closePath();
  }
  ctx.fill();
  ctx.stroke();
}

function drawCursor(ctx: Painter, { layout, rows, viewport: v, cursor, height }: Scene): void {
  if (cursor === null || cursor >= layout.eventX.length) return;
  const px = toPx(v, layout.eventX[cursor]!);
  const w = Math.max(2, v.zoom);
  ctx.strokeStyle = CURSOR;
  ctx.lineWidth = 1;
  ctx.setLineDash([2, 2]);
  ctx.beginPath();
  ctx.moveTo(px + w / 2, AXIS_HEIGHT);
  ctx.lineTo(px + w / 2, height);
  ctx.stroke();
  ctx.setLineDash([]);
  const y = rows.y[layout.eventRow[cursor]!]!;
  if (y >= 0) {
    ctx.lineWidth = 2.5;
    ctx.strokeRect(px - 1, y, w + 2, ROW_HEIGHT - 1);
  }
}

function drawAxis(ctx: Painter, { layout, viewport: v, width }: Scene, xMin: number, xMax: number) {
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

function drawLaneLabels(ctx: Painter, layout: Layout, rows: RowPositions): void {
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
