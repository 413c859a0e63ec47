import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Framer, frameMessage } from '../src/framing.js';

describe('upper-layer framers', () => {
  for (const kind of ['kcm', 'rds'] as const) {
    it(`${kind}: any chunking of framed messages reassembles them whole, in order, once`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (msgs, cuts) => {
            const stream = msgs.map((m, i) => frameMessage(kind, m, i));
            const all = new Uint8Array(stream.reduce((a, b) => a + b.length, 0));
            let off = 0;
            for (const s of stream) {
              all.set(s, off);
              off += s.length;
            }
            const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort(
              (a, b) => a - b,
            );
            const f = new Framer(kind);
            let prev = 0;
            for (const p of [...points, all.length]) {
              f.push(all.subarray(prev, p));
              prev = p;
            }
            expect(f.messages.map((m) => [...m])).toEqual(msgs.map((m) => [...m]));
            expect(f.partial).toBe(0);
          },
        ),
        { numRuns: 100 },
      );
    });
  }

  it('resync drops the partial message', () => {
    const f = new Framer('kcm');
    const m = frameMessage('kcm', Uint8Array.of(1, 2, 3, 4, 5), 0);
    f.push(m.subarray(0, 6));
    expect(f.partial).toBe(6);
    f.resync();
    f.push(m.subarray(6));
    expect(f.messages).toHaveLength(0);
  });
});
