// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderHook } from './renderHook';
import { useFileDrop } from './useFileDrop';

/** A drag event as the browser sends it (jsdom has no DragEvent). */
function drag(
  type: string,
  transfer: { types: string[]; files: File[] },
  relatedTarget: EventTarget | null = null,
) {
  const e = new Event(type, { cancelable: true });
  Object.defineProperties(e, {
    dataTransfer: { value: transfer },
    relatedTarget: { value: relatedTarget },
  });
  act(() => void window.dispatchEvent(e));
  return e;
}

describe('useFileDrop', () => {
  it('shows files dragged over the page until they leave it, and opens dropped ones', () => {
    const onFiles = vi.fn();
    const h = renderHook(useFileDrop, onFiles);
    const file = new File(['x'], 'a.ndjson');
    const files = { types: ['Files'], files: [file] };
    expect(drag('dragover', files).defaultPrevented).toBe(true);
    expect(h.result.current).toBe(true);
    // Moving from one element of the page to another is not leaving it.
    drag('dragleave', files, document.body);
    expect(h.result.current).toBe(true);
    drag('dragleave', files, null);
    expect(h.result.current).toBe(false);
    drag('dragover', files);
    expect(drag('drop', files).defaultPrevented).toBe(true);
    expect(h.result.current).toBe(false);
    expect(onFiles).toHaveBeenCalledWith([file]);
    h.unmount();
  });

  it('leaves drags of anything but files to the page', () => {
    const h = renderHook(useFileDrop, vi.fn());
    expect(drag('dragover', { types: ['text/plain'], files: [] }).defaultPrevented).toBe(false);
    expect(h.result.current).toBe(false);
    h.unmount();
  });
});
