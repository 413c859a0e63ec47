import { concat, EMPTY } from '@ktls-lab/core';

/** One whole handshake message: `type`, the body, and the message with its 4-byte header. */
export interface FramedMessage {
  readonly type: number;
  readonly body: Uint8Array;
  readonly message: Uint8Array;
  /** The message ended exactly at the end of the record that completed it. */
  readonly endsRecord: boolean;
}

/**
 * Handshake messages out of the records that carry them (RFC 8446 §4, RFC 5246 §7.4: type(1),
 * length(3), body): a message may span records and several may share one (RFC 8446 §5.1), so an
 * incomplete last message is kept for the next record.
 */
export class HandshakeReassembler {
  private rest: Uint8Array = EMPTY;

  /** The whole messages this record's content completes, in order. */
  push(content: Uint8Array): FramedMessage[] {
    const data = this.rest.length === 0 ? content : concat([this.rest, content]);
    const out: FramedMessage[] = [];
    let at = 0;
    while (data.length - at >= 4) {
      const length = (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!;
      if (data.length - at - 4 < length) break;
      const end = at + 4 + length;
      out.push({
        type: data[at]!,
        body: data.subarray(at + 4, end),
        message: data.subarray(at, end),
        endsRecord: end === data.length,
      });
      at = end;
    }
    this.rest = data.slice(at);
    return out;
  }
}
