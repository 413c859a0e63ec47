import { assertNever, type ContentTypeByte, HEADER_SIZE, toHex } from '@ktls-lab/core';
import type { WorldContext } from './context.js';
import type { Endpoint, EndpointName } from './endpoint.js';

/**
 * The network: one TCP byte stream per direction. Writers append whole records (or raw bytes);
 * the scheduler delivers what is pending as one segment, cut wherever the chooser says (inside a
 * record header too), so the receiver's parser sees every split TCP allows. A record may be
 * corrupted on the way (`corrupt-next`).
 */

export interface Pipe {
  readonly from: EndpointName;
  readonly chunks: Uint8Array[];
  pending: number;
}

export function createPipe(from: EndpointName): Pipe {
  return { from, chunks: [], pending: 0 };
}

/** What the monitor records of a sealed record, next to its bytes. */
export interface WrittenRecord {
  readonly seq: bigint;
  readonly epoch: number;
  readonly contentType: ContentTypeByte;
  readonly fingerprint: string;
  readonly nonce: Uint8Array;
  /** The additional data it was sealed with. */
  readonly aad: Uint8Array;
  readonly firstByte: number;
  readonly size: number;
}

/** Puts one sealed record into the byte stream (the network may corrupt it). */
export function writeRecord(
  w: WorldContext,
  ep: Endpoint,
  bytes: Uint8Array,
  r: WrittenRecord,
): void {
  let out = bytes;
  const record = w.monitor.wrote(
    ep.name,
    {
      length: bytes.length,
      seq: r.seq,
      epoch: r.epoch,
      contentType: r.contentType,
      firstByte: r.firstByte,
      keyFingerprint: r.fingerprint,
      nonce: r.nonce,
      garbage: false,
      size: r.size,
    },
    bytes,
    r.aad,
  );
  if (ep.corruptNext) {
    // Like the selftest bad_auth: the last byte (in the tag) is changed.
    ep.corruptNext = false;
    out = Uint8Array.from(bytes);
    out[out.length - 1]! ^= 0x01;
    w.monitor.markCorrupted(ep.name, record.index);
    w.emit(ep.name, {
      lane: 'wire',
      kind: 'note',
      seq: r.seq.toString(),
      note: `network flips a bit in record #${record.index}`,
    });
  }
  append(w.pipeFrom(ep.name), out);
}

/** Raw bytes into the stream, bypassing TLS (`garbage`): not a record the sender sealed. */
export function writeRaw(w: WorldContext, ep: Endpoint, bytes: Uint8Array): void {
  w.monitor.wrote(
    ep.name,
    {
      length: bytes.length,
      seq: -1n,
      epoch: 0,
      contentType: bytes[0] ?? 0,
      firstByte: -1,
      keyFingerprint: '',
      nonce: NO_NONCE,
      garbage: true,
      size: 0,
    },
    bytes,
    NO_NONCE,
  );
  append(w.pipeFrom(ep.name), bytes);
}

const NO_NONCE = new Uint8Array(0);

function append(pipe: Pipe, bytes: Uint8Array): void {
  pipe.chunks.push(bytes);
  pipe.pending += bytes.length;
}

/**
 * Takes the next TCP segment off a pipe: all pending bytes but the last `cut` (`cutFor`). The
 * caller hands it to the receiver's RX.
 */
export function takeSegment(w: WorldContext, pipe: Pipe): Uint8Array {
  const cut = cutFor(w, pipe);
  const n = pipe.pending - cut;
  const parts: Uint8Array[] = [];
  let left = n;
  while (left > 0) {
    const head = pipe.chunks[0]!;
    if (head.length <= left) {
      parts.push(head);
      pipe.chunks.shift();
      left -= head.length;
    } else {
      parts.push(head.subarray(0, left));
      pipe.chunks[0] = head.subarray(left);
      left = 0;
    }
  }
  pipe.pending -= n;
  const data = parts.length === 1 ? parts[0]! : concatAll(parts);
  if (w.options.trace)
    w.emit(pipe.from, {
      lane: 'wire',
      kind: 'segment',
      size: n,
      header: toHex(data.subarray(0, 8)),
    });
  return data;
}

/** Segments an `edges` run may cut short, and what such a segment carries. */
const EDGE_CUTS = 1;
const EDGE_SEND = HEADER_SIZE - 2;

/** How many pending bytes stay behind: the chooser's pick among what the segmentation allows. */
function cutFor(w: WorldContext, pipe: Pipe): number {
  const { segmentation, chooser } = w.options;
  switch (segmentation) {
    case 'any':
      return chooser.value(pipe.pending);
    case 'whole':
      return 0;
    case 'edges': {
      // Deliver everything (choice 0), or 3 bytes: a cut inside the first record's 5-byte header,
      // so the parser reassembles the header and then the body from later segments. One cut per
      // run (`EDGE_CUTS`): each more multiplies the tree by the steps it may fall on.
      if (w.cutsMade >= EDGE_CUTS || pipe.pending <= EDGE_SEND) return 0;
      if (chooser.value(2) === 0) return 0;
      w.cutsMade++;
      return pipe.pending - EDGE_SEND;
    }
    default:
      return assertNever(segmentation, 'segmentation');
  }
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
