/**
 * For the hooks' unit tests: renders a hook in a component of its own and keeps what it returned
 * last, with a way to render it again with other arguments.
 */
import { act } from 'react';
import { createRoot } from 'react-dom/client';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered<P, R> {
  readonly result: { current: R };
  rerender(props: P): void;
  unmount(): void;
}

interface ProbeProps<P, R> {
  readonly hook: (props: P) => R;
  readonly props: P;
  readonly out: { current: R };
}

function Probe<P, R>({ hook, props, out }: ProbeProps<P, R>) {
  out.current = hook(props);
  return null;
}

export function renderHook<P, R>(hook: (props: P) => R, props: P): Rendered<P, R> {
  const result = { current: undefined as R };
  const root = createRoot(document.createElement('div'));
  act(() => root.render(<Probe hook={hook} props={props} out={result} />));
  return {
    result,
    rerender(next) {
      act(() => root.render(<Probe hook={hook} props={next} out={result} />));
    },
    unmount() {
      act(() => root.unmount());
    },
  };
}
