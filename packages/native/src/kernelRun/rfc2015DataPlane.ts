import {
  type AeadKey,
  assertNever,
  type CapabilityProfile,
  type CryptoState,
  concat,
  createRx,
  createTx,
  keyFingerprint,
  type RecordError,
  RFC_2015,
  type RxEffect,
  type RxInput,
  type RxState,
  rxStep,
  type TxEffect,
  type TxInput,
  type TxState,
  txStep,
} from '@ktls-lab/core';
import type { AfAlgAeadEngine, BatchResult } from '../afalg.js';

/**
 * The data plane of Watson's 2015 design on a real kernel: core's RX and TX machines in the
 * `rfc-2015` design, every seal and open done by the kernel's AEAD through AF_ALG (per direction a
 * transform socket, ALG_SET_KEY and ALG_SET_AEAD_AUTHSIZE once per key, and op sockets accepted
 * from it; the IV and the AAD length go by cmsg with every operation: docs/kernel-tls.md §11).
 * The requests a machine issues together are put in flight together, one per op socket, and their
 * completions are fed back in the order the kernel gave them; the machine then delivers in stream
 * order, and this driver checks that it did, and that a record left for userspace comes only after
 * every record before it was delivered (docs/kernel-tls.md §6).
 */

/** What the real run measured: crypto in flight, completion order, and rule violations. */
export interface Rfc2015Stats {
  /** AF_ALG batches (requests put in flight together). */
  batches: number;
  /** AF_ALG operations (seals and opens). */
  operations: number;
  /** Most requests in one batch. */
  maxInFlight: number;
  /** Completions that came before one issued earlier in the same batch. */
  outOfOrder: number;
  /** ALG_SET_KEY calls (one transform socket each), per direction. */
  keysSet: { tx: number; rx: number };
  /** Breaches of in-order delivery or drain-before-control; empty on a correct run. */
  violations: string[];
}

export function newStats(): Rfc2015Stats {
  return {
    batches: 0,
    operations: 0,
    maxInFlight: 0,
    outOfOrder: 0,
    keysSet: { tx: 0, rx: 0 },
    violations: [],
  };
}

/** Completions that overtook a request issued before them. */
export function countOutOfOrder(order: readonly number[]): number {
  let max = -1;
  let n = 0;
  for (const i of order) {
    if (i < max) n++;
    else max = i;
  }
  return n;
}

/** What RX handed up: data in stream order, or a record left for userspace. */
export type RxItem =
  | { readonly kind: 'data'; readonly data: Uint8Array }
  | {
      readonly kind: 'held';
      readonly reason: 'control-record' | 'userspace-record-layer';
      readonly record: Uint8Array;
    };

/** One endpoint's data plane: RX and TX machines, AF_ALG engines per direction. */
export class Rfc2015DataPlane {
  rx: RxState;
  tx: TxState;
  readonly profile: CapabilityProfile;
  readonly items: RxItem[] = [];
  readonly wire: Uint8Array[] = [];
  readonly #engines: { readonly tx: AfAlgAeadEngine; readonly rx: AfAlgAeadEngine };
  readonly #keys = { tx: new Map<string, AeadKey>(), rx: new Map<string, AeadKey>() };
  readonly #stats: Rfc2015Stats;
  /** The next record RX must deliver or leave for userspace (-1n before a key). */
  #expected = -1n;
  #state: CryptoState | null = null;
  #errors: RecordError[] = [];

  constructor(
    engines: { readonly tx: AfAlgAeadEngine; readonly rx: AfAlgAeadEngine },
    profile: CapabilityProfile,
    asyncDepth: number,
    stats: Rfc2015Stats,
  ) {
    this.#engines = engines;
    this.#stats = stats;
    this.profile = profile;
    this.rx = createRx({ design: RFC_2015, profile, asyncDepth, limits: 'kernel', trace: false });
    this.tx = createTx({ design: RFC_2015, profile, trace: false });
  }

  /**
   * The AF_ALG key for a state: imported (a transform socket, ALG_SET_KEY) the first time the
   * direction sees these key bytes, reused when userspace puts the same key back.
   */
  keyFor(dir: 'tx' | 'rx', state: CryptoState): AeadKey {
    const id = `${state.suite.aead}/${keyFingerprint(state.key)}`;
    const known = this.#keys[dir].get(id);
    if (known) return known;
    const key = this.#engines[dir].importKey(state.suite.aead, state.key);
    this.#keys[dir].set(id, key);
    this.#stats.keysSet[dir]++;
    return key;
  }

  /** Runs one RX input to quiescence; returns the state an export gave and the refusals. */
  runRx(input: RxInput): { state: CryptoState | null; errors: RecordError[] } {
    if (input.type === 'import-state' || input.type === 'install-key') {
      this.#expected = input.state.recSeq;
    }
    return this.#drive<RxInput, Extract<RxEffect, { type: 'open' }>>(
      input,
      (next, opens) => {
        const [state, fx] = rxStep(this.rx, next);
        this.rx = state;
        for (const e of fx) this.#onRx(e, opens);
      },
      (opens) => {
        const done = this.#count(this.#engines.rx.openBatch(opens.map((o) => o.request)));
        return done.order.map((i) => ({
          type: 'crypto-done',
          id: opens[i]!.id,
          output: done.outputs[i]!,
        }));
      },
    );
  }

  /** Runs one TX input to quiescence; sealed records are appended to `wire` in sequence order. */
  runTx(input: TxInput): { state: CryptoState | null; errors: RecordError[] } {
    return this.#drive<TxInput, Extract<TxEffect, { type: 'seal' }>>(
      input,
      (next, seals) => {
        const [state, fx] = txStep(this.tx, next);
        this.tx = state;
        for (const e of fx) this.#onTx(e, seals);
      },
      (seals) => {
        const done = this.#count(this.#engines.tx.sealBatch(seals.map((s) => s.request)));
        return done.order.map((i) => {
          const prefix = seals[i]!.request.prefix;
          const out = done.outputs[i]!;
          return {
            type: 'crypto-done',
            id: seals[i]!.id,
            output: prefix && prefix.length > 0 ? concat([prefix, out]) : out,
          };
        });
      },
    );
  }

  /**
   * Steps a machine until no work is left: the crypto requests a round of steps issued go to
   * AF_ALG together, and their completions, in the kernel's order, are the next round's inputs.
   */
  #drive<I, R>(
    input: I,
    step: (input: I, requests: R[]) => void,
    complete: (requests: R[]) => I[],
  ): { state: CryptoState | null; errors: RecordError[] } {
    this.#state = null;
    this.#errors = [];
    let queue: I[] = [input];
    while (queue.length > 0) {
      const requests: R[] = [];
      for (const next of queue) step(next, requests);
      queue = requests.length === 0 ? [] : complete(requests);
    }
    return { state: this.#state, errors: this.#errors };
  }

  /** Counts a batch into the stats. */
  #count(r: BatchResult): BatchResult {
    const s = this.#stats;
    s.batches++;
    s.operations += r.order.length;
    s.maxInFlight = Math.max(s.maxInFlight, r.order.length);
    s.outOfOrder += countOutOfOrder(r.order);
    return r;
  }

  #onRx(e: RxEffect, opens: Extract<RxEffect, { type: 'open' }>[]): void {
    switch (e.type) {
      case 'open':
        opens.push(e);
        return;
      case 'deliver':
        // In-order delivery: records come up in sequence order, whatever order AF_ALG finished.
        if (e.seq !== this.#expected) {
          this.#stats.violations.push(`delivered record ${e.seq}, expected ${this.#expected}`);
        }
        this.#expected = e.seq + 1n;
        if (e.data.length > 0) this.items.push({ kind: 'data', data: e.data });
        return;
      case 'control':
        // rfc-2015 decrypts no control record for the control plane: it leaves it on the stream.
        this.#stats.violations.push(`control record ${e.seq} handed over decrypted`);
        return;
      case 'punt': {
        if (e.reason === 'control-record') {
          // Drain before control: every record before the held one was delivered first.
          const phase = this.rx.phase;
          const seq = phase.tag === 'held' ? phase.seq : -1n;
          if (seq !== this.#expected || this.rx.inFlight.length > 0) {
            this.#stats.violations.push(
              `record ${seq} left for userspace with ${this.rx.inFlight.length} in flight, expected record ${this.#expected}`,
            );
          }
        }
        this.items.push({ kind: 'held', reason: e.reason, record: e.record });
        return;
      }
      case 'state':
      case 'error':
      case 'trace':
        this.#onCommon(e);
        return;
      default:
        assertNever(e, 'RX effect');
    }
  }

  #onTx(e: TxEffect, seals: Extract<TxEffect, { type: 'seal' }>[]): void {
    switch (e.type) {
      case 'seal':
        seals.push(e);
        return;
      case 'wire':
        this.wire.push(e.bytes);
        return;
      case 'state':
      case 'error':
      case 'trace':
        this.#onCommon(e);
        return;
      default:
        assertNever(e, 'TX effect');
    }
  }

  /** The effects both directions have: a state got out, a refusal, a trace event (not kept). */
  #onCommon(e: Extract<RxEffect | TxEffect, { type: 'state' | 'error' | 'trace' }>): void {
    if (e.type === 'state') this.#state = e.state;
    else if (e.type === 'error') this.#errors.push(e.error);
  }

  close(): void {
    this.#engines.tx.close();
    this.#engines.rx.close();
  }
}
