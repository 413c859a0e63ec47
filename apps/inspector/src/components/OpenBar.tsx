/** File pickers: open a trace, two traces, a run folder's files; or a trace to compare with. */
import { useRef } from 'react';
import { benchOpenRequested } from '../model/benchMark';

export function OpenBar(props: {
  onFiles: (files: File[]) => void;
  onCompareFiles: (files: File[]) => void;
  canCompare: boolean;
}) {
  const open = useRef<HTMLInputElement>(null);
  const cmp = useRef<HTMLInputElement>(null);
  return (
    <div className="open-bar">
      <button type="button" onClick={() => open.current?.click()}>
        Open…
      </button>
      <input
        ref={open}
        type="file"
        multiple
        accept=".ndjson,.jsonl,.json,.txt,application/x-ndjson,application/json"
        hidden
        data-testid="open-input"
        onChange={(e) => {
          benchOpenRequested(e.timeStamp);
          props.onFiles([...(e.currentTarget.files ?? [])]);
          e.currentTarget.value = '';
        }}
      />
      <button type="button" onClick={() => cmp.current?.click()} disabled={!props.canCompare}>
        Compare with…
      </button>
      <input
        ref={cmp}
        type="file"
        accept=".ndjson,.jsonl,.txt"
        hidden
        data-testid="compare-input"
        onChange={(e) => {
          props.onCompareFiles([...(e.currentTarget.files ?? [])]);
          e.currentTarget.value = '';
        }}
      />
    </div>
  );
}
