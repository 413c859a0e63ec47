import {
  assertNever,
  type CryptoState,
  type RecordError,
  type RxEffect,
  type RxInput,
  rxApply,
  type TxEffect,
  type TxInput,
  txApply,
} from '@ktls-lab/core';
import type { WorldContext } from './context.js';
import type { Endpoint } from './endpoint.js';
import { writeRecord } from './network.js';
import { upperAtControl, upperDeliver } from './upperLayer.js';

/**
 * The data plane: core's pure RX and TX machines (the kernel's part), stepped until they are
 * quiet, their effects carried out: sealed records onto the network, decrypted data to the upper
 * layer, control records and punts to the control plane's inbox, decryptions to the crypto queue.
 */

/** What a run of a machine reported back to its caller (the control plane or the app). */
export interface MachineResult {
  readonly errors: RecordError[];
  readonly state: CryptoState | null;
}

const NO_ERRORS: readonly RecordError[] = Object.freeze([]);

/**
 * Steps TX in place (the endpoint owns its machine and hands no state out; `txApply` is `txStep`
 * without the copy) until its work is done: a seal completes at once, as inside sendmsg.
 */
export function txRun(w: WorldContext, ep: Endpoint, input: TxInput): MachineResult {
  let errors = NO_ERRORS as RecordError[];
  let state: CryptoState | null = null;
  const work: TxInput[] = [input];
  const fx: TxEffect[] = [];
  for (let i = 0; i < work.length; i++) {
    fx.length = 0;
    txApply(ep.tx, work[i]!, fx);
    for (const e of fx) {
      if (e.type === 'error') errors = errors === NO_ERRORS ? [e.error] : [...errors, e.error];
      else if (e.type === 'state') state = e.state;
      else onTxEffect(w, ep, e, work);
    }
  }
  return { errors, state };
}

function onTxEffect(
  w: WorldContext,
  ep: Endpoint,
  e: Exclude<TxEffect, { type: 'error' | 'state' }>,
  work: TxInput[],
): void {
  switch (e.type) {
    case 'seal': {
      const { request } = e;
      w.monitor.sealed(ep.name, request.key.fingerprint, request.nonce, -1n);
      // The plaintext is the record's content; TLS 1.3's inner type byte travels as `trailer`.
      ep.seals.push({
        fingerprint: request.key.fingerprint,
        nonce: request.nonce,
        aad: request.aad,
        firstByte: request.plaintext.length > 0 ? request.plaintext[0]! : -1,
        size: request.plaintext.length,
      });
      // The kernel encrypts inside sendmsg; TX completions are immediate here.
      work.push({ type: 'crypto-done', id: e.id, output: w.engine.seal(request) });
      return;
    }
    case 'wire': {
      const s = ep.seals.shift()!;
      writeRecord(w, ep, e.bytes, { seq: e.seq, epoch: e.epoch, contentType: e.contentType, ...s });
      return;
    }
    case 'trace':
      w.emit(ep.name, e.event);
      return;
    default:
      assertNever(e, 'TX effect');
  }
}

/** Steps RX in place until quiet; synchronous decryptions complete inside the same call. */
export function rxRun(w: WorldContext, ep: Endpoint, input: RxInput): MachineResult {
  let errors = NO_ERRORS as RecordError[];
  let state: CryptoState | null = null;
  let next: RxInput | undefined = input;
  const fx: RxEffect[] = [];
  while (next) {
    fx.length = 0;
    rxApply(ep.rx, next, fx);
    for (const e of fx) {
      if (e.type === 'error') errors = errors === NO_ERRORS ? [e.error] : [...errors, e.error];
      if (e.type === 'state') state = e.state;
      onRxEffect(w, ep, e);
    }
    const job = w.syncCrypto.shift();
    next = job
      ? { type: 'crypto-done', id: job.id, output: w.engine.open(job.request) }
      : undefined;
    if (job && job.ep !== ep) throw new Error('synchronous crypto crossed endpoints');
  }
  return { errors, state };
}

function onRxEffect(w: WorldContext, ep: Endpoint, e: RxEffect): void {
  switch (e.type) {
    case 'open':
      w.monitor.opening(
        ep.name,
        e.offset,
        e.request.key.fingerprint,
        e.request.nonce,
        e.request.aad,
      );
      if (w.options.scenario.asyncDepth > 1) {
        ep.crypto.push({ id: e.id, offset: e.offset, request: e.request });
      } else {
        // Synchronous crypto completes inside the same recvmsg: no schedule point of its own.
        w.syncCrypto.push({ ep, id: e.id, request: e.request });
      }
      return;
    case 'deliver':
      w.monitor.consumed(ep.name, e.offset, 'app', e.data, e);
      upperDeliver(w, ep, e.data);
      return;
    case 'control':
      w.monitor.consumed(ep.name, e.offset, 'cp', e.body, e);
      upperAtControl(w, ep);
      ep.inbox.push({
        kind: 'control',
        offset: e.offset,
        contentType: e.contentType,
        body: e.body,
      });
      return;
    case 'punt':
      if (e.reason === 'control-record') {
        upperAtControl(w, ep);
        ep.inbox.push({ kind: 'held', offset: e.offset, record: e.record });
      } else {
        ep.inbox.push({ kind: 'punted', offset: e.offset, record: e.record });
      }
      return;
    case 'error':
      if (e.error.fatal) w.monitor.rxFailed(ep.name, e.error);
      return;
    case 'state':
      return;
    case 'trace':
      w.emit(ep.name, e.event);
      return;
    default:
      assertNever(e, 'RX effect');
  }
}

/** Completes one async RX decryption, the one the chooser picks among those in flight. */
export function completeCrypto(w: WorldContext, ep: Endpoint): void {
  const i = w.options.chooser.value(ep.crypto.length);
  const [job] = ep.crypto.splice(i, 1);
  rxRun(w, ep, { type: 'crypto-done', id: job!.id, output: w.engine.open(job!.request) });
}
