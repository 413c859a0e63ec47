/** Drag and drop anywhere on the page: whether files are being dragged over it, and the drop. */
import { useEffect, useState } from 'react';
import { benchOpenRequested } from '../model/benchMark';

export function useFileDrop(onFiles: (files: File[]) => unknown): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setDragging(true);
    };
    // Leaving a child element also fires dragleave; only leaving the window has no related target.
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      benchOpenRequested(e.timeStamp);
      onFiles([...(e.dataTransfer?.files ?? [])]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [onFiles]);
  return dragging;
}
