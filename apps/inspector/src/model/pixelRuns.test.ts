import { describe, expect, it } from 'vitest';
import type { Painter } from './draw';
import { PixelRuns } from './pixelRuns';

/** Records the fills as [style, x, y, w, h]. */
function recorder() {
  const fills: [string, number, number, number, number][] = [];
  const ctx = {
    fillStyle: '',
    fillRect(x: number, y: number, w: number, h: number) {
      fills.push([String(this.fillStyle), x, y, w, h]);
    },
  };
  return { ctx: ctx as unknown as Painter, fills };
}

describe('PixelRuns', () => {
  it('merges neighbouring pixels of one style and row into one rectangle', () => {
    const runs = new PixelRuns(2);
    for (const px of [10, 11, 12]) runs.add(0, px, 0, 5, 20);
    const { ctx, fills } = recorder();
    expect(runs.paint(ctx, ['red'])).toBe(1);
    expect(fills).toEqual([['red', 10, 5, 3, 20]]);
  });

  it('splits on a gap, a new style or a new height, and keeps rows apart', () => {
    const runs = new PixelRuns(2);
    runs.add(0, 1, 0, 0, 10);
    runs.add(0, 2, 0, 0, 10);
    runs.add(0, 4, 0, 0, 10); // gap
    runs.add(0, 5, 1, 0, 10); // other style
    runs.add(0, 6, 1, 2, 6); // other height
    runs.add(1, 1, 0, 30, 10); // other row, same pixel
    const { ctx, fills } = recorder();
    expect(runs.paint(ctx, ['a', 'b'])).toBe(5);
    // Grouped by style: every 'a' before every 'b', so the fill style is set once per style.
    expect(fills).toEqual([
      ['a', 1, 0, 2, 10],
      ['a', 4, 0, 1, 10],
      ['a', 1, 30, 1, 10],
      ['b', 5, 0, 1, 10],
      ['b', 6, 2, 1, 6],
    ]);
  });

  it('paints nothing twice', () => {
    const runs = new PixelRuns(1);
    runs.add(0, 0, 0, 0, 1);
    const { ctx, fills } = recorder();
    runs.paint(ctx, ['a']);
    expect(runs.paint(ctx, ['a'])).toBe(0);
    expect(fills).toHaveLength(1);
  });
});
