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

/**
 * TLS 1.2 CBC suites by code point (RFC 5246 §A.5, RFC 4492 §6, RFC 5289 §3, RFC 5932 §3): MAC
 * then encrypt, with padding, not an AEAD. Kernel TLS takes AEAD suites only (docs/kernel-tls.md
 * §2), and so does this decoder; these are named so that the refusal says why.
 */
const CBC_SUITES: Readonly<Record<number, string>> = {
  10: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  47: 'TLS_RSA_WITH_AES_128_CBC_SHA',
  51: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  53: 'TLS_RSA_WITH_AES_256_CBC_SHA',
  57: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  60: 'TLS_RSA_WITH_AES_128_CBC_SHA256',
  61: 'TLS_RSA_WITH_AES_256_CBC_SHA256',
  65: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA',
  103: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256',
  107: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
  132: 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA',
  49161: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  49162: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  49170: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  49171: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  49172: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  49187: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  49188: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  49191: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  49192: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
};

/** AEAD suites with an 8-byte tag (RFC 8446 §B.4, RFC 7251 §2): kernel TLS takes 16-byte tags only. */
const SHORT_TAG_SUITES: Readonly<Record<number, string>> = {
  4869: 'TLS_AES_128_CCM_8_SHA256',
  49312: 'TLS_RSA_WITH_AES_128_CCM_8',
  49326: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  49327: 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8',
};

/** Why a cipher suite the server chose cannot be decoded, in one line. */
export function unsupportedSuite(code: number, version: 'TLS 1.2' | 'TLS 1.3'): string {
  const hex = `0x${code.toString(16).padStart(4, '0')}`;
  const cbc = CBC_SUITES[code];
  if (cbc !== undefined)
    return `unsupported: CBC suites are not AEAD (${cbc}, ${hex}); kernel TLS and this decoder take AEAD suites only: AES-GCM, AES-128-CCM, ChaCha20-Poly1305`;
  const short = SHORT_TAG_SUITES[code];
  if (short !== undefined)
    return `unsupported: ${short} (${hex}) has an 8-byte tag; kernel TLS and this decoder take 16-byte tags only`;
  return `unsupported cipher suite ${hex} (${version}); supported: AES-128/256-GCM, AES-128-CCM, ChaCha20-Poly1305`;
}
