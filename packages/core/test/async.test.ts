import { describe, expect, it } from 'vitest';
import { concat, utf8 } from '../src/bytes.js';
import { type Design, FULL_PROFILE, LINUX_KTLS } from '../src/design.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { createRx, type RxEffect, type RxInput, type RxState, rxStep } from '../src/rx.js';
import { pair, stateFor, text } from './helpers.js';

/**
 * The receive machine driven by hand, with async decryptions completed out of order: what the
 * kernel does with a CRYPTO_ALG_ASYNC AEAD on TLS 1.2 (docs/kernel-tls.md §6).
 */
function setup(design: Design, depth: number) {
  const engine = new ModelAeadEngine();
  const { client } = pair('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', LINUX_KTLS, LINUX_KTLS, engine);
  const s = stateFor('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  let rx: RxState = createRx({
    design,
    profile: FULL_PROFILE,
    asyncDepth: depth,
    limits: 'kernel',
    trace: true,
  });
  const opens: Extract<RxEffect, { type: 'open' }>[] = [];
  const out: string[] = [];
  const step = (input: RxInput) => {
    const [next, fx] = rxStep(rx, input);
    rx = next;
    for (const e of fx) {
      if (e.type === 'open') opens.push(e);
      if (e.type === 'deliver') out.push(`data:${text(e.data)}`);
      if (e.type === 'control') out.push(`control:${text(e.body)}`);
    }
  };
  step({ type: 'install-key', state: s, key: engine.importKey(s.suite.aead, s.key) });
  const complete = (id: number) => {
    const i = opens.findIndex((o) => o.id === id);
    const [o] = opens.splice(i, 1);
    step({ type: 'crypto-done', id, output: engine.open(o!.request) });
  };
  return { client, step, opens, out, complete, state: () => rx };
}

function streamWithControl(client: ReturnType<typeof setup>['client']): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) parts.push(client.send(utf8(`d${i}`)));
  parts.push(client.sendControl(21, utf8('AL')));
  parts.push(client.send(utf8('d8')));
  return concat(parts);
}

describe('async decryption, depth 8, a control record behind in-flight data', () => {
  it('linux-ktls delivers in stream order and decrypts the control record only after the data drains', () => {
    const t = setup(LINUX_KTLS, 8);
    t.step({ type: 'bytes', data: streamWithControl(t.client) });
    expect(t.opens.map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const id of [8, 6, 7, 5, 3, 4, 2]) t.complete(id);
    expect(t.out).toEqual([]); // head (1) not done: nothing leaves rx_list
    t.complete(1);
    expect(t.out).toEqual([
      'data:d0',
      'data:d1',
      'data:d2',
      'data:d3',
      'data:d4',
      'data:d5',
      'data:d6',
      'data:d7',
    ]);
    // only now the control record is decrypted, synchronously, alone
    expect(t.opens.map((o) => o.id)).toEqual([9]);
    t.complete(9);
    expect(t.out.at(-1)).toBe('control:AL');
    expect(t.opens.map((o) => o.id)).toEqual([10]);
    t.complete(10);
    expect(t.out.at(-1)).toBe('data:d8');
  });

  it('respects the in-flight depth', () => {
    const t = setup(LINUX_KTLS, 3);
    t.step({ type: 'bytes', data: streamWithControl(t.client) });
    expect(t.opens.length).toBe(3);
    t.complete(2);
    expect(t.opens.length).toBe(2); // a completion is not a delivery: the slot frees on delivery
    t.complete(1);
    expect(t.opens.map((o) => o.id)).toEqual([3, 4, 5]);
  });

  it('mutant completion-order delivers out of order', () => {
    const t = setup({ ...LINUX_KTLS, rx: { ...LINUX_KTLS.rx, delivery: 'completion-order' } }, 8);
    t.step({ type: 'bytes', data: streamWithControl(t.client) });
    t.complete(2);
    t.complete(1);
    expect(t.out.slice(0, 2)).toEqual(['data:d1', 'data:d0']);
  });

  it('mutant control-before-drain hands the control record over before earlier data', () => {
    const t = setup({ ...LINUX_KTLS, rx: { ...LINUX_KTLS.rx, controlWaitsForData: false } }, 8);
    t.step({ type: 'bytes', data: streamWithControl(t.client) });
    expect(t.opens.map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    t.complete(9);
    expect(t.out).toEqual(['control:AL']);
  });

  it('drops in-flight work after a bad MAC and stays failed', () => {
    const t = setup(LINUX_KTLS, 8);
    const data = streamWithControl(t.client);
    data[5 + 8 + 2 + 3]! ^= 0x80; // a ciphertext/tag byte of the first record
    t.step({ type: 'bytes', data });
    for (const id of [2, 3, 1]) t.complete(id);
    expect(t.state().phase).toMatchObject({
      tag: 'failed',
      error: { errno: 'EBADMSG', alert: 'bad_record_mac' },
    });
    expect(t.out).toEqual([]);
    t.step({ type: 'bytes', data: utf8('more') });
    expect(t.state().phase.tag).toBe('failed');
  });
});
