import {
  type CipherSuite,
  type CryptoState,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  findSuite,
  KEYLOG_LABELS,
  type KeyLogLabel,
  parseClientHello,
  parseServerHello,
  TLS_1_2,
  TLS_1_3,
  type TlsVersion,
  tls12KeyBlock,
} from '@ktls-lab/core';
import { NodeKtlsError } from './errors.js';

/** Who sent a record: the side of the connection that is us, or the peer. */
export type Side = 'client' | 'server';

/**
 * What the handshake has shown so far, from both directions' plaintext and Node's `keylog` event:
 * the randoms, the version and suite the ServerHello chose, and the secrets (NSS key log labels).
 * One per connection; both flights read it and the hand-off wipes it.
 */
export interface HandshakeInfo {
  clientRandom: Uint8Array | null;
  serverRandom: Uint8Array | null;
  version: TlsVersion | null;
  suite: CipherSuite | null;
  readonly secrets: Map<KeyLogLabel, Uint8Array>;
}

export function createHandshakeInfo(): HandshakeInfo {
  return { clientRandom: null, serverRandom: null, version: null, suite: null, secrets: new Map() };
}

/** Reads a hello message (RFC 8446 §4.1.2–4.1.3) into `info`; returns a problem or null. */
export function noteHello(
  info: HandshakeInfo,
  type: 'client' | 'server',
  body: Uint8Array,
): string | null {
  if (type === 'client') {
    const ch = parseClientHello(body);
    if (typeof ch === 'string') return ch;
    // A second ClientHello (after a HelloRetryRequest) keeps the random (RFC 8446 §4.1.2).
    info.clientRandom ??= ch.random;
    return null;
  }
  const sh = parseServerHello(body);
  if (typeof sh === 'string') return sh;
  if (sh.helloRetryRequest) return null;
  const version = sh.version === TLS_1_3 ? TLS_1_3 : TLS_1_2;
  const suite = findSuite(sh.cipherSuite);
  if (suite === undefined || suite.version !== version) {
    return `cipher suite 0x${sh.cipherSuite.toString(16).padStart(4, '0')} has no AEAD record layer here (AES-GCM, AES-CCM and ChaCha20-Poly1305 only)`;
  }
  info.serverRandom = sh.random;
  info.version = version;
  info.suite = suite;
  return null;
}

/**
 * Takes one line of Node's `keylog` event (NSS key log format: `LABEL client_random secret`) into
 * `info`. Lines for another connection's random and labels this project does not use are dropped.
 */
export function noteKeyLogLine(info: HandshakeInfo, line: string): void {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 3) return;
  const [label, , hex] = parts as [string, string, string];
  if (!(KEYLOG_LABELS as readonly string[]).includes(label) || !/^([0-9a-fA-F]{2})+$/.test(hex)) {
    return;
  }
  info.secrets.set(label as KeyLogLabel, Uint8Array.from(Buffer.from(hex, 'hex')));
}

/** The secret for a label, or a typed error naming what the key log did not give. */
export function secretOf(info: HandshakeInfo, label: KeyLogLabel): Uint8Array {
  const s = info.secrets.get(label);
  if (s === undefined) {
    throw new NodeKtlsError(
      'ERR_KTLS_HANDOFF',
      `Node's keylog event gave no ${label} for this connection`,
    );
  }
  return s;
}

/** The label of a side's TLS 1.3 handshake traffic secret (RFC 8446 §7.1). */
export function handshakeLabel(side: Side): KeyLogLabel {
  return side === 'client' ? 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' : 'SERVER_HANDSHAKE_TRAFFIC_SECRET';
}

/** The label of a side's first TLS 1.3 application traffic secret (RFC 8446 §7.1). */
export function applicationLabel(side: Side): KeyLogLabel {
  return side === 'client' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0';
}

/**
 * The state a side seals its first application records with, at sequence number `recSeq`.
 *
 * TLS 1.3: from `<SIDE>_TRAFFIC_SECRET_0` (RFC 8446 §7.3). TLS 1.2: from the key block of the
 * master secret (`CLIENT_RANDOM` line) and both randoms (RFC 5246 §6.3); the key block is wiped
 * once the state has its own copies.
 */
export function applicationState(info: HandshakeInfo, side: Side, recSeq: bigint): CryptoState {
  const { suite, version } = info;
  if (suite === null || version === null) {
    throw new NodeKtlsError(
      'ERR_KTLS_HANDOFF',
      'no ServerHello was seen: version and suite unknown',
    );
  }
  if (version === TLS_1_3) {
    const state = cryptoStateFromSecret(suite, secretOf(info, applicationLabel(side)));
    return { ...state, recSeq };
  }
  if (info.clientRandom === null || info.serverRandom === null) {
    throw new NodeKtlsError(
      'ERR_KTLS_HANDOFF',
      'the hellos were not seen: no randoms for the key block',
    );
  }
  const kb = tls12KeyBlock(
    suite,
    secretOf(info, 'CLIENT_RANDOM'),
    info.clientRandom,
    info.serverRandom,
  );
  try {
    return side === 'client'
      ? cryptoStateFromKeyIv(suite, kb.clientKey, kb.clientIv, recSeq)
      : cryptoStateFromKeyIv(suite, kb.serverKey, kb.serverIv, recSeq);
  } finally {
    for (const part of [kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv]) part.fill(0);
  }
}

/** The handshake-epoch state a TLS 1.3 side seals its encrypted handshake flight with (seq 0). */
export function handshakeState(info: HandshakeInfo, side: Side): CryptoState | null {
  const secret = info.secrets.get(handshakeLabel(side));
  return secret === undefined || info.suite === null
    ? null
    : cryptoStateFromSecret(info.suite, secret);
}

/** Wipes every secret the key log gave and forgets them. */
export function wipeHandshakeInfo(info: HandshakeInfo): void {
  for (const s of info.secrets.values()) s.fill(0);
  info.secrets.clear();
}

/** Wipes a state's key and IV in place (the engine or the kernel holds its own copy). */
export function wipeState(state: CryptoState): void {
  state.key.fill(0);
  state.salt.fill(0);
  state.iv.fill(0);
}

/**
 * A copy a userspace record layer keeps for its lifetime (its machine reads salt and IV for every
 * nonce), so the caller can wipe the one it derived.
 */
export function cloneState(state: CryptoState): CryptoState {
  return { ...state, key: state.key.slice(), salt: state.salt.slice(), iv: state.iv.slice() };
}
