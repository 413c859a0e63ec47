// @vitest-environment jsdom
import { afterEach, describe, expect, it, type Mock, vi } from 'vitest';
import { renderHook } from './renderHook';
import { type KeyCommand, KEYS, useKeyboard } from './useKeyboard';

const spies = (): Record<KeyCommand, Mock<() => void>> => ({
  next: vi.fn<() => void>(),
  previous: vi.fn<() => void>(),
  play: vi.fn<() => void>(),
  'zoom-in': vi.fn<() => void>(),
  'zoom-out': vi.fn<() => void>(),
  fit: vi.fn<() => void>(),
  'next-violation': vi.fn<() => void>(),
  first: vi.fn<() => void>(),
  last: vi.fn<() => void>(),
  search: vi.fn<() => void>(),
});

/** Presses `key` on `target` (the page itself by default); true when the page took the key. */
function press(key: string, target: Element = document.body, init: KeyboardEventInit = {}) {
  const e = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(e);
  return e.defaultPrevented;
}

const mounted: HTMLElement[] = [];
function element(tag: string): HTMLElement {
  const el = document.createElement(tag);
  document.body.append(el);
  mounted.push(el);
  return el;
}

afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

describe('useKeyboard', () => {
  it('has the shortcuts the README lists', () => {
    expect(Object.fromEntries(KEYS)).toEqual({
      ArrowRight: 'next',
      ArrowLeft: 'previous',
      ' ': 'play',
      '+': 'zoom-in',
      '=': 'zoom-in',
      '-': 'zoom-out',
      _: 'zoom-out',
      '0': 'fit',
      v: 'next-violation',
      Home: 'first',
      End: 'last',
      '/': 'search',
    });
  });

  it('runs the command of each key, and only that one, and keeps the key from the browser', () => {
    const commands = spies();
    const h = renderHook(useKeyboard, commands);
    const calls = () => Object.values(commands).reduce((n, f) => n + f.mock.calls.length, 0);
    for (const [key, command] of KEYS) {
      const before = commands[command].mock.calls.length;
      expect(press(key)).toBe(true);
      expect(commands[command].mock.calls.length).toBe(before + 1);
    }
    expect(calls()).toBe(KEYS.size);
    expect(press('x')).toBe(false);
    h.unmount();
    expect(press('ArrowRight')).toBe(false);
    expect(calls()).toBe(KEYS.size);
  });

  it('calls the commands of the latest render', () => {
    const first = spies();
    const h = renderHook(useKeyboard, first);
    const second = spies();
    h.rerender(second);
    press('v');
    expect(first['next-violation']).not.toHaveBeenCalled();
    expect(second['next-violation']).toHaveBeenCalledTimes(1);
    h.unmount();
  });

  it('leaves keys typed into a field to the field; Escape leaves the field', () => {
    const commands = spies();
    const h = renderHook(useKeyboard, commands);
    for (const tag of ['input', 'select', 'textarea']) {
      const field = element(tag);
      field.focus();
      expect(document.activeElement).toBe(field);
      expect(press('v', field)).toBe(false);
      expect(press('Escape', field)).toBe(false);
      expect(document.activeElement).not.toBe(field);
    }
    expect(commands['next-violation']).not.toHaveBeenCalled();
    h.unmount();
  });

  it('leaves keys with a modifier to the browser, and Space on a button to the button', () => {
    const commands = spies();
    const h = renderHook(useKeyboard, commands);
    expect(press('0', document.body, { ctrlKey: true })).toBe(false);
    expect(press('0', document.body, { metaKey: true })).toBe(false);
    expect(press('0', document.body, { altKey: true })).toBe(false);
    expect(commands.fit).not.toHaveBeenCalled();
    const button = element('button');
    expect(press(' ', button)).toBe(false);
    expect(commands.play).not.toHaveBeenCalled();
    // Other keys on a focused button still work.
    expect(press('ArrowLeft', button)).toBe(true);
    expect(commands.previous).toHaveBeenCalledTimes(1);
    h.unmount();
  });
});
