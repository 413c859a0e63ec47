/**
 * The swimlane canvas. It owns no trace state: it paints `drawScene` for the props it gets, at
 * most once per animation frame, and turns mouse input into viewport changes and selections.
 */
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { benchMeasure } from '../model/benchMark';
import { drawScene } from '../model/draw';
import type { EventTable } from '../model/eventTable';
import { eventAt, type Layout } from '../model/layout';
import {
  clampViewport,
  LABEL_WIDTH,
  ROW_HEIGHT,
  type RowPositions,
  toX,
  type Viewport,
  zoomAt,
} from '../model/viewport';

export interface TimelineProps {
  readonly label: string;
  readonly layout: Layout;
  readonly events: EventTable;
  readonly rows: RowPositions;
  readonly viewport: Viewport;
  readonly mask: Uint8Array | null;
  readonly cursor: number | null;
  readonly onViewport: (v: Viewport) => void;
  readonly onSelect: (event: number) => void;
  readonly onWidth?: (plotWidth: number) => void;
}

export const Timeline = memo(function Timeline(props: TimelineProps) {
  const { layout, events, rows, viewport, mask, cursor, onViewport, onSelect, onWidth, label } =
    props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const onWidthRef = useRef(onWidth);
  onWidthRef.current = onWidth;
  const drag = useRef<{ px: number; x0: number; moved: boolean } | null>(null);
  // Latest viewport for the native wheel listener, which is registered once.
  const latest = useRef({ viewport, width, layoutWidth: layout.width, onViewport });
  latest.current = { viewport, width, layoutWidth: layout.width, onViewport };

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const measure = () => {
      const w = Math.max(320, Math.floor(el.clientWidth));
      setWidth(w);
      // Synchronously, before the page's effects run: the first fit of a new trace needs the real
      // plot width, not the default.
      onWidthRef.current?.(w - LABEL_WIDTH);
    };
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, []);

  // Paint on the next frame; several prop changes within one frame paint once.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const frame = requestAnimationFrame(() => {
      const dpr = window.devicePixelRatio || 1;
      const height = rows.height;
      if (canvas.width !== width * dpr || canvas.height !== height * dpr) {
        canvas.width = width * dpr;
        canvas.height = height * dpr;
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
      }
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const started = performance.now();
      drawScene(ctx, { layout, events, viewport, rows, width, height, mask, cursor });
      benchMeasure('draw', started);
    });
    return () => cancelAnimationFrame(frame);
  }, [layout, events, viewport, rows, width, mask, cursor]);

  // Wheel: zoom around the pointer (ctrl/cmd or a plain vertical wheel), pan with horizontal
  // motion or shift. Registered natively because React's wheel listener is passive.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      const { viewport: v, width: w, layoutWidth, onViewport: set } = latest.current;
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      const px = e.clientX - rect.left;
      const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
      const next = horizontal
        ? { zoom: v.zoom, x0: v.x0 + (e.shiftKey ? e.deltaY : e.deltaX) / v.zoom }
        : zoomAt(v, Math.max(LABEL_WIDTH, px), Math.exp(-e.deltaY * 0.002));
      set(clampViewport(next, layoutWidth, w - LABEL_WIDTH));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, []);

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { px: e.clientX, x0: viewport.x0, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.px;
    if (Math.abs(dx) > 3) d.moved = true;
    if (d.moved) {
      onViewport(
        clampViewport(
          { zoom: viewport.zoom, x0: d.x0 - dx / viewport.zoom },
          layout.width,
          width - LABEL_WIDTH,
        ),
      );
    }
  };
  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    if (px < LABEL_WIDTH) return;
    const row = rows.visible.find((r) => py >= rows.y[r]! && py < rows.y[r]! + ROW_HEIGHT);
    if (row === undefined) return;
    const hit = eventAt(layout, toX(viewport, px), row);
    if (hit !== null && (!mask || mask[hit] === 1)) onSelect(hit);
  };

  return (
    <div className="timeline" ref={boxRef}>
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={`Swimlanes of ${label}: ${events.length} events. Use the arrow keys to step.`}
        data-testid="timeline-canvas"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
      />
    </div>
  );
});
