import { concat, EMPTY } from './bytes.js';
import { RecordLayerError } from './errors.js';
import { ContentType, type ContentTypeByte } from './protocol.js';

/**
 * The records RX has delivered and the app has not read yet, and `recvmsg()`'s rules over them
 * (docs/kernel-tls.md §5): data records merge into one read, a control record comes alone and only
 * with cmsg room (else EIO, the record stays), a read may stop inside a record
 * (`partially_consumed`), empty data records are passed over, and MSG_PEEK reads without taking.
 */

/** One item on the receive queue, as `recvmsg` would find it on `rx_list`. */
export interface ReceivedRecord {
  readonly contentType: ContentTypeByte;
  readonly seq: bigint;
  readonly epoch: number;
  readonly data: Uint8Array;
}

export interface RecvOptions {
  /** Size of the caller's buffer (default: unbounded). */
  readonly maxBytes?: number;
  /**
   * The caller passed room for a cmsg (`TLS_GET_RECORD_TYPE`). Default false, as a plain `recv()`
   * passes none: a control record at the head then gives EIO and stays there.
   */
  readonly cmsg?: boolean;
  /** MSG_PEEK: look without consuming. */
  readonly peek?: boolean;
}

export interface RecvResult {
  readonly data: Uint8Array;
  /** The record type a `TLS_GET_RECORD_TYPE` cmsg reports (application_data for data). */
  readonly contentType: ContentTypeByte;
  /** True when this 0-byte result is end of stream (close_notify), not an empty record. */
  readonly eof: boolean;
  /** Sequence number and key epoch of the first record this read came from (-1n/-1 at EOF). */
  readonly seq: bigint;
  readonly epoch: number;
}

export class ReceiveQueue {
  private readonly records: ReceivedRecord[] = [];
  /** Offset into the head record already read (`partially_consumed`). */
  private headOffset = 0;

  push(record: ReceivedRecord): void {
    this.records.push(record);
  }

  /**
   * One `recvmsg()`: the result, or null when there is nothing to report yet (the caller then
   * says why: EAGAIN, EOF, a frozen or failed RX).
   */
  read(options: RecvOptions): RecvResult | null {
    const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const peek = options.peek === true;
    const received = this.records;
    const head = received[0];
    if (head === undefined) return null;
    if (head.contentType !== ContentType.applicationData) {
      // No control buffer asked for (the default, as a plain recv() passes none): EIO, and the
      // record stays at the head for a read that has room (tls_record_content_type).
      if (options.cmsg !== true) {
        throw RecordLayerError.of(
          'control_needs_cmsg',
          `a record of type ${head.contentType} is next; recvmsg needs cmsg room`,
        );
      }
      const data = head.data.subarray(
        this.headOffset,
        this.headOffset + Math.min(max, head.data.length - this.headOffset),
      );
      if (!peek) this.consumeHead(data.length);
      return { data, contentType: head.contentType, eof: false, seq: head.seq, epoch: head.epoch };
    }
    // Walk data records from the head: copy into the caller's buffer, pass empty records, stop at
    // a control record (never merged) or when the buffer is full.
    const parts: Uint8Array[] = [];
    let copied = 0;
    let index = 0;
    let offset = this.headOffset;
    while (index < received.length && copied < max) {
      const r = received[index]!;
      if (r.contentType !== ContentType.applicationData) break;
      const n = Math.min(max - copied, r.data.length - offset);
      // A whole record goes out as it is, not as a view of itself.
      const take = n === r.data.length ? r.data : r.data.subarray(offset, offset + n);
      if (take.length > 0) parts.push(take);
      copied += take.length;
      offset += take.length;
      if (offset < r.data.length) break;
      index++;
      offset = 0;
    }
    const next = received[index];
    // seq and epoch: of the first record with something to say (data, or a control record).
    let first = head;
    for (let i = 0; i < received.length; i++) {
      const r = received[i]!;
      if (r.data.length > 0 || r.contentType !== ContentType.applicationData) {
        first = r;
        break;
      }
    }
    const seq = first.seq;
    const epoch = first.epoch;
    if (!peek) {
      if (index === received.length) received.length = 0;
      else received.splice(0, index);
      this.headOffset = offset;
    }
    const data = copied > 0 ? concat(parts) : EMPTY;
    if (copied > 0)
      return { data, contentType: ContentType.applicationData, eof: false, seq, epoch };
    // Only empty data records were there: one 0 before a control record (`0data_0data_ctrl`),
    // otherwise nothing to report yet (`0data_0data_0data` → EAGAIN, not EOF).
    if (next !== undefined && next.contentType !== ContentType.applicationData) {
      return { data, contentType: ContentType.applicationData, eof: false, seq, epoch };
    }
    return null;
  }

  /** All application data at the head now, up to the first control record (empty if none). */
  readData(): Uint8Array {
    const parts: Uint8Array[] = [];
    for (;;) {
      const head = this.records[0];
      if (head === undefined || head.contentType !== ContentType.applicationData) break;
      const r = this.read({ cmsg: true });
      if (r === null || r.data.length === 0) break;
      parts.push(r.data);
    }
    return concat(parts);
  }

  /** Takes every record, data and control, in stream order; the head without what was read. */
  takeAll(): ReceivedRecord[] {
    const out = this.records.splice(0, this.records.length);
    if (out[0] !== undefined && this.headOffset > 0) {
      out[0] = { ...out[0], data: out[0].data.subarray(this.headOffset) };
    }
    this.headOffset = 0;
    return out;
  }

  private consumeHead(n: number): void {
    this.headOffset += n;
    if (this.headOffset >= this.records[0]!.data.length) {
      this.records.shift();
      this.headOffset = 0;
    }
  }
}
