/**
 * Copy-on-write helpers for the lists of crypto requests in flight that both data-plane machines
 * keep. A state handed out by `step` shares these lists, so they are replaced, never written;
 * the helpers keep the common one-request case free of iterator spreads.
 */

const NONE: readonly never[] = Object.freeze([]);

export function append<T>(list: readonly T[], item: T): readonly T[] {
  return list.length === 0 ? [item] : [...list, item];
}

export function dropFirst<T>(list: readonly T[]): readonly T[] {
  return list.length <= 1 ? NONE : list.slice(1);
}

export function indexOfRequest(list: readonly { readonly id: number }[], id: number): number {
  for (let i = 0; i < list.length; i++) if (list[i]!.id === id) return i;
  return -1;
}
