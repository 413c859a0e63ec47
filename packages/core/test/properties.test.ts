import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, equal, toHex } from '../src/bytes.js';
import { cryptoStateFromKernel, cryptoStateToKernel } from '../src/cryptoState.js';
import { DESIGNS, FULL_PROFILE, LINUX_KTLS } from '../src/design.js';
import { type ReceivedRecord, TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { ERROR_CATALOG, RecordLayerError } from '../src/errors.js';
import { createRx, type RxState, rxStep } from '../src/rx.js';
import { SUITES, type SuiteName } from '../src/suites.js';
import type { TraceDraft, TraceEvent } from '../src/trace.js';
import { createTx, type TxState, txStep } from '../src/tx.js';
import { stateFor } from './helpers.js';

const suiteNames = SUITES.map((s) => s.name) as SuiteName[];

/** What the app writes: data (possibly MSG_MORE) or a control record. */
type Op =
  | { kind: 'data'; size: number; more: boolean }
  | { kind: 'control'; type: number; size: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('data' as const),
    size: fc.nat({ max: 40_000 }),
    more: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('control' as const),
    type: fc.constantFrom(20, 100, 200),
    size: fc.nat({ max: 300 }),
  }),
);

function writeStream(suite: SuiteName, ops: readonly Op[]): Uint8Array {
  const tx = new TlsRecordLayer({ engine: new ModelAeadEngine() });
  tx.installTxKey(stateFor(suite));
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const o of ops) {
    // Alerts and handshake records are left out: they close or freeze the stream by design.
    const body = new Uint8Array(o.size).map(() => (n++ % 251) + 1);
    parts.push(o.kind === 'data' ? tx.send(body, { more: o.more }) : tx.sendControl(o.type, body));
  }
  parts.push(tx.send(new Uint8Array(0)));
  return concat(parts);
}

function readAll(suite: SuiteName, chunks: readonly Uint8Array[]): ReceivedRecord[] {
  const rx = new TlsRecordLayer({ engine: new ModelAeadEngine() });
  rx.installRxKey(stateFor(suite));
  const out: ReceivedRecord[] = [];
  for (const c of chunks) {
    rx.receive(c);
    out.push(...rx.takeRecords());
  }
  return out;
}

/** Cuts `bytes` at the given points (sorted, deduplicated, in range). */
function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('properties of the record layer', () => {
  it('any chunking of a valid record stream gives the same records', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...suiteNames),
        fc.array(op, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (suite, ops, points) => {
          const wire = writeStream(suite, ops);
          const whole = readAll(suite, [wire]);
          const chunked = readAll(suite, cut(wire, points));
          expect(chunked.length).toBe(whole.length);
          chunked.forEach((r, i) => {
            expect(r.contentType).toBe(whole[i]!.contentType);
            expect(r.seq).toBe(whole[i]!.seq);
            expect(equal(r.data, whole[i]!.data)).toBe(true);
          });
          // and the data itself is what was written, in order
          const sent = ops.filter((o) => o.kind === 'data').reduce((a, o) => a + o.size, 0);
          const got = whole
            .filter((r) => r.contentType === 23)
            .reduce((a, r) => a + r.data.length, 0);
          expect(got).toBe(sent);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('any byte string ends in records or a typed error: no other throw, no hang', () => {
    const codes = new Set(Object.keys(ERROR_CATALOG));
    fc.assert(
      fc.property(
        fc.constantFrom(...suiteNames),
        fc.constantFrom(...DESIGNS),
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 1, max: 8 }),
        (suite, design, bytes, points, depth) => {
          const engine = new ModelAeadEngine();
          let rx: RxState = createRx({
            design,
            profile: FULL_PROFILE,
            asyncDepth: depth,
            limits: 'kernel',
            trace: true,
          });
          const s = stateFor(suite);
          [rx] = rxStep(rx, {
            type: 'install-key',
            state: s,
            key: engine.importKey(s.suite.aead, s.key),
          });
          let steps = 0;
          for (const chunk of cut(bytes, points)) {
            const queue = [{ type: 'bytes' as const, data: chunk }] as Parameters<
              typeof rxStep
            >[1][];
            while (queue.length > 0) {
              // every step consumes input or completes a request; the bound proves termination
              expect(++steps).toBeLessThan(4 * bytes.length + 100);
              const [next, fx] = rxStep(rx, queue.shift()!);
              rx = next;
              for (const e of fx) {
                if (e.type === 'open')
                  queue.push({ type: 'crypto-done', id: e.id, output: engine.open(e.request) });
                if (e.type === 'error') expect(codes.has(e.error.code)).toBe(true);
              }
            }
          }
          expect(['running', 'failed', 'frozen', 'held', 'eof', 'closed']).toContain(rx.phase.tag);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the driver turns any byte string into data, control records or a RecordLayerError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...suiteNames),
        fc.uint8Array({ maxLength: 2000 }),
        (suite, bytes) => {
          const rx = new TlsRecordLayer({ engine: new ModelAeadEngine() });
          rx.installRxKey(stateFor(suite));
          rx.receive(bytes);
          for (let i = 0; i < 10; i++) {
            try {
              rx.recv({ cmsg: true });
            } catch (e) {
              expect(e).toBeInstanceOf(RecordLayerError);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('export then import of CryptoState continues the stream with identical bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...suiteNames),
        fc.array(fc.nat({ max: 20_000 }), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (suite, sizes, at) => {
          const split = at % (sizes.length + 1);
          const payloads = sizes.map((n, i) => new Uint8Array(n).fill(i + 1));
          const engine = new ModelAeadEngine();
          const a = new TlsRecordLayer({ engine });
          a.installTxKey(stateFor(suite));
          const reference = concat(payloads.map((p) => a.send(p)));

          const b = new TlsRecordLayer({ engine: new ModelAeadEngine() });
          b.installTxKey(stateFor(suite));
          const head = concat(payloads.slice(0, split).map((p) => b.send(p)));
          // the state goes through the kernel's struct bytes, as setsockopt/getsockopt carry it
          const moved = cryptoStateFromKernel(cryptoStateToKernel(b.exportTx()));
          const c = new TlsRecordLayer({ engine: new ModelAeadEngine() });
          c.installTxKey(moved);
          const tail = concat(payloads.slice(split).map((p) => c.send(p)));
          expect(equal(concat([head, tail]), reference)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a linux-ktls pair carries random traffic intact for every suite', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...suiteNames),
        fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 10 }),
        (suite, msgs) => {
          const engine = new ModelAeadEngine();
          const tx = new TlsRecordLayer({ engine, design: LINUX_KTLS });
          const rx = new TlsRecordLayer({ engine, design: LINUX_KTLS });
          tx.installTxKey(stateFor(suite));
          rx.installRxKey(stateFor(suite));
          for (const m of msgs) rx.receive(tx.send(m));
          expect(equal(rx.read(), concat(msgs))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the driver steps in place yet matches the pure rxStep/txStep, and no state handed out changes', () => {
    /** A state as text: any later write into it (or into an array it shares) shows as a change. */
    const snapshot = (state: RxState | TxState): string =>
      JSON.stringify(state, (_, v) =>
        typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? toHex(v) : v,
      );
    const withoutClock = (events: readonly TraceEvent[]): TraceDraft[] =>
      events.map(({ t: _t, ep: _ep, ...draft }) => draft);
    fc.assert(
      fc.property(
        fc.constantFrom(...suiteNames),
        fc.array(op, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (suite, ops, points) => {
          const key = stateFor(suite);
          // The driver, both directions, with its trace.
          const txEvents: TraceEvent[] = [];
          const driverTx = new TlsRecordLayer({
            engine: new ModelAeadEngine(),
            trace: (e) => txEvents.push(e),
          });
          driverTx.installTxKey(key);
          const wire = concat(
            ops.map((o) =>
              o.kind === 'data'
                ? driverTx.send(new Uint8Array(o.size).fill(7), { more: o.more })
                : driverTx.sendControl(o.type, new Uint8Array(o.size).fill(9)),
            ),
          );
          const chunks = cut(wire, points);
          const rxEvents: TraceEvent[] = [];
          const driverRx = new TlsRecordLayer({
            engine: new ModelAeadEngine(),
            trace: (e) => rxEvents.push(e),
          });
          driverRx.installRxKey(key);
          for (const c of chunks) driverRx.receive(c);

          // The same inputs folded through the pure step functions, keeping every state.
          const engine = new ModelAeadEngine();
          const aead = engine.importKey(key.suite.aead, key.key);
          const seen: [RxState | TxState, string][] = [];
          /** Runs one input and the crypto completions it leads to, keeping every state passed. */
          const folder =
            <S extends RxState | TxState, I, E>(
              start: S,
              step: (s: S, i: I) => readonly [S, readonly E[]],
              onEffect: (e: E, work: I[]) => void,
            ) =>
            (input: I) => {
              const work = [input];
              for (let i = 0; i < work.length; i++) {
                const [next, effects] = step(start, work[i]!);
                seen.push([start, snapshot(start)]);
                start = next;
                for (const e of effects) onEffect(e, work);
              }
            };
          const drafts: { tx: TraceDraft[]; rx: TraceDraft[] } = { tx: [], rx: [] };
          const wireOut: Uint8Array[] = [];
          const runTx = folder(
            createTx({ design: LINUX_KTLS, profile: FULL_PROFILE, trace: true }),
            txStep,
            (e, work) => {
              if (e.type === 'seal')
                work.push({ type: 'crypto-done', id: e.id, output: engine.seal(e.request) });
              if (e.type === 'wire') wireOut.push(e.bytes);
              if (e.type === 'trace') drafts.tx.push(e.event);
            },
          );
          const runRx = folder(
            createRx({
              design: LINUX_KTLS,
              profile: FULL_PROFILE,
              asyncDepth: 1,
              limits: 'kernel',
              trace: true,
            }),
            rxStep,
            (e, work) => {
              if (e.type === 'open')
                work.push({ type: 'crypto-done', id: e.id, output: engine.open(e.request) });
              if (e.type === 'trace') drafts.rx.push(e.event);
            },
          );
          runTx({ type: 'install-key', state: key, key: aead });
          for (const o of ops) {
            if (o.kind === 'data')
              runTx({ type: 'send', data: new Uint8Array(o.size).fill(7), more: o.more });
            else
              runTx({
                type: 'send-control',
                contentType: o.type,
                body: new Uint8Array(o.size).fill(9),
              });
          }
          runRx({ type: 'install-key', state: key, key: aead });
          for (const c of chunks) runRx({ type: 'bytes', data: c });

          expect(toHex(concat(wireOut))).toBe(toHex(wire));
          expect(withoutClock(txEvents)).toEqual(drafts.tx);
          expect(withoutClock(rxEvents)).toEqual(drafts.rx);
          for (const [state, text] of seen) expect(snapshot(state)).toBe(text);
        },
      ),
      { numRuns: 60 },
    );
  });
});
