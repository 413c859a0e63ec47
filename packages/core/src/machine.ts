import type { AeadKey } from './aead.js';
import type { CryptoState } from './cryptoState.js';
import type { TraceDraft } from './trace.js';

/**
 * What the RX and TX machines share: the shape of a pure transition built on an in-place one,
 * the key a direction runs, and the one effect both emit for tracing.
 */

/** A mutable working copy of a state for one step; callers of `step` only see the frozen result. */
export type Draft<S> = { -readonly [K in keyof S]: S[K] };

/**
 * `step(state, input) -> [next, effects]` from `apply`, which steps a draft in place: the state
 * handed in is copied once and never changed. Arrays inside a state are replaced, never written,
 * so the copy is shallow.
 */
export function pureStep<S, I, E>(
  apply: (d: Draft<S>, input: I, fx: E[]) => void,
): (state: S, input: I) => readonly [S, readonly E[]] {
  return (state, input) => {
    const d = { ...state } as Draft<S>;
    const fx: E[] = [];
    apply(d, input, fx);
    return [d as S, fx];
  };
}

/** The key a direction runs: its crypto state, the engine's handle for it, and its epoch. */
export interface DirectionKey {
  readonly crypto: CryptoState;
  readonly aead: AeadKey;
  readonly epoch: number;
}

/**
 * The epoch after "reset it" (rfc-2015 import): the same key keeps its epoch, another key is a new
 * one (a KeyUpdate or a change of cipher done in userspace).
 */
export function epochAfterImport(current: DirectionKey, next: AeadKey, epoch: number): number {
  return next.fingerprint === current.aead.fingerprint ? epoch : epoch + 1;
}

/**
 * The trace effect. Every call sits behind `if (d.config.trace)`, so with tracing off the hot
 * path builds no event.
 */
export function trace(
  fx: { push(effect: { readonly type: 'trace'; readonly event: TraceDraft }): unknown },
  event: TraceDraft,
): void {
  fx.push({ type: 'trace', event });
}
