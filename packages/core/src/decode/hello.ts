/**
 * Just enough of ClientHello and ServerHello (RFC 8446 §4.1.2–4.1.3, RFC 5246 §7.4.1) to know the
 * client random, the version and the cipher suite the server chose.
 */
import { HandshakeType } from '../protocol.js';

export interface ClientHello {
  readonly random: Uint8Array;
}

export interface ServerHello {
  readonly random: Uint8Array;
  readonly cipherSuite: number;
  /** 0x0304 when supported_versions selects TLS 1.3, else legacy_version. */
  readonly version: number;
  /** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest. */
  readonly helloRetryRequest: boolean;
}

const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

/** `body` is the handshake message body (after the 4-byte type/length header). */
export function parseClientHello(body: Uint8Array): ClientHello | string {
  if (body.length < 34) return 'ClientHello shorter than version and random';
  return { random: body.slice(2, 34) };
}

export function parseServerHello(body: Uint8Array): ServerHello | string {
  if (body.length < 38) return 'ServerHello too short';
  const random = body.slice(2, 34);
  let p = 34;
  const sidLen = body[p]!;
  p += 1 + sidLen;
  if (p + 3 > body.length) return 'ServerHello truncated before cipher_suite';
  const cipherSuite = (body[p]! << 8) | body[p + 1]!;
  p += 3; // cipher_suite, legacy_compression_method
  let version = (body[0]! << 8) | body[1]!;
  if (p + 2 <= body.length) {
    const extEnd = Math.min(body.length, p + 2 + ((body[p]! << 8) | body[p + 1]!));
    p += 2;
    while (p + 4 <= extEnd) {
      const type = (body[p]! << 8) | body[p + 1]!;
      const len = (body[p + 2]! << 8) | body[p + 3]!;
      if (type === 0x002b && len === 2) version = (body[p + 4]! << 8) | body[p + 5]!;
      p += 4 + len;
    }
  }
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
  return { random, cipherSuite, version, helloRetryRequest: hex === HRR_RANDOM };
}

export const HANDSHAKE_NAMES: Readonly<Record<number, string>> = {
  [HandshakeType.helloRequest]: 'HelloRequest',
  [HandshakeType.clientHello]: 'ClientHello',
  [HandshakeType.serverHello]: 'ServerHello',
  [HandshakeType.newSessionTicket]: 'NewSessionTicket',
  [HandshakeType.endOfEarlyData]: 'EndOfEarlyData',
  [HandshakeType.encryptedExtensions]: 'EncryptedExtensions',
  [HandshakeType.certificate]: 'Certificate',
  [HandshakeType.serverKeyExchange]: 'ServerKeyExchange',
  [HandshakeType.certificateRequest]: 'CertificateRequest',
  [HandshakeType.serverHelloDone]: 'ServerHelloDone',
  [HandshakeType.certificateVerify]: 'CertificateVerify',
  [HandshakeType.clientKeyExchange]: 'ClientKeyExchange',
  [HandshakeType.finished]: 'Finished',
  [HandshakeType.keyUpdate]: 'KeyUpdate',
};

/** Splits a handshake byte stream into messages; returns the messages and the unconsumed rest. */
export function splitHandshake(buffer: Uint8Array): {
  messages: { type: number; body: Uint8Array }[];
  rest: Uint8Array;
} {
  const messages: { type: number; body: Uint8Array }[] = [];
  let p = 0;
  while (p + 4 <= buffer.length) {
    const len = (buffer[p + 1]! << 16) | (buffer[p + 2]! << 8) | buffer[p + 3]!;
    if (p + 4 + len > buffer.length) break;
    messages.push({ type: buffer[p]!, body: buffer.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return { messages, rest: buffer.subarray(p) };
}
