// Longer than the repo's ~400-line guideline: the sender-side, receiver-side and end-of-run checks all
// read and write one per-direction ground truth (`Direction`); split, each part would export it.
import {
  AlertDescription,
  AlertLevel,
  type CipherSuite,
  ContentType,
  contentTypeName,
  HandshakeType,
  type RecordError,
  TLS_1_3,
  toHex,
} from '@ktls-lab/core';
import { type InvariantId, type Violation, violation } from './invariants.js';
import {
  aadMatches,
  DirectionSchedule,
  type Expected,
  headerMatches,
  sameBytes,
} from './keySchedule.js';

/**
 * Watches a run from outside both endpoints and checks the invariants against ground truth: what
 * each sender's app handed over, which records each sender put on the wire, and what the key
 * schedule says each record must be protected with (`keySchedule.ts`: recomputed from the
 * handshake's traffic secrets and the KeyUpdates sent, not taken from the sender). It sees what the
 * receivers do only through their effects.
 */

/** A record as its sender wrote it into the byte stream. */
export interface SentRecord {
  readonly index: number;
  readonly offset: number;
  readonly length: number;
  readonly seq: bigint;
  readonly epoch: number;
  readonly contentType: number;
  /** First plaintext byte (the handshake type of a handshake record), or -1 when empty. */
  readonly firstByte: number;
  readonly keyFingerprint: string;
  /** The nonce the sender sealed it with (empty for garbage). */
  readonly nonce: Uint8Array;
  /** Plaintext length (content, without TLS 1.3's type byte). */
  readonly size: number;
  /** What the key schedule says it is protected with; null for garbage, or past a documented limit. */
  readonly expected: Expected | null;
  /** For application data: the plaintext's range in the sender's data stream. */
  readonly dataStart: number;
  readonly dataEnd: number;
  /** Raw bytes that are not a record (garbage written into the stream). */
  readonly garbage: boolean;
  corrupted: boolean;
}

interface Direction {
  readonly from: string;
  readonly to: string;
  /** Everything the sender's app handed to TLS, in order. */
  sent: Uint8Array[];
  /** Stream offset at which each of `sent` starts. */
  sentStarts: number[];
  sentLength: number;
  records: SentRecord[];
  byOffset: Map<number, SentRecord>;
  writeOffset: number;
  sealedData: number;
  /** Receiver side. */
  received: number;
  nextIndex: number;
  /** Stream index of the last KeyUpdate the receiver consumed and has not re-keyed after. */
  frozenAfter: number | null;
  /** The receiver consumed a close_notify or fatal alert, or failed: nothing more may be delivered. */
  ended: string | null;
  /** Where the stream legitimately stopped (index of the record that failed or the alert). */
  endIndex: number | null;
  /** Index of the first record after a KeyUpdate, allowed to fail under the `no-rekey` limitation. */
  mayFailAt: Set<number>;
  /** The key-schedule oracle of this direction. */
  readonly schedule: DirectionSchedule;
  messagesSent: Uint8Array[];
  messagesReceived: number;
  messageEnds: number[];
}

export class Monitor {
  violation: Violation | null = null;
  step = 0;
  private readonly seals = new Set<string>();
  private readonly dirs: Map<string, Direction> = new Map();
  private readonly tls13: boolean;

  /**
   * `secrets[i]`: the traffic secret the handshake left `endpoints[i]` sending with (TLS 1.2: the
   * bytes its key and IV are cut from).
   */
  constructor(
    endpoints: readonly [string, string],
    private readonly noRekey: boolean,
    suite: CipherSuite,
    secrets: readonly [Uint8Array, Uint8Array],
  ) {
    this.tls13 = suite.version === TLS_1_3;
    for (const [i, [from, to]] of [endpoints, [endpoints[1], endpoints[0]] as const].entries()) {
      this.dirs.set(from, {
        from,
        to,
        sent: [],
        sentStarts: [],
        sentLength: 0,
        records: [],
        byOffset: new Map(),
        writeOffset: 0,
        sealedData: 0,
        received: 0,
        nextIndex: 0,
        frozenAfter: null,
        ended: null,
        endIndex: null,
        mayFailAt: new Set(),
        schedule: new DirectionSchedule(suite, secrets[i]!),
        messagesSent: [],
        messagesReceived: 0,
        messageEnds: [],
      });
    }
  }

  private fail(invariant: InvariantId, message: string): void {
    if (this.violation === null) this.violation = violation(invariant, message, this.step);
  }

  private dir(from: string): Direction {
    return this.dirs.get(from)!;
  }

  private toward(receiver: string): Direction {
    for (const d of this.dirs.values()) if (d.to === receiver) return d;
    throw new Error(`no direction toward ${receiver}`);
  }

  // ---- sender side ----------------------------------------------------------------------------

  /** The sender's app handed `data` to TLS (accepted, not refused). */
  appSent(from: string, data: Uint8Array): void {
    const d = this.dir(from);
    if (data.length === 0) return;
    d.sent.push(data);
    d.sentStarts.push(d.sentLength);
    d.sentLength += data.length;
  }

  messageSent(from: string, payload: Uint8Array, endsAtDataOffset: number): void {
    const d = this.dir(from);
    d.messagesSent.push(payload);
    d.messageEnds.push(endsAtDataOffset);
  }

  /** A record was sealed: checks that the (key, nonce) pair is new (invariant 1). */
  sealed(from: string, keyFingerprint: string, nonce: Uint8Array, seq: bigint): void {
    const id = keyFingerprint + bytesKey(nonce);
    if (this.seals.has(id)) {
      this.fail(
        1,
        `${from} sealed a second record with nonce ${toHex(nonce)} under key ${keyFingerprint} (seq ${seq})`,
      );
    }
    this.seals.add(id);
  }

  /**
   * A sealed record (or raw garbage) entered the byte stream: `bytes` as written, `aad` the
   * additional data it was sealed with. Checks it against the key schedule (invariant 9).
   */
  wrote(
    from: string,
    r: Omit<SentRecord, 'index' | 'offset' | 'dataStart' | 'dataEnd' | 'corrupted' | 'expected'>,
    bytes: Uint8Array,
    aad: Uint8Array,
  ): SentRecord {
    const d = this.dir(from);
    const isData = r.contentType === ContentType.applicationData && !r.garbage;
    const expected = r.garbage ? null : this.schedule(d, r);
    const record: SentRecord = {
      index: d.records.length,
      offset: d.writeOffset,
      length: r.length,
      seq: r.seq,
      epoch: r.epoch,
      contentType: r.contentType,
      firstByte: r.firstByte,
      keyFingerprint: r.keyFingerprint,
      nonce: r.nonce,
      size: r.size,
      expected,
      dataStart: d.sealedData,
      dataEnd: d.sealedData + (isData ? r.size : 0),
      garbage: r.garbage,
      corrupted: false,
    };
    if (isData) d.sealedData += r.size;
    d.records.push(record);
    d.byOffset.set(record.offset, record);
    d.writeOffset += r.length;
    if (this.noRekey) {
      // Documented limit of kernels before 6.14: a record after a KeyUpdate cannot be opened.
      const prev = d.records[record.index - 1];
      if (
        prev &&
        prev.contentType === ContentType.handshake &&
        prev.firstByte === HandshakeType.keyUpdate &&
        !r.garbage
      )
        d.mayFailAt.add(record.index);
    }
    if (expected) this.checkSealed(d, record, expected, bytes, aad);
    return record;
  }

  /** The oracle's protection for the next record (null past a KeyUpdate under `no-rekey`). */
  private schedule(d: Direction, r: { contentType: number; firstByte: number }): Expected | null {
    const keyUpdate =
      r.contentType === ContentType.handshake && r.firstByte === HandshakeType.keyUpdate;
    const e = d.schedule.next(keyUpdate);
    // Documented limit of kernels before 6.14: the TX key cannot follow a KeyUpdate.
    return this.noRekey && e.generation > 0 ? null : e;
  }

  private checkSealed(
    d: Direction,
    r: SentRecord,
    e: Expected,
    bytes: Uint8Array,
    aad: Uint8Array,
  ): void {
    const what = `${d.from} seals record #${r.index} (${contentTypeName(r.contentType)}, key generation ${e.generation}, seq ${e.seq})`;
    if (r.keyFingerprint !== e.fingerprint)
      this.fail(9, `${what} under key ${r.keyFingerprint}, not ${e.fingerprint}`);
    else if (!sameBytes(r.nonce, e.nonce))
      this.fail(9, `${what} with nonce ${toHex(r.nonce)}, not ${toHex(e.nonce)}`);
    else if (!aadMatches(e, aad, r.contentType, r.size, bytes.length))
      this.fail(9, `${what} with additional data ${toHex(aad)}, not the key schedule's`);
    else if (!headerMatches(e, bytes, r.contentType))
      this.fail(9, `${what} behind header ${toHex(bytes.subarray(0, 13))}, which says otherwise`);
  }

  // ---- receiver side --------------------------------------------------------------------------

  private recordAt(
    receiver: string,
    offset: number,
    what: string,
  ): { d: Direction; r: SentRecord } | null {
    const d = this.toward(receiver);
    const r = d.byOffset.get(offset);
    if (!r) {
      this.fail(
        2,
        `${receiver} ${what} at stream offset ${offset}, where ${d.from} wrote no record`,
      );
      return null;
    }
    return { d, r };
  }

  /**
   * The receiver (its data plane, or its library in userspace) asked to decrypt the record at
   * `offset` (invariants 3 and 5).
   */
  opening(
    receiver: string,
    offset: number,
    keyFingerprint: string,
    nonce: Uint8Array,
    aad: Uint8Array,
  ): void {
    const at = this.recordAt(receiver, offset, 'opened a record');
    if (!at) return;
    const { d, r } = at;
    if (d.frozenAfter !== null && r.index > d.frozenAfter && !d.mayFailAt.has(r.index)) {
      this.fail(
        3,
        `${receiver} decrypts record #${r.index} (seq ${r.seq}) while RX must be frozen: KeyUpdate #${d.frozenAfter} was read and the next key is not installed`,
      );
      return;
    }
    const e = r.expected;
    if (d.mayFailAt.has(r.index) || e === null) return;
    if (keyFingerprint !== e.fingerprint || !sameBytes(nonce, e.nonce)) {
      this.fail(
        5,
        `${receiver} opens record #${r.index} (key generation ${e.generation}, seq ${e.seq}: key ${e.fingerprint}, nonce ${toHex(e.nonce)}) with key ${keyFingerprint} and nonce ${toHex(nonce)}`,
      );
    } else if (!aadMatches(e, aad, r.contentType, r.size, r.length)) {
      this.fail(
        5,
        `${receiver} opens record #${r.index} (key generation ${e.generation}, seq ${e.seq}) with additional data ${toHex(aad)}, not the key schedule's`,
      );
    }
  }

  /**
   * A record reached the receiver's app (`app`) or control plane (`cp`). Checks stream order,
   * exactly-once, channel, content, and that nothing comes after the end.
   */
  consumed(
    receiver: string,
    offset: number,
    channel: 'app' | 'cp',
    data: Uint8Array,
    reported?: { readonly seq: bigint; readonly epoch: number },
  ): void {
    const at = this.recordAt(
      receiver,
      offset,
      `delivered to ${channel === 'app' ? 'the app' : 'the control plane'}`,
    );
    if (!at) return;
    const { d, r } = at;
    const isData = r.contentType === ContentType.applicationData;
    if (d.ended !== null) {
      this.fail(6, `${receiver} delivers record #${r.index} after ${d.ended}`);
      return;
    }
    if (r.index < d.nextIndex) {
      this.fail(
        isData ? 2 : 4,
        `${receiver} receives record #${r.index} (seq ${r.seq}) a second time`,
      );
      return;
    }
    if (r.index > d.nextIndex) {
      const skipped = d.records[d.nextIndex]!;
      const inv = skipped.contentType !== ContentType.applicationData || !isData ? 4 : 2;
      this.fail(
        inv,
        `${receiver} receives record #${r.index} (${contentTypeName(r.contentType)}, seq ${r.seq}) before record #${skipped.index} (${contentTypeName(skipped.contentType)}, seq ${skipped.seq})`,
      );
      return;
    }
    if (isData !== (channel === 'app')) {
      this.fail(
        4,
        isData
          ? `${receiver} hands application data record #${r.index} to the control plane`
          : `${receiver} delivers ${contentTypeName(r.contentType)} record #${r.index} into the app's data stream`,
      );
      return;
    }
    if (isData) {
      const want = r.dataEnd - r.dataStart;
      if (data.length !== want || !this.sentEquals(d, r.dataStart, data)) {
        this.fail(
          2,
          `${receiver} receives ${data.length} bytes for record #${r.index} that differ from the ${want} bytes ${d.from} sent`,
        );
        return;
      }
      d.received += data.length;
    }
    const e = r.expected;
    // The data plane counts epochs from 1 at TLS_RX; the key schedule's generations from 0.
    if (reported && e && (reported.seq !== e.seq || reported.epoch !== e.generation + 1)) {
      this.fail(
        10,
        `${receiver} reports record #${r.index} as seq ${reported.seq}, epoch ${reported.epoch}; it is seq ${e.seq} of epoch ${e.generation + 1}`,
      );
      return;
    }
    d.nextIndex = r.index + 1;
    // Without rekey support nothing freezes (documented): the limitation covers what follows.
    if (
      r.contentType === ContentType.handshake &&
      r.firstByte === HandshakeType.keyUpdate &&
      this.tls13 &&
      !this.noRekey
    )
      d.frozenAfter = r.index;
    if (r.contentType === ContentType.alert && data.length >= 2) {
      // RFC 8446 §6.1/§6.2: close_notify ends the stream; every other alert but user_canceled is
      // fatal in TLS 1.3, and level 2 is fatal in TLS 1.2.
      if (data[1] === AlertDescription.close_notify) this.end(d, r.index, 'close_notify');
      else if (
        data[1] !== AlertDescription.user_canceled &&
        (this.tls13 || data[0] === AlertLevel.fatal)
      )
        this.end(d, r.index, `a fatal alert (${data[1]})`);
    }
  }

  /** The receiver's control plane installed the next RX key: the freeze may end. */
  rekeyed(receiver: string): void {
    this.toward(receiver).frozenAfter = null;
  }

  /** The receiver closed its own RX (after sending a fatal alert): later data is not expected. */
  closedByReceiver(receiver: string): void {
    const d = this.toward(receiver);
    if (d.ended === null) this.end(d, null, 'its own shutdown');
  }

  /** The receiver's data plane failed. Legitimate only at a corrupted/garbage record, or where a limitation allows it. */
  rxFailed(receiver: string, error: RecordError): void {
    const d = this.toward(receiver);
    if (d.ended !== null) return;
    const r = d.records[d.nextIndex];
    const expected =
      r !== undefined &&
      ((r.corrupted && error.errno === 'EBADMSG') ||
        (r.garbage && error.errno === 'EMSGSIZE') ||
        (d.mayFailAt.has(r.index) && error.errno === 'EBADMSG'));
    if (!expected) {
      this.fail(
        2,
        `${receiver} data plane failed with ${error.errno} (${error.code}: ${error.message}) at record #${d.nextIndex}${r ? ` (${contentTypeName(r.contentType)}, seq ${r.seq})` : ''}, where nothing makes it fail`,
      );
      return;
    }
    this.end(d, r.index, `${error.errno} at record #${r.index}`);
  }

  markCorrupted(from: string, index: number): void {
    this.dir(from).records[index]!.corrupted = true;
  }

  private end(d: Direction, index: number | null, why: string): void {
    d.ended = why;
    d.endIndex = index;
  }

  /** An upper-layer message was reassembled at the receiver (invariant 7). */
  messageReceived(receiver: string, payload: Uint8Array): void {
    const d = this.toward(receiver);
    const want = d.messagesSent[d.messagesReceived];
    if (!want) {
      this.fail(
        7,
        `${receiver} assembles message #${d.messagesReceived}, but ${d.from} sent only ${d.messagesSent.length}`,
      );
      return;
    }
    if (!sameBytes(want, payload)) {
      this.fail(
        7,
        `${receiver} assembles message #${d.messagesReceived} of ${payload.length} bytes that differs from the ${want.length}-byte message ${d.from} sent`,
      );
      return;
    }
    d.messagesReceived++;
  }

  /** Checks at the end of a completed run: everything that could arrive did (invariants 2, 4, 7). */
  finish(): void {
    for (const d of this.dirs.values()) {
      if (this.violation) return;
      const stop = d.endIndex ?? (d.ended !== null ? d.nextIndex : d.records.length);
      if (d.ended !== null && d.endIndex === null) continue; // the receiver shut down itself
      if (d.nextIndex < stop) {
        const r = d.records[d.nextIndex]!;
        this.fail(
          r.contentType === ContentType.applicationData ? 2 : 4,
          `${d.to} never received record #${r.index} (${contentTypeName(r.contentType)}, seq ${r.seq}) of ${d.records.length} that ${d.from} sent`,
        );
        return;
      }
      const expectedData = d.records[stop]?.dataStart ?? d.sentLength;
      if (d.received !== expectedData) {
        this.fail(
          2,
          `${d.to} received ${d.received} bytes; ${d.from}'s app sent ${d.sentLength}, of which ${expectedData} could arrive`,
        );
        return;
      }
      const expectedMessages = d.messageEnds.filter((end) => end <= expectedData).length;
      if (d.messagesReceived !== expectedMessages) {
        this.fail(
          7,
          `${d.to} assembled ${d.messagesReceived} upper-layer messages; ${expectedMessages} of ${d.messagesSent.length} were sent whole before the stream ended`,
        );
        return;
      }
    }
  }

  /**
   * Whether `data` is what the sender's app sent from stream offset `start` on: compared in place
   * against the sent chunks (found by binary search on their start offsets), nothing copied.
   */
  private sentEquals(d: Direction, start: number, data: Uint8Array): boolean {
    let lo = 0;
    let hi = d.sentStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (d.sentStarts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    let k = 0;
    for (let c = lo; c < d.sent.length && k < data.length; c++) {
      const chunk = d.sent[c]!;
      const from = c === lo ? start - d.sentStarts[c]! : 0;
      for (let i = from; i < chunk.length && k < data.length; i++, k++) {
        if (chunk[i] !== data[k]) return false;
      }
    }
    return k === data.length;
  }

  /** A short description of each direction, for stuck reports. */
  describe(): string[] {
    return [...this.dirs.values()].map(
      (d) =>
        `${d.from}→${d.to}: ${d.records.length} records written, ${d.nextIndex} consumed, ${d.received}/${d.sentLength} data bytes${d.ended ? `, ended by ${d.ended}` : ''}`,
    );
  }
}

/** A Set key for a nonce: its bytes as one char each (cheaper than hex, same uniqueness). */
function bytesKey(b: Uint8Array): string {
  let s = ':';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
