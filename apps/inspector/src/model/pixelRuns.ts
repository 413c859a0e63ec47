/**
 * Batches one-pixel-wide rectangles for the zoomed-out view: on each row, neighbouring pixels of
 * the same style merge into one rectangle, and rectangles are painted grouped by style. A canvas
 * pays per call (about 2 to 4 µs per `fillRect` in Chromium's software canvas, more when the fill
 * style changes), so 15,000 boxes of a 100,000-event trace seen whole cost a first paint of about
 * 60 ms as single calls; as runs they are a few thousand calls and a handful of style changes.
 */
import type { Painter } from './draw/scene';

export class PixelRuns {
  /** Per row: the open run's first pixel, the pixel after it, its style (-1 when none), y, h. */
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly style: Int32Array;
  private readonly y: Float64Array;
  private readonly h: Float64Array;
  /** Per style: x, y, w, h of each finished rectangle. */
  private readonly rects: number[][] = [];

  constructor(rows: number) {
    this.start = new Int32Array(rows);
    this.end = new Int32Array(rows);
    this.style = new Int32Array(rows).fill(-1);
    this.y = new Float64Array(rows);
    this.h = new Float64Array(rows);
  }

  /**
   * Pixel column `px` (an integer) of `row`, from `y` for `h` pixels, in `style` (a small
   * non-negative integer). Pixels of a row must come in ascending order.
   */
  add(row: number, px: number, style: number, y: number, h: number): void {
    if (
      this.style[row] === style &&
      this.end[row] === px &&
      this.y[row] === y &&
      this.h[row] === h
    ) {
      this.end[row] = px + 1;
      return;
    }
    this.close(row);
    this.start[row] = px;
    this.end[row] = px + 1;
    this.style[row] = style;
    this.y[row] = y;
    this.h[row] = h;
  }

  /** Paints every run, style by style; `styles[s]` is the fill of style `s`. */
  paint(ctx: Painter, styles: readonly string[]): number {
    for (let row = 0; row < this.style.length; row++) this.close(row);
    let calls = 0;
    for (let s = 0; s < this.rects.length; s++) {
      const r = this.rects[s];
      if (!r || r.length === 0) continue;
      ctx.fillStyle = styles[s]!;
      for (let k = 0; k < r.length; k += 4) ctx.fillRect(r[k]!, r[k + 1]!, r[k + 2]!, r[k + 3]!);
      calls += r.length / 4;
      r.length = 0;
    }
    return calls;
  }

  private close(row: number): void {
    const s = this.style[row]!;
    if (s < 0) return;
    let out = this.rects[s];
    if (!out) {
      out = [];
      this.rects[s] = out;
    }
    out.push(this.start[row]!, this.y[row]!, this.end[row]! - this.start[row]!, this.h[row]!);
    this.style[row] = -1;
  }
}
