/** Shown over the page while files are dragged over it: what a drop opens. */
export function DropOverlay() {
  return (
    <div className="drop-overlay">
      Drop a trace (.ndjson), two traces to compare, or a run folder's index.json with its traces
    </div>
  );
}
