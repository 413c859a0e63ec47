/**
 * Upper-layer framers that read the decrypted stream, as RDS-TCP and KCM would once the TLS read
 * logic is merged into their `recv_actor` (Sowmini Varadhan's question in the seed review).
 * - `kcm`: a 4-byte big-endian length, then the payload (the length a KCM BPF program would parse);
 * - `rds`: a 48-byte RDS header whose `h_len` (big-endian u32 at offset 16) gives the payload length.
 */
export type FramerKind = 'kcm' | 'rds';

const HEADER = { kcm: 4, rds: 48 } as const;

export function frameMessage(kind: FramerKind, payload: Uint8Array, sequence: number): Uint8Array {
  const h = HEADER[kind];
  const out = new Uint8Array(h + payload.length);
  const view = new DataView(out.buffer);
  if (kind === 'kcm') {
    view.setUint32(0, payload.length);
  } else {
    view.setBigUint64(0, BigInt(sequence)); // h_sequence
    view.setUint32(16, payload.length); // h_len
    view.setUint16(20, 4000); // h_sport
    view.setUint16(22, 4001); // h_dport
  }
  out.set(payload, h);
  return out;
}

/** Incremental message reassembly over a byte stream delivered in arbitrary pieces. */
export class Framer {
  private buffer: Uint8Array = new Uint8Array(0);
  readonly messages: Uint8Array[] = [];
  constructor(readonly kind: FramerKind) {}

  /** Bytes of a message started but not finished. */
  get partial(): number {
    return this.buffer.length;
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    const b = new Uint8Array(this.buffer.length + data.length);
    b.set(this.buffer, 0);
    b.set(data, this.buffer.length);
    this.buffer = b;
    const h = HEADER[this.kind];
    for (;;) {
      if (this.buffer.length < h) return;
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset);
      const len = this.kind === 'kcm' ? view.getUint32(0) : view.getUint32(16);
      if (this.buffer.length < h + len) return;
      this.messages.push(this.buffer.slice(h, h + len));
      this.buffer = this.buffer.slice(h + len);
    }
  }

  /** Drops the partial message (what an upper layer that resynchronises does). */
  resync(): void {
    this.buffer = new Uint8Array(0);
  }
}
