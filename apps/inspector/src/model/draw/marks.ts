/** Marks over the plot: the row stripes under everything, violations and the cursor on top. */
import { CURSOR, VIOLATION } from '../palette';
import { AXIS_HEIGHT, LABEL_WIDTH, ROW_HEIGHT, toPx } from '../viewport';
import type { Painter, Scene } from './scene';

export function drawRowStripes(ctx: Painter, { rows, width }: Scene): void {
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

export function drawViolations(
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

export function drawCursor(
  ctx: Painter,
  { layout, rows, viewport: v, cursor, height }: Scene,
): void {
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
