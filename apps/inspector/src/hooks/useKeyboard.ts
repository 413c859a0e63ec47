/**
 * The page's keyboard shortcuts. Keys typed into a form field stay there (Escape leaves the
 * field), and keys with a modifier are left to the browser.
 */
import { useEffect, useRef } from 'react';

export type KeyCommand =
  | 'next'
  | 'previous'
  | 'play'
  | 'zoom-in'
  | 'zoom-out'
  | 'fit'
  | 'next-violation'
  | 'first'
  | 'last'
  | 'search';

export type KeyCommands = Readonly<Record<KeyCommand, () => void>>;

/** `KeyboardEvent.key` to command; `=` and `_` are `+` and `-` without Shift. */
export const KEYS: ReadonlyMap<string, KeyCommand> = new Map([
  ['ArrowRight', 'next'],
  ['ArrowLeft', 'previous'],
  [' ', 'play'],
  ['+', 'zoom-in'],
  ['=', 'zoom-in'],
  ['-', 'zoom-out'],
  ['_', 'zoom-out'],
  ['0', 'fit'],
  ['v', 'next-violation'],
  ['Home', 'first'],
  ['End', 'last'],
  ['/', 'search'],
]);

const FIELDS = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

export function useKeyboard(commands: KeyCommands): void {
  // The listener stays installed and calls the commands of the latest render.
  const latest = useRef(commands);
  useEffect(() => {
    latest.current = commands;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && FIELDS.has(target.tagName)) {
        if (e.key === 'Escape') target.blur();
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      const command = KEYS.get(e.key);
      if (command === undefined) return;
      // Space on a focused button presses the button; it does not also toggle playback.
      if (command === 'play' && target?.tagName === 'BUTTON') return;
      latest.current[command]();
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
