/**
 * The event boxes: one per event in the visible columns when a box is at least a pixel wide,
 * labelled once they are wide enough; below a pixel, one box per pixel column and row.
 */
import { kindCode, NONE, type TraceColumns } from '../columns';
import { columnAt } from '../layout';
import { colourOfType, OKABE_ITO, textOn, VIOLATION } from '../palette';
import { PixelRuns } from '../pixelRuns';
import { ROW_HEIGHT, toPx } from '../viewport';
import { boxLabel, ellipsize } from './labels';
import type { DrawStats, Painter, Scene } from './scene';

/** Crypto requests and completions are drawn half height: they are steps inside a record's life. */
const HALF_HEIGHT = (() => {
  const out = new Uint8Array(256);
  for (const k of ['seal-request', 'seal-done', 'open-request', 'open-done', 'note'] as const)
    out[kindCode(k)] = 1;
  return out;
})();
const SEGMENT = kindCode('segment');
const ERROR = kindCode('error');

export function drawBoxes(ctx: Painter, scene: Scene, xMin: number, xMax: number): DrawStats {
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
