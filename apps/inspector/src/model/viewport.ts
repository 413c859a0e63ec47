/**
 * The mapping between layout units (slots, rows) and canvas pixels. Pure functions of a small
 * `Viewport` value, so panning and zooming are a state update and a redraw, never a relayout.
 */
import type { Lane } from '@ktls-lab/core';
import type { Layout } from './layout';

export interface Viewport {
  /** Layout x (slots) at the left edge of the plot. */
  readonly x0: number;
  /** Pixels per slot. */
  readonly zoom: number;
}

export const ROW_HEIGHT = 24;
/** Width of the lane labels on the left of the plot. */
export const LABEL_WIDTH = 132;
/** Height of the step axis on top. */
export const AXIS_HEIGHT = 20;
/** Space between two endpoints' groups of lanes. */
export const ENDPOINT_GAP = 14;
export const MIN_ZOOM = 0.002;
export const MAX_ZOOM = 160;

export interface RowPositions {
  /** Top pixel of each layout row, or -1 when the row is filtered out. */
  readonly y: Int32Array;
  /** Rows in drawing order. */
  readonly visible: readonly number[];
  readonly height: number;
}

/** Stacks the rows whose lane passes the filter, endpoint by endpoint. */
export function rowPositions(layout: Layout, lanes: ReadonlySet<Lane>): RowPositions {
  const y = new Int32Array(layout.rows.length).fill(-1);
  const visible: number[] = [];
  let top = AXIS_HEIGHT;
  let lastEp: string | null = null;
  for (const row of layout.rows) {
    if (!lanes.has(row.lane)) continue;
    if (lastEp !== null && row.ep !== lastEp) top += ENDPOINT_GAP;
    lastEp = row.ep;
    y[row.index] = top;
    visible.push(row.index);
    top += ROW_HEIGHT;
  }
  return { y, visible, height: top + 4 };
}

export function toPx(v: Viewport, x: number): number {
  return LABEL_WIDTH + (x - v.x0) * v.zoom;
}

export function toX(v: Viewport, px: number): number {
  return v.x0 + (px - LABEL_WIDTH) / v.zoom;
}

/** Keeps the zoom in range and the trace on screen (a little slack at both ends). */
export function clampViewport(v: Viewport, layoutWidth: number, plotWidth: number): Viewport {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.zoom));
  const visible = plotWidth / zoom;
  const slack = visible * 0.25;
  const min = -slack;
  const max = Math.max(min, layoutWidth - visible + slack);
  return { zoom, x0: Math.min(max, Math.max(min, v.x0)) };
}

/** Zooms by `factor` keeping the layout point under pixel `px` fixed. */
export function zoomAt(v: Viewport, px: number, factor: number): Viewport {
  const anchor = toX(v, px);
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.zoom * factor));
  return { zoom, x0: anchor - (px - LABEL_WIDTH) / zoom };
}

/** The whole trace in the plot. */
export function fitAll(layoutWidth: number, plotWidth: number): Viewport {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, plotWidth / Math.max(1, layoutWidth)));
  return { zoom, x0: 0 };
}

/** A viewport showing `x`, moved only if `x` is off screen or near an edge. */
export function reveal(v: Viewport, x: number, plotWidth: number): Viewport {
  const visible = plotWidth / v.zoom;
  const margin = Math.min(visible * 0.15, 8);
  if (x - margin >= v.x0 && x + 1 + margin <= v.x0 + visible) return v;
  return { zoom: v.zoom, x0: x + 0.5 - visible / 2 };
}
