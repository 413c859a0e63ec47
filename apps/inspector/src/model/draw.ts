/**
 * Paints the swimlanes onto a 2D canvas context. Virtualised: only columns, bands, freezes and
 * spans that intersect the visible range are visited, and when boxes are narrower than a pixel
 * only one box per pixel column and row is painted, so a frame costs O(visible pixels), not
 * O(events).
 *
 * Everything drawn from the trace goes through `fillText` (canvas text, never markup).
 *
 * The passes, one file each under draw/: boxes (records), spans (epochs, freezes, crypto),
 * labels (box labels, captions, axis, lane labels) and marks (row stripes, violations, cursor).
 * They share only the scene and the painter, and the bundler concatenates the modules into one
 * scope, so a pass in another module is called as it was in one file: the split costs the paint
 * path nothing.
 */
import { drawBoxes } from './draw/boxes';
import { drawAxis, drawLaneLabels, drawTags, type Tag } from './draw/labels';
import { drawCursor, drawRowStripes, drawViolations } from './draw/marks';
import type { DrawStats, Painter, Scene } from './draw/scene';
import { drawCrypto, drawEpochs, drawFreezes } from './draw/spans';
import { LABEL_WIDTH, toX } from './viewport';

export { boxLabel } from './draw/labels';
export type { DrawStats, Painter, Scene } from './draw/scene';

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
