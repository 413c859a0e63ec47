import { toHex } from '@ktls-lab/core';
import { ev, type Recorder } from './recorder.js';
import type { Side, Wire } from './types.js';

/**
 * The relay between the two endpoints: it moves whole TLS records (5-byte header, RFC 8446 §5.1),
 * sees every record on the wire (for the trace and the `wire` lists), and applies the scenario's
 * network faults. (Not a *framer*: in this repository that is the upper layer's message framer,
 * docs/glossary.md.)
 */
export class RecordRelay {
  private buf: Uint8Array = new Uint8Array(0);
  /** Flip a bit in the next whole record (`corrupt-next`). */
  corrupt = false;
  /** `<outer type>/<length>` of every record that crossed, in order. */
  readonly seen: string[] = [];
  /** Called for each whole record that crosses the relay (for the trace's wire lane). */
  constructor(private readonly onRecord: (header: Uint8Array, length: number) => void = () => {}) {}

  /** Appends bytes; returns the whole records now complete, faults applied. */
  push(bytes: Uint8Array): Uint8Array {
    this.buf = Buffer.concat([this.buf, bytes]);
    let end = 0;
    while (this.buf.length - end >= 5) {
      const len = (this.buf[end + 3]! << 8) | this.buf[end + 4]!;
      if (this.buf.length - end < 5 + len) break;
      this.seen.push(`${this.buf[end]}/${len}`);
      this.onRecord(this.buf.subarray(end, end + 5), len);
      if (this.corrupt) {
        // Flip one bit of the tag: the peer's AEAD must refuse the record (bad_record_mac).
        this.buf[end + 5 + len - 1]! ^= 1;
        this.corrupt = false;
      }
      end += 5 + len;
    }
    const out = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    return Uint8Array.from(out);
  }
}

/** A `record-out` event on the sender's wire lane for each record the relay forwards. */
export function wireEvent(rec: Recorder, from: Side): (header: Uint8Array, length: number) => void {
  return (header, length) =>
    ev(rec, from, {
      lane: 'wire',
      kind: 'record-out',
      type: header[0]!,
      wire: 5 + length,
      header: toHex(header),
    });
}

/**
 * The `Wire` of a pair of relays, both directions: how bytes move (`pump`), how to wait for those
 * in flight (`settle`), and how raw bytes reach a receiver (`deliver`) are the world's; the faults
 * and the record lists are the relays'.
 */
export function relayWire(
  relays: { readonly c2s: RecordRelay; readonly s2c: RecordRelay },
  world: {
    pump(): number;
    settle(): void;
    /** Raw bytes straight to `to`'s receiving end (garbage the scenario writes). */
    deliver(to: Side, bytes: Uint8Array): void;
  },
): Wire {
  const { c2s, s2c } = relays;
  const wire: Wire = {
    pump: () => world.pump(),
    settle: () => world.settle(),
    corruptNext: (from) => {
      (from === 'client' ? c2s : s2c).corrupt = true;
    },
    inject: (from, bytes) => {
      // What is already on its way goes first: the raw bytes follow it on the stream.
      wire.pump();
      world.deliver(from === 'client' ? 'server' : 'client', bytes);
    },
    records: () => ({ c2s: c2s.seen, s2c: s2c.seen }),
  };
  return wire;
}
