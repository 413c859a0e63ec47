/** What a frame is drawn from (a scene) and onto (a painter), shared by the draw passes. */
import type { EventTable } from '../eventTable';
import type { Layout } from '../layout';
import type { RowPositions, Viewport } from '../viewport';

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
