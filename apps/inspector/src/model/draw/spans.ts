/**
 * What spans time in a row: key epoch bands, freezes and async crypto requests, each drawn under
 * the event boxes. Their captions are handed back as tags, painted over the boxes.
 */
import { EPOCH_TINTS, FREEZE_FILL, FREEZE_HATCH, OPEN_SPAN, SEAL_SPAN } from '../palette';
import { PixelRuns } from '../pixelRuns';
import { LABEL_WIDTH, ROW_HEIGHT, toPx } from '../viewport';
import { TAG_HEIGHT, type Tag } from './labels';
import type { Painter, Scene } from './scene';

export function drawEpochs(
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

export function drawFreezes(
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

export function drawCrypto(
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
