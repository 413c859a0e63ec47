/**
 * Streaming TLS record framer, pure and immutable: the receive half of the kernel's strparser
 * (`tls_rx_msg_size` in net/tls/tls_sw.c, reassembly in net/tls/tls_strp.c) without the socket.
 *
 * Input arrives as chunks in any split (TCP segments, 1-byte reads, a whole capture); records come
 * out whole. A record that lies inside one chunk is returned as views into it, so the common case
 * copies nothing; only a record that spans chunks is copied, once, into a fresh buffer (the
 * kernel's `tls_strp_read_copy` does the same when a record is not contiguous in one skb). Chunks
 * of 16 bytes or fewer are the exception: they are copied into a tail buffer as they arrive
 * (`Store`), so byte-wise input costs the same per byte as any other.
 */
import { EMPTY } from './bytes.js';
import type { WireRecord } from './codec.js';
import { type RecordError, recordError } from './errors.js';
import {
  HEADER_SIZE,
  LEGACY_RECORD_VERSION,
  MAX_CIPHERTEXT_TLS12,
  MAX_CIPHERTEXT_TLS13,
  MAX_PLAINTEXT,
  TLS_1_3,
  type TlsVersion,
} from './protocol.js';
import type { CipherSuite } from './suites.js';

/** Length limits for `TLSCiphertext.length`, checked as soon as the header is complete. */
export interface RecordLimits {
  /** 'kernel' = strparser `tls_rx_msg_size`; 'rfc' = RFC 8446 §5.2 / RFC 5246 §6.2.3. */
  readonly profile: 'kernel' | 'rfc';
  /** Largest body accepted; longer → `record_overflow` (EMSGSIZE). */
  readonly maxBody: number;
  /** Smallest body accepted; shorter → `record_too_short` (EBADMSG). */
  readonly minBody: number;
  /** Bytes the kernel waits for before it reads the header (5 + explicit nonce); the RFC profile uses 5. */
  readonly prepend: number;
  /** Record versions accepted besides 0x0303 (the unprotected initial ClientHello may carry 0x0301). */
  readonly legacyVersions?: readonly number[];
}

/** The AEAD tag every suite the data plane runs appends (GCM, CCM, ChaCha20-Poly1305: 16 bytes). */
const TAG_LENGTH = 16;

/**
 * Kernel limits for a suite: max = 2^14 + tag + explicit nonce + (1 for TLS 1.3), min = tag + explicit nonce.
 *
 * `tls_rx_msg_size`: `cipher_overhead = tag_size (+ iv_size for TLS 1.2 non-ChaCha)`;
 * `data_len > TLS_MAX_PAYLOAD_SIZE + cipher_overhead + tail_size` → -EMSGSIZE, `data_len <
 * cipher_overhead` → -EBADMSG. `tail_size` is the TLS 1.3 inner content-type byte. This is tighter
 * than RFC 8446 §5.2 (2^14 + 256): the kernel rejects a full 16 KiB TLS 1.3 record with padding.
 * ⇒ TLS 1.2 GCM/CCM 16408, TLS 1.2 ChaCha20 16400, TLS 1.3 16401 (docs/kernel-tls.md §5, §8).
 */
export function kernelLimits(suite: CipherSuite): RecordLimits {
  const overhead = suite.tagLength + suite.explicitNonceLength;
  const tail = suite.version === TLS_1_3 ? 1 : 0;
  return {
    profile: 'kernel',
    maxBody: MAX_PLAINTEXT + overhead + tail,
    minBody: overhead,
    // `init_prot_info`: prepend_size = TLS_HEADER_SIZE + nonce_size (13 for TLS 1.2 GCM/CCM, else 5).
    prepend: HEADER_SIZE + suite.explicitNonceLength,
  };
}

/**
 * RFC limits: max 2^14 + 256 (1.3) or 2^14 + 2048 (1.2); min 17 (1.3) or 16 (1.2).
 *
 * Minimums: a TLS 1.3 `encrypted_record` seals a `TLSInnerPlaintext` that always carries its
 * 1-byte content type (RFC 8446 §5.2), and every TLS 1.3 AEAD adds a 16-byte tag, so no valid
 * record body is shorter than 16 + 1 = 17. TLS 1.2 has no suite here to tell whether an 8-byte
 * explicit nonce precedes the ciphertext (RFC 5288 §3: yes for GCM; RFC 7905 §2: none for
 * ChaCha20), so the suite-independent floor is the tag alone: 16 (an empty fragment, RFC 5246
 * §6.2.1 allows zero-length application data). Use `kernelLimits(suite)` for the exact figure.
 */
export function rfcLimits(version: TlsVersion): RecordLimits {
  return version === TLS_1_3
    ? {
        profile: 'rfc',
        maxBody: MAX_CIPHERTEXT_TLS13,
        minBody: TAG_LENGTH + 1,
        prepend: HEADER_SIZE,
      }
    : { profile: 'rfc', maxBody: MAX_CIPHERTEXT_TLS12, minBody: TAG_LENGTH, prepend: HEADER_SIZE };
}

/**
 * Before a suite is known (handshake plaintext records): max 2^14, min 0 (RFC 8446 §5.1).
 *
 * RFC 8446 §5.1 forbids zero-length handshake and alert fragments, but that is a rule about the
 * content of a type, checked by whoever reads the content; framing accepts an empty body
 * (zero-length application_data is legal).
 */
export function plaintextLimits(): RecordLimits {
  // RFC 8446 §5.1: legacy_record_version "MAY also be 0x0301" on an initial ClientHello.
  return {
    profile: 'rfc',
    maxBody: MAX_PLAINTEXT,
    minBody: 0,
    prepend: HEADER_SIZE,
    legacyVersions: [0x0301],
  };
}

export interface ParserState {
  readonly limits: RecordLimits;
  /** Unconsumed input chunks, oldest first (views; never mutated). */
  readonly chunks: readonly Uint8Array[];
  /** Total unconsumed bytes. */
  readonly buffered: number;
  /** Bytes consumed since creation (stream offset of `chunks[0][0]`). */
  readonly offset: number;
}

/**
 * The chunk list behind a state: an append-only array that states share. A state owns the slots
 * `start..end` (the first with `skip` bytes already consumed, the last possibly longer than the
 * state's `buffered` reaches: every read is bounded by `buffered`). `feed` appends in place when
 * the state has seen everything appended to the store (`streamEnd`), and copies its live slots
 * otherwise, so every state stays immutable as seen from outside while feeding n chunks costs
 * O(n) in total, not O(n²) as copying the list on every feed would (1-byte reads into a 16 KiB
 * record made the old `[...chunks, chunk]` walk 16 K entries per byte).
 *
 * Tiny chunks (`TINY` bytes or fewer) are copied into a shared tail buffer instead of being kept
 * as views: byte-wise input would otherwise keep one view object per byte alive until its record
 * is complete, and the garbage collector would copy them all into the old generation.
 */
interface Store {
  readonly list: Uint8Array[];
  /** Absolute stream offset just past the last byte appended to this store. */
  streamEnd: number;
  /** The buffer tiny chunks are copied into; the list's last slot is a view of it when `tailLast`. */
  tail: Uint8Array | null;
  tailBase: number;
  tailUsed: number;
  tailLast: boolean;
}

const TINY = 16;
const TAIL_SIZE = 4096;

function newStore(list: Uint8Array[], streamEnd: number): Store {
  return { list, streamEnd, tail: null, tailBase: 0, tailUsed: 0, tailLast: false };
}

class Parser implements ParserState {
  constructor(
    readonly limits: RecordLimits,
    readonly buffered: number,
    readonly offset: number,
    /** Internal: the shared list and this state's live window in it. */
    readonly store: Store,
    readonly start: number,
    readonly end: number,
    readonly skip: number,
    /**
     * Memo: bytes the front record needs before it can be taken, once its header was read and
     * passed the checks (0 = not known yet). Appending does not change the header, so `feed`
     * carries it over; with bytes arriving one at a time this spares re-reading a header split
     * over five chunks on every byte. Set by `takeRecord`, invisible from outside.
     */
    public ready = 0,
  ) {}

  /** Built on demand: the hot path (`feed`, `takeRecord`) never needs the list as an array. */
  get chunks(): readonly Uint8Array[] {
    return live(this);
  }

  /** The state as the interface describes it: the shared list past `end` is not part of it. */
  toJSON(): ParserState {
    return {
      limits: this.limits,
      chunks: this.chunks,
      buffered: this.buffered,
      offset: this.offset,
    };
  }
}

/** The live chunks of a state as a fresh array (the first trimmed by `skip`, the last to `buffered`). */
function live(p: Parser): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = p.buffered;
  for (let j = p.start; j < p.end && left > 0; j++) {
    const c = p.store.list[j]!;
    const from = j === p.start ? p.skip : 0;
    const take = Math.min(c.length - from, left);
    out.push(from === 0 && take === c.length ? c : c.subarray(from, from + take));
    left -= take;
  }
  return out;
}

/** Reads a state built by this module; any other object satisfying the interface is adopted. */
function internal(state: ParserState): Parser {
  if (state instanceof Parser) return state;
  const list = state.chunks.filter((c) => c.length > 0);
  const store = newStore(list, state.offset + state.buffered);
  return new Parser(state.limits, state.buffered, state.offset, store, 0, list.length, 0);
}

export type TakeResult =
  | {
      readonly kind: 'record';
      readonly state: ParserState;
      readonly record: WireRecord;
      readonly offset: number;
    }
  | { readonly kind: 'need-more'; readonly state: ParserState; readonly missing: number }
  | {
      readonly kind: 'error';
      readonly state: ParserState;
      readonly error: RecordError;
      readonly offset: number;
    };

export function createParser(limits: RecordLimits): ParserState {
  return new Parser(limits, 0, 0, newStore([], 0), 0, 0, 0);
}

/**
 * Appends bytes (does not copy them, unless the chunk is 16 bytes or fewer: see `Store`).
 *
 * The caller hands over the chunk: the parser keeps a view of it and later returns views into it,
 * so the caller must not write to it afterwards. Empty chunks change nothing. Amortized O(1) per
 * chunk: see `Store`.
 */
export function feed(state: ParserState, chunk: Uint8Array): ParserState {
  if (chunk.length === 0) return state;
  const p = internal(state);
  const { store } = p;
  const { list } = store;
  const length = chunk.length;
  // Append in place when this state has seen everything appended to the store and the consumed
  // head is not more than half of the list; otherwise start a fresh store with only the live
  // chunks (amortized: a copy of k live slots happens after at least k were appended or consumed).
  if (
    p.offset + p.buffered === store.streamEnd &&
    p.end === list.length &&
    p.start * 2 <= list.length
  ) {
    store.streamEnd += length;
    if (length <= TINY) {
      let tail = store.tail;
      if (store.tailLast && tail !== null && store.tailUsed + length <= tail.length) {
        // Grow the last slot's view: older states sharing it never read past their `buffered`.
        tail.set(chunk, store.tailUsed);
        store.tailUsed += length;
        list[list.length - 1] = tail.subarray(store.tailBase, store.tailUsed);
        return next(p, length, p.end);
      }
      if (tail === null || store.tailUsed + length > tail.length) {
        tail = new Uint8Array(TAIL_SIZE);
        store.tail = tail;
        store.tailUsed = 0;
      }
      tail.set(chunk, store.tailUsed);
      store.tailBase = store.tailUsed;
      store.tailUsed += length;
      store.tailLast = true;
      list.push(tail.subarray(store.tailBase, store.tailUsed));
      return next(p, length, p.end + 1);
    }
    store.tailLast = false;
    list.push(chunk);
    return next(p, length, p.end + 1);
  }
  const fresh = live(p);
  fresh.push(length <= TINY ? chunk.slice() : chunk);
  const end = p.offset + p.buffered + length;
  return new Parser(
    p.limits,
    p.buffered + length,
    p.offset,
    newStore(fresh, end),
    0,
    fresh.length,
    0,
    p.ready,
  );
}

/** `p` with `length` more bytes buffered and its window ending at `end`. */
function next(p: Parser, length: number, end: number): Parser {
  return new Parser(
    p.limits,
    p.buffered + length,
    p.offset,
    p.store,
    p.start,
    end,
    p.skip,
    p.ready,
  );
}

/**
 * Takes at most one record off the front. On error the state is unchanged (the stream is stopped).
 *
 * The header is read as soon as its 5 bytes are buffered, and the checks run in the order of
 * `tls_rx_msg_size`: too long (EMSGSIZE), too short (EBADMSG), then version (EINVAL). The size
 * checks come first in the kernel, which is why selftest `tls_err.bad_rec` (64 × 0x55: version
 * 0x5555 AND length 0x5555) reads EMSGSIZE, not EINVAL.
 *
 * Deliberate difference from the kernel: `tls_rx_msg_size` waits for `prepend_size` bytes (13 for
 * TLS 1.2 GCM/CCM) before it looks at the header. Reading it at 5 bytes means a lone bad header
 * fails now instead of waiting for bytes that may never come; for a good header nothing changes,
 * because `minBody` ≥ explicit nonce makes every acceptable record at least `prepend` long. A
 * record is still only handed out once `prepend` bytes are buffered, so custom limits with
 * `minBody < prepend - 5` wait like the kernel does.
 *
 * Never throws: every byte string ends in records, then `need-more` or an `error`.
 */
export function takeRecord(state: ParserState): TakeResult {
  if (state.buffered < HEADER_SIZE) {
    return { kind: 'need-more', state, missing: HEADER_SIZE - state.buffered };
  }
  const p = internal(state);
  if (p.buffered < p.ready) return { kind: 'need-more', state, missing: p.ready - p.buffered };
  const { limits, offset, skip } = p;
  const first = p.store.list[p.start]!;
  const firstLength = first.length - skip;
  // The header nearly always lies in the first chunk; read it there without walking the list.
  const near = firstLength >= HEADER_SIZE;
  const type = near ? first[skip]! : byteAt(p, 0);
  const version = near
    ? (first[skip + 1]! << 8) | first[skip + 2]!
    : (byteAt(p, 1) << 8) | byteAt(p, 2);
  const length = near
    ? (first[skip + 3]! << 8) | first[skip + 4]!
    : (byteAt(p, 3) << 8) | byteAt(p, 4);

  if (length > limits.maxBody) {
    const error = recordError(
      'record_overflow',
      `${where(state)}: length ${length} exceeds the maximum ${limits.maxBody} (${source(limits)})`,
    );
    return { kind: 'error', state, error, offset };
  }
  if (length < limits.minBody) {
    const error = recordError(
      'record_too_short',
      `${where(state)}: length ${length} is below the minimum ${limits.minBody} (${source(limits)})`,
    );
    return { kind: 'error', state, error, offset };
  }
  // RFC 8446 §5.1: legacy_record_version is 0x0303 on every protected record, both versions; the
  // kernel compares header[1..2] against TLS_1_2_VERSION_{MAJOR,MINOR} for TLS 1.3 too.
  if (version !== LEGACY_RECORD_VERSION && !limits.legacyVersions?.includes(version)) {
    const error = recordError(
      'bad_record_version',
      `${where(state)}: record version 0x${hex4(version)} is not 0x0303 (${source(limits)})`,
    );
    return { kind: 'error', state, error, offset };
  }

  const total = HEADER_SIZE + length;
  const ready = Math.max(total, limits.prepend);
  if (state.buffered < ready) {
    p.ready = ready;
    return { kind: 'need-more', state, missing: ready - state.buffered };
  }

  // Views straight onto the chunk's buffer when the record lies in one chunk (the common case);
  // `new Uint8Array(buffer, …)` skips the species lookup `subarray` does on every call.
  const inFirst = firstLength >= total;
  const bytes = inFirst ? first : prefix(p, total);
  const at = bytes.byteOffset + (inFirst ? skip : 0);
  const record: WireRecord = {
    type,
    version,
    header: new Uint8Array(bytes.buffer, at, HEADER_SIZE),
    body: new Uint8Array(bytes.buffer, at + HEADER_SIZE, length),
  };
  return { kind: 'record', state: drop(p, total), record, offset };
}

function where(state: ParserState): string {
  return `record at stream offset ${state.offset}`;
}

function source(limits: RecordLimits): string {
  return limits.profile === 'kernel' ? 'tls_rx_msg_size' : 'RFC limit';
}

/**
 * Takes up to `n` raw bytes off the front (rfc-2015: userspace reads a record raw).
 *
 * Returns fewer than `n` bytes when fewer are buffered; a view when they lie in one chunk, else a
 * copy. `n` below 1 (or not a number) takes nothing.
 */
export function takeBytes(state: ParserState, n: number): [ParserState, Uint8Array] {
  const count = Math.min(state.buffered, Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);
  if (count === 0) return [state, EMPTY];
  const p = internal(state);
  return [drop(p, count), prefix(p, count)];
}

/**
 * The 5-byte record header at the front, or `null` while fewer than 5 bytes are buffered.
 *
 * For designs that decide per record without consuming it (rfc-2015: punt a record to userspace
 * by its type before decrypting). A view when the header lies in one chunk, else a copy.
 */
export function peekHeader(state: ParserState): Uint8Array | null {
  if (state.buffered < HEADER_SIZE) return null;
  return prefix(internal(state), HEADER_SIZE);
}

/** The content type byte of the record at the front, or -1 while nothing is buffered. */
export function peekType(state: ParserState): number {
  if (state.buffered === 0) return -1;
  const p = internal(state);
  return p.store.list[p.start]![p.skip]!;
}

/** Changes limits (when a key and so a suite becomes known) without losing buffered bytes. */
export function withLimits(state: ParserState, limits: RecordLimits): ParserState {
  const p = internal(state);
  return new Parser(limits, p.buffered, p.offset, p.store, p.start, p.end, p.skip);
}

/** Byte `i` of the buffered stream; callers guarantee `i < buffered`. */
function byteAt(p: Parser, i: number): number {
  const { list } = p.store;
  let left = i + p.skip;
  for (let j = p.start; j < p.end; j++) {
    const c = list[j]!;
    if (left < c.length) return c[left]!;
    left -= c.length;
  }
  return 0;
}

/** The first `n` buffered bytes (`n ≤ buffered`): a view if they lie in the first chunk, else one copy. */
function prefix(p: Parser, n: number): Uint8Array {
  const { list } = p.store;
  const first = list[p.start]!;
  if (first.length - p.skip >= n) return first.subarray(p.skip, p.skip + n);
  const out = new Uint8Array(n);
  let filled = 0;
  for (let j = p.start; filled < n; j++) {
    const c = list[j]!;
    const from = j === p.start ? p.skip : 0;
    const take = Math.min(c.length - from, n - filled);
    // Byte reads beat `set` (and the view it needs) for the tiny chunks of byte-wise input.
    if (take <= 16) for (let i = 0; i < take; i++) out[filled + i] = c[from + i]!;
    else out.set(c.subarray(from, from + take), filled);
    filled += take;
  }
  return out;
}

/** The state with the first `n` buffered bytes consumed (`n ≤ buffered`): only the window moves. */
function drop(p: Parser, n: number): Parser {
  const { list } = p.store;
  let j = p.start;
  let left = n + p.skip;
  while (j < p.end && left >= list[j]!.length) {
    left -= list[j]!.length;
    j++;
  }
  return new Parser(
    p.limits,
    p.buffered - n,
    p.offset + n,
    p.store,
    j,
    p.end,
    j === p.end ? 0 : left,
  );
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
