import {
  type AeadEngine,
  ContentType,
  type CryptoState,
  HandshakeType,
  openRecord,
  type ParserState,
  recordBytes,
  TLS_1_3,
  takeRecord,
  type WireRecord,
} from '@ktls-lab/core';
import { NodeKtlsError } from './errors.js';
import { HandshakeReassembler } from './handshakeMessages.js';
import {
  applicationState,
  type HandshakeInfo,
  handshakeState,
  handshakeLabel,
  noteHello,
  type Side,
} from './handshakeInfo.js';

/** What to do with one record of a direction while the handshake runs. */
export type FlightVerdict =
  /** A record of the sender's handshake flight: Node's tls reads it; `last` = it ends with Finished. */
  | { readonly kind: 'handshake'; readonly last: boolean }
  /** A TLS 1.3 protected handshake record whose key the keylog event has not given yet: wait. */
  | { readonly kind: 'need-key' }
  /** After the sender's Finished: the first epoch a data plane runs (not for Node's tls). */
  | { readonly kind: 'application' }
  | { readonly kind: 'error'; readonly error: NodeKtlsError };

const HANDSHAKE: FlightVerdict = { kind: 'handshake', last: false };
const LAST: FlightVerdict = { kind: 'handshake', last: true };

/**
 * One direction's handshake flight, record by record, to find the exact record that carries the
 * sender's Finished: every record up to it belongs to Node's tls, every later one to the data plane.
 *
 * - TLS 1.3 (RFC 8446 §2, §5.1): plaintext ClientHello/ServerHello (and the compatibility
 *   ChangeCipherSpec, ignored, §D.4); then the sender's protected flight under its handshake
 *   traffic secret, opened here with the secret Node's keylog event gave, until the Finished
 *   message; records after it are under application traffic secret 0, numbered from 0 (§5.3).
 * - TLS 1.2 (RFC 5246 §7.1, §7.4.9): plaintext handshake, ChangeCipherSpec, then Finished: the
 *   first record under the new keys, sequence number 0 (§6.1: "sequence numbers ... set to zero
 *   whenever a connection state is made the active state"). The first application record is 1.
 *   The Finished record is opened with the key block to prove it (content type handshake,
 *   message Finished at sequence number 0).
 */
export class Flight {
  /** The sender's Finished has been seen: later records are application epoch. */
  finished = false;
  /** Records seen after Finished (the first data-plane sequence number on this direction). */
  applicationRecords = 0n;
  private readonly plain = new HandshakeReassembler();
  private readonly protected = new HandshakeReassembler();
  private handshake: CryptoState | null = null;
  private changeCipherSpec = false;

  constructor(
    readonly sender: Side,
    private readonly info: HandshakeInfo,
    private readonly engine: AeadEngine,
  ) {}

  classify(record: WireRecord): FlightVerdict {
    if (this.finished) {
      this.applicationRecords++;
      return { kind: 'application' };
    }
    const { version } = this.info;
    switch (record.type) {
      case ContentType.handshake:
        if (version !== TLS_1_3 && this.changeCipherSpec) return this.tls12Finished(record);
        return this.plaintextHandshake(record.body);
      case ContentType.changeCipherSpec:
        // TLS 1.3 compatibility mode sends one (RFC 8446 §D.4); it changes nothing.
        if (version !== TLS_1_3) this.changeCipherSpec = true;
        return HANDSHAKE;
      case ContentType.alert:
        // A plaintext (or TLS 1.2 protected) alert: Node's tls reads it and fails the handshake.
        return HANDSHAKE;
      case ContentType.applicationData:
        if (version === TLS_1_3) return this.protectedHandshake(record);
        return fail(`application_data from the ${this.sender} before its Finished`);
      default:
        return fail(`record of content type ${record.type} during the handshake`);
    }
  }

  private plaintextHandshake(body: Uint8Array): FlightVerdict {
    for (const { type, body: message } of this.plain.push(body)) {
      if (type === HandshakeType.clientHello || type === HandshakeType.serverHello) {
        const side = type === HandshakeType.clientHello ? 'client' : 'server';
        const problem = noteHello(this.info, side, message);
        if (problem !== null) return fail(problem);
      } else if (type === HandshakeType.finished) {
        // Only a TLS 1.2 Finished can be plaintext-framed, and it comes after ChangeCipherSpec.
        return fail('a Finished message before ChangeCipherSpec');
      }
    }
    return HANDSHAKE;
  }

  private protectedHandshake(record: WireRecord): FlightVerdict {
    this.handshake ??= handshakeState(this.info, this.sender);
    if (this.handshake === null) return { kind: 'need-key' };
    const opened = openRecord(this.engine, this.handshake, recordBytes(record));
    if (!opened.ok) {
      return fail(
        `${this.sender} handshake record: ${opened.error.message} (${handshakeLabel(this.sender)})`,
      );
    }
    this.handshake = opened.value.next;
    if (opened.value.contentType !== ContentType.handshake) return HANDSHAKE;
    for (const m of this.protected.push(opened.value.content)) {
      if (m.type !== HandshakeType.finished) continue;
      // RFC 8446 §5.1: a handshake message may not span a key change, so Finished ends the record.
      if (!m.endsRecord) return fail('handshake data after Finished in the same record');
      return this.finish();
    }
    return HANDSHAKE;
  }

  private tls12Finished(record: WireRecord): FlightVerdict {
    if (this.info.secrets.has('CLIENT_RANDOM')) {
      const state = applicationState(this.info, this.sender, 0n);
      const opened = openRecord(this.engine, state, recordBytes(record));
      state.key.fill(0);
      if (!opened.ok)
        return fail(`${this.sender} Finished at sequence number 0: ${opened.error.message}`);
      const c = opened.value.content;
      if (opened.value.contentType !== ContentType.handshake || c[0] !== HandshakeType.finished) {
        return fail(`the ${this.sender}'s first record after ChangeCipherSpec is not its Finished`);
      }
    }
    return this.finish();
  }

  private finish(): FlightVerdict {
    this.finished = true;
    if (this.handshake !== null) this.handshake.key.fill(0);
    this.handshake = null;
    return LAST;
  }
}

/** One step over a direction's parsed bytes: the next whole record and what it is, or why not. */
export type FlightStep =
  /** Fewer bytes than a record, or a protected record whose key has not come: try again later. */
  | { readonly kind: 'wait' }
  | { readonly kind: 'error'; readonly error: Error }
  | {
      readonly kind: 'record';
      /** The parser after the record (the caller commits it when it takes the record). */
      readonly state: ParserState;
      readonly record: WireRecord;
      readonly verdict: Extract<FlightVerdict, { kind: 'handshake' | 'application' }>;
    };

/** Takes the next record off `parser` and classifies it; never throws. */
export function nextRecord(parser: ParserState, flight: Flight): FlightStep {
  const taken = takeRecord(parser);
  if (taken.kind === 'need-more') return { kind: 'wait' };
  if (taken.kind === 'error') {
    const { message, errno, alert } = taken.error;
    return {
      kind: 'error',
      error: new NodeKtlsError('ERR_KTLS_HANDOFF', message, { errno, alert }),
    };
  }
  let verdict: FlightVerdict;
  try {
    verdict = flight.classify(taken.record);
  } catch (error) {
    return { kind: 'error', error: error as Error };
  }
  if (verdict.kind === 'need-key') return { kind: 'wait' };
  if (verdict.kind === 'error') return verdict;
  return { kind: 'record', state: taken.state, record: taken.record, verdict };
}

function fail(message: string): FlightVerdict {
  return { kind: 'error', error: new NodeKtlsError('ERR_KTLS_HANDOFF', message) };
}
