import { fromHex, toHex } from '../../bytes.js';
import type { AeadVector } from './aead.js';

/**
 * RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256), as spaced hex the way the RFC
 * prints it: its {client}/{server} "derive write traffic keys" secrets, keys and ivs, and its
 * "complete record" lines (copied by way of princeb612/hotplace test/tls/test_rfc8448_3.cpp,
 * which quotes them verbatim). Opening the records is itself a check of the bytes: one wrong byte
 * in a key, iv or record fails the GCM tag.
 */
export const RFC8448 = {
  clientHandshakeSecret:
    'b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21',
  clientHandshakeKey: 'db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01',
  clientHandshakeIv: '5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f',
  /** {server} derive write traffic keys for handshake data. */
  serverHandshakeSecret:
    'b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38',
  serverHandshakeKey: '3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc',
  serverHandshakeIv: '5d 31 3e b2 67 12 76 ee 13 00 0b 30',
  serverAppSecret:
    'a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43',
  serverAppKey: '9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56',
  serverAppIv: 'cf 78 2b 88 dd 83 54 9a ad f1 e9 84',
  clientAppSecret:
    '9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5',
  clientAppKey: '17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51',
  clientAppIv: '5b 78 92 3d ee 08 57 90 33 e5 23 d9',
  /** {client} send handshake record (Finished), under the client handshake keys, seq 0. */
  clientFinishedRecord:
    '17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc 44' +
    ' d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46',
  /** The NewSessionTicket handshake message that record carries (205 bytes with its header). */
  serverTicket:
    '04 00 00 c9 00 00 00 1e fa d6 aa c5 02 00 00 00 b2 2c 03 5d 82 93 59' +
    ' ee 5f f7 af 4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa' +
    ' 90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60' +
    ' 97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f' +
    ' d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37' +
    ' 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c 5b' +
    ' 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f' +
    ' ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88' +
    ' e9 33 43 69 40 93 93 4a e4 d3 57 00 08 00 2a 00 04 00 00 04 00',
  /** {server} NewSessionTicket: the first record under the server application keys, seq 0. */
  serverTicketRecord:
    '17 03 03 00 de 3a 6b 8f 90 41 4a 97 d6 95 9c 34 87 68 0d e5 13 4a 2b 24 0e 6c ff ac 11 6e 95 d4 1d' +
    ' 6a f8 f6 b5 80 dc f3 d1 1d 63 c7 58 db 28 9a 01 59 40 25 2f 55 71 3e 06 1d c1 3e 07 88 91 a3 8e fb' +
    ' cf 57 53 ad 8e f1 70 ad 3c 73 53 d1 6d 9d a7 73 b9 ca 7f 2b 9f a1 b6 c0 d4 a3 d0 3f 75 e0 9c 30 ba' +
    ' 1e 62 97 2a c4 6f 75 f7 b9 81 be 63 43 9b 29 99 ce 13 06 46 15 13 98 91 d5 e4 c5 b4 06 f1 6e 3f c1' +
    ' 81 a7 7c a4 75 84 00 25 db 2f 0a 77 f8 1b 5a b0 5b 94 c0 13 46 75 5f 69 23 2c 86 51 9d 86 cb ee ac' +
    ' 87 aa c3 47 d1 43 f9 60 5d 64 f6 50 db 4d 02 3e 70 e9 52 ca 49 fe 51 37 12 1c 74 bc 26 97 68 7e 24' +
    ' 87 46 d6 df 35 30 05 f3 bc e1 86 96 12 9c 81 53 55 6b 3b 6c 67 79 b3 7b f1 59 85 68 4f',
  /** {client} send application_data record, seq 0 under the client application keys. */
  clientDataRecord:
    '17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b' +
    ' 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee' +
    ' bb 21 69 49 15 e4',
  /** {server} send application_data record, seq 1 (after the ticket). */
  serverDataRecord:
    '17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 e3' +
    ' 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0' +
    ' 32 e1 67 c2 95 5d',
  /** {client} send alert record (close_notify), seq 1. */
  clientAlertRecord: '17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3',
  /** {server} send alert record (close_notify), seq 2. */
  serverAlertRecord: '17 03 03 00 13 b5 8f d6 71 66 eb f5 99 d2 47 20 cf be 7e fa 7a 88 64 a9',
} as const;

/** The RFC's application data payload in both directions: 50 bytes 00 01 02 … 31. */
export const RFC8448_PAYLOAD_50: string = toHex(Uint8Array.from({ length: 50 }, (_, i) => i));

/** The close_notify alert body (RFC 8446 §6: level warning, description close_notify). */
export const RFC8448_CLOSE_NOTIFY = '0100';

/** An RFC 8448 §3 record with what it carries, for tests that open it through the record layer. */
export interface Rfc8448Record {
  readonly name: string;
  /** The traffic secret it is sealed under (spaced hex). */
  readonly secret: string;
  readonly seq: bigint;
  readonly record: string;
  /** The inner (TLSInnerPlaintext) content type, RFC 8446 §5.2. */
  readonly contentType: number;
  /** The content, hex (the RFC prints it for application data and alerts). */
  readonly content: string;
}

/**
 * The application-key records whose content the RFC gives: the server's NewSessionTicket, data
 * both ways, both close_notify.
 */
export const RFC8448_APP_RECORDS: readonly Rfc8448Record[] = [
  {
    name: 'server NewSessionTicket',
    secret: RFC8448.serverAppSecret,
    seq: 0n,
    record: RFC8448.serverTicketRecord,
    contentType: 22, // handshake
    content: toHex(fromHex(RFC8448.serverTicket)),
  },
  {
    name: 'client application data',
    secret: RFC8448.clientAppSecret,
    seq: 0n,
    record: RFC8448.clientDataRecord,
    contentType: 23, // application_data
    content: RFC8448_PAYLOAD_50,
  },
  {
    name: 'server application data',
    secret: RFC8448.serverAppSecret,
    seq: 1n,
    record: RFC8448.serverDataRecord,
    contentType: 23, // application_data
    content: RFC8448_PAYLOAD_50,
  },
  {
    name: 'client close_notify',
    secret: RFC8448.clientAppSecret,
    seq: 1n,
    record: RFC8448.clientAlertRecord,
    contentType: 21, // alert
    content: RFC8448_CLOSE_NOTIFY,
  },
  {
    name: 'server close_notify',
    secret: RFC8448.serverAppSecret,
    seq: 2n,
    record: RFC8448.serverAlertRecord,
    contentType: 21, // alert
    content: RFC8448_CLOSE_NOTIFY,
  },
];

/** The per-record nonce: the 12-byte iv XOR the sequence number, left-padded (RFC 8446 §5.3). */
function tls13Nonce(ivHex: string, seq: bigint): string {
  const nonce = fromHex(ivHex);
  for (let i = 11, s = seq; i >= 4; i--, s >>= 8n) nonce[i]! ^= Number(s & 0xffn);
  return toHex(nonce);
}

/**
 * The same records as plain AES-128-GCM known answers, with the RFC's own keys and ivs: the AAD
 * is the record header and the plaintext is content || inner type (RFC 8446 §5.2), so an engine
 * is checked on TLS bytes without the key schedule or the record layer.
 */
export const RFC8448_AEAD_VECTORS: readonly AeadVector[] = RFC8448_APP_RECORDS.map((r) => {
  const client = r.secret === RFC8448.clientAppSecret;
  const record = toHex(fromHex(r.record));
  const body = record.slice(10);
  return {
    name: `RFC 8448 §3 ${r.name} record (seq ${r.seq})`,
    algorithm: 'aes-128-gcm',
    key: toHex(fromHex(client ? RFC8448.clientAppKey : RFC8448.serverAppKey)),
    nonce: tls13Nonce(client ? RFC8448.clientAppIv : RFC8448.serverAppIv, r.seq),
    aad: record.slice(0, 10),
    plaintext: r.content + r.contentType.toString(16).padStart(2, '0'),
    ciphertext: body.slice(0, -32),
    tag: body.slice(-32),
  };
});
