import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import {
  type CipherSuite,
  concat,
  createParser,
  feed,
  MAX_CIPHERTEXT_TLS12,
  NodeCryptoAeadEngine,
  openRecord,
  type ParserState,
  type RecordLimits,
  recordBytes,
  TLS_1_3,
  type TlsVersion,
  takeRecord,
} from '@ktls-lab/core';
import { NodeKtlsError } from './errors.js';
import { Flight, nextRecord } from './flight.js';
import {
  applicationState,
  createHandshakeInfo,
  type HandshakeInfo,
  noteKeyLogLine,
  type Side,
  wipeState,
} from './handshakeInfo.js';

/** What Node's tls said about the connection, captured before the hand-off. */
export interface TlsSnapshot {
  readonly protocol: string | null;
  readonly cipher: ReturnType<TLSSocket['getCipher']>;
  readonly peerCertificate: PeerCertificate;
  readonly session: Buffer | undefined;
  readonly alpnProtocol: string | false;
  readonly authorized: boolean;
  readonly authorizationError: Error | null;
  readonly servername: string | false | null;
  readonly sessionReused: boolean;
}

/** The exact point where Node's tls stopped: what each direction's data plane starts from. */
export interface Handoff {
  readonly side: Side;
  readonly version: TlsVersion;
  readonly suite: CipherSuite;
  /** Sequence number of the first record the data plane opens (TLS 1.3: 0; TLS 1.2: 1). */
  readonly rxSeq: bigint;
  /** Sequence number of the first record the data plane seals (TLS 1.3 server: tickets sent). */
  readonly txSeq: bigint;
  /** Bytes read from TCP and not given to Node's tls: whole records, then maybe a partial one. */
  readonly leftover: Uint8Array;
  /** Records each direction carried before the hand-off. */
  readonly records: {
    readonly peerHandshake: number;
    readonly ownHandshake: number;
    readonly ownApplication: number;
    /** Whole peer records read with (or after) its Finished, and bytes of a partial one after them. */
    readonly leftoverWhole: number;
    readonly leftoverPartialBytes: number;
  };
  readonly snapshot: TlsSnapshot;
  /** Node's TLSSocket, kept to give it tickets (see `ticketInjector`); never fed anything else. */
  readonly tlsSocket: TLSSocket;
  /** Pushes bytes to Node's tls as if they came from the wire (control-plane re-injection). */
  readonly inject: (bytes: Uint8Array) => void;
  /** The handshake secrets and randoms; the caller derives its states, then wipes them. */
  readonly info: HandshakeInfo;
  /** Bytes Node's tls tried to write after the hand-off (dropped; a close_notify at destroy). */
  readonly lateOutput: () => number;
}

/** Any record version 0x0301/0x0303, bodies up to the TLS 1.2 ciphertext limit (RFC 5246 §6.2.3). */
const HANDSHAKE_LIMITS: RecordLimits = {
  profile: 'rfc',
  maxBody: MAX_CIPHERTEXT_TLS12,
  minBody: 0,
  prepend: 5,
  legacyVersions: [0x0301],
};

/**
 * Runs Node's TLS handshake over `raw` through a Duplex this function controls, and stops at the
 * exact record boundary where the handshake ends (README.md, "The hand-off"):
 *
 * - bytes from TCP are parsed into records; only whole records of the peer's handshake flight go
 *   to Node's tls, up to and including the one that carries the peer's Finished (`Flight`);
 *   everything after stays here (`leftover`), so no record a data plane must open is inside Node;
 * - Node's output goes to TCP as it comes and is parsed the same way, to count the records it
 *   sealed after its own Finished (the TLS 1.3 server's NewSessionTickets: they have left when
 *   Node says the handshake is done, as OpenSSL writes them before it reports completion);
 * - the secrets come from the `keylog` event; the listener is removed at the hand-off.
 */
export function handOff(
  raw: Socket,
  side: Side,
  makeTls: (transport: Duplex) => TLSSocket,
): Promise<Handoff> {
  return new Promise<Handoff>((resolve, reject) => {
    const engine = new NodeCryptoAeadEngine();
    const info = createHandshakeInfo();
    const peer: Side = side === 'client' ? 'server' : 'client';
    const peerFlight = new Flight(peer, info, engine);
    const ownFlight = new Flight(side, info, engine);
    let rx: ParserState = createParser(HANDSHAKE_LIMITS);
    let tx: ParserState = createParser(HANDSHAKE_LIMITS);
    let peerRecords = 0;
    let handedOff = false;
    let settled = false;
    let late = 0;

    const transport = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        if (handedOff) {
          late += chunk.length;
          callback();
          return;
        }
        tx = feed(tx, new Uint8Array(chunk));
        raw.write(chunk, callback);
        pumpTx();
      },
      final(callback) {
        callback();
      },
    });
    // Made last, once every handler below exists: Node writes its first flight at once.
    let tlsSocket = null as unknown as TLSSocket;

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      tlsSocket.destroy();
      raw.destroy();
      reject(error);
    };
    const onKeylog = (line: Buffer) => {
      noteKeyLogLine(info, line.toString('latin1'));
      pumpTx();
      pump();
    };
    // Our own flight, classified as Node writes it (its ClientHello or ServerHello says what the
    // peer's records are); a protected record waits for its key like the peer's do.
    const ownApplication: Uint8Array[] = [];
    let ownRecords = 0;
    const pumpTx = () => {
      while (!settled) {
        const step = nextRecord(tx, ownFlight);
        if (step.kind === 'wait') return;
        if (step.kind === 'error') return fail(step.error);
        tx = step.state;
        if (step.verdict.kind === 'application') ownApplication.push(recordBytes(step.record));
        else ownRecords++;
      }
    };
    const onData = (chunk: Buffer) => {
      rx = feed(rx, new Uint8Array(chunk));
      pump();
    };
    const onRawEnd = () => transport.push(null);
    const onRawError = (error: Error) => fail(error);
    const onTlsError = (error: Error) => fail(error);
    const onTlsClose = () =>
      fail(
        new NodeKtlsError('ERR_KTLS_HANDOFF', 'the connection closed during the handshake', {
          errno: 'ECONNRESET',
        }),
      );
    const onSecure = () => setImmediate(finish);
    const cleanup = () => {
      tlsSocket.off('keylog', onKeylog);
      tlsSocket.off('error', onTlsError);
      tlsSocket.off('close', onTlsClose);
      raw.off('data', onData);
      raw.off('end', onRawEnd);
      raw.off('error', onRawError);
    };

    let pumping = false;
    let again = false;
    /** Gives Node's tls the peer's handshake records, one whole record at a time, until Finished. */
    const pump = () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          while (!peerFlight.finished && !settled) {
            const step = nextRecord(rx, peerFlight);
            if (step.kind === 'wait') break;
            if (step.kind === 'error') return fail(step.error);
            if (step.verdict.kind === 'application') {
              return fail(
                new NodeKtlsError(
                  'ERR_KTLS_HANDOFF',
                  'an application record before the peer Finished',
                ),
              );
            }
            rx = step.state;
            peerRecords++;
            // A copy: the parser's record is a view into the TCP chunk, which Node may keep.
            transport.push(Buffer.from(recordBytes(step.record)));
          }
        } while (again);
      } finally {
        pumping = false;
      }
    };

    const finish = () => {
      if (settled) return;
      if (!peerFlight.finished) {
        return fail(
          new NodeKtlsError(
            'ERR_KTLS_HANDOFF',
            "Node reported the handshake done before the peer's Finished was given to it",
          ),
        );
      }
      const { version, suite } = info;
      if (version === null || suite === null) {
        return fail(new NodeKtlsError('ERR_KTLS_HANDOFF', 'no ServerHello was seen'));
      }
      pumpTx();
      if (settled) return;
      if (tx.buffered > 0) {
        return fail(
          new NodeKtlsError(
            'ERR_KTLS_HANDOFF',
            `${tx.buffered} bytes Node wrote are not a whole record, or have no key`,
          ),
        );
      }
      if (!ownFlight.finished)
        return fail(
          new NodeKtlsError(
            'ERR_KTLS_HANDOFF',
            'our Finished was not written before Node reported the handshake done',
          ),
        );
      // RFC 8446 §5.3: a new traffic secret starts at 0; RFC 5246 §6.1: Finished is 0 under the new
      // keys, so the first application record is 1 (docs in README.md, "Sequence numbers").
      const base = version === TLS_1_3 ? 0n : 1n;
      const txSeq = base + ownFlight.applicationRecords;
      // Prove the count: each record Node sealed after its Finished opens at its sequence number.
      try {
        ownApplication.forEach((record, i) => {
          const state = applicationState(info, side, base + BigInt(i));
          const opened = openRecord(engine, state, record);
          wipeState(state);
          if (!opened.ok)
            throw new NodeKtlsError(
              'ERR_KTLS_HANDOFF',
              `our record ${i} after Finished does not open at sequence number ${base + BigInt(i)}: ${opened.error.message}`,
            );
        });
      } catch (error) {
        return fail(error);
      }
      let rest = rx;
      let leftoverWhole = 0;
      for (let t = takeRecord(rest); t.kind === 'record'; t = takeRecord(rest)) {
        rest = t.state;
        leftoverWhole++;
      }
      const snapshot = snapshotOf(tlsSocket);
      handedOff = true;
      settled = true;
      cleanup();
      raw.pause();
      // Node's tls must not see an error or an EOF from here: it is only ever given tickets.
      tlsSocket.on('error', () => {});
      resolve({
        side,
        version,
        suite,
        rxSeq: base,
        txSeq,
        leftover: rx.buffered === 0 ? new Uint8Array(0) : concat(rx.chunks),
        records: {
          peerHandshake: peerRecords,
          ownHandshake: ownRecords,
          ownApplication: ownApplication.length,
          leftoverWhole,
          leftoverPartialBytes: rest.buffered,
        },
        snapshot,
        tlsSocket,
        inject: (bytes) => {
          transport.push(Buffer.from(bytes));
        },
        info,
        lateOutput: () => late,
      });
    };

    tlsSocket = makeTls(transport);
    tlsSocket.on('keylog', onKeylog);
    tlsSocket.on('error', onTlsError);
    tlsSocket.on('close', onTlsClose);
    tlsSocket.once(side === 'client' ? 'secureConnect' : 'secure', onSecure);
    raw.on('data', onData);
    raw.on('end', onRawEnd);
    raw.on('error', onRawError);
  });
}

function snapshotOf(s: TLSSocket): TlsSnapshot {
  const servername = (s as TLSSocket & { servername?: string | false | null }).servername ?? null;
  return {
    protocol: s.getProtocol(),
    cipher: s.getCipher(),
    peerCertificate: s.getPeerCertificate(true),
    session: s.getSession(),
    alpnProtocol: s.alpnProtocol ?? false,
    authorized: s.authorized,
    authorizationError: s.authorizationError ?? null,
    servername,
    sessionReused: s.isSessionReused(),
  };
}
