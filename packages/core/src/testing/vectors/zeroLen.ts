import { fromHex, toHex } from '../../bytes.js';
import type { AeadVector } from './aead.js';

/**
 * The kernel selftest FIXTURE(zero_len) (tools/testing/selftests/net/tls.c, docs/kernel-tls.md
 * §10.3): TLS 1.2, AES-CCM-128, key/iv/salt/rec_seq all zero (`tls_crypto_info_init(..., 0)`
 * memsets the struct to the key generation, 0), sequence numbers 0..2, plaintext "Hello world"
 * or empty, data (0x17) or control (0x16).
 */

/** One of the selftest's `struct raw_rec` arrays: a whole TLS 1.2 record on the wire. */
export interface ZeroLenRecord {
  /** The C array's name: id<seq>_<data|ctrl>_l<plaintext length>. */
  readonly name: string;
  readonly seq: bigint;
  /** The record's content type (TLS 1.2 has no inner type): 0x17 data, 0x16 control. */
  readonly type: 0x16 | 0x17;
  /** The plaintext, as text. */
  readonly plain: '' | 'Hello world';
  /** header || explicit nonce (the 8-byte seq) || ciphertext || tag, spaced hex. */
  readonly record: string;
}

const HELLO = 'Hello world';

/**
 * Bytes copied from kernel-patches/bpf tools/testing/selftests/net/tls.c (commit 1a66a86d…,
 * `struct raw_rec` id0_data_l11 … id2_data_l0); the same arrays are in Jakub Kicinski's patch
 * "selftests: tls: add tests for zero-length records" (2025-08-20).
 */
export const ZERO_LEN_RECORDS: readonly ZeroLenRecord[] = [
  {
    name: 'id0_data_l11',
    seq: 0n,
    type: 0x17,
    plain: HELLO,
    record:
      '17 03 03 00 23 00 00 00 00 00 00 00 00 26 a2 33 de 8d 94 f0 29 6c b1 af' +
      ' 6a 75 b2 93 ad 45 d5 fd 03 51 57 8f f9 cc 3b 42',
  },
  {
    name: 'id0_ctrl_l0',
    seq: 0n,
    type: 0x16,
    plain: '',
    record:
      '16 03 03 00 18 00 00 00 00 00 00 00 00 13 38 7b a6 1c dd a7 19 33 ab ae 88 e1 d2 08 4f',
  },
  {
    name: 'id0_data_l0',
    seq: 0n,
    type: 0x17,
    plain: '',
    record:
      '17 03 03 00 18 00 00 00 00 00 00 00 00 c5 37 90 70 45 89 fb 5c c7 89 03 68 80 d3 d8 cc',
  },
  {
    name: 'id1_data_l11',
    seq: 1n,
    type: 0x17,
    plain: HELLO,
    record:
      '17 03 03 00 23 00 00 00 00 00 00 00 01 3a 1a 9c d0 a8 9a d6 69 d6 1a e3' +
      ' b5 1f 0d 2c e2 97 46 ff 2b cc 5a c4 a3 b9 ef ba',
  },
  {
    name: 'id1_ctrl_l0',
    seq: 1n,
    type: 0x16,
    plain: '',
    record:
      '16 03 03 00 18 00 00 00 00 00 00 00 01 3e f0 fe ee d9 e2 5d c7 11 4c e6 b4 7e ef 40 2b',
  },
  {
    name: 'id1_data_l0',
    seq: 1n,
    type: 0x17,
    plain: '',
    record:
      '17 03 03 00 18 00 00 00 00 00 00 00 01 ce fc 86 c8 f0 55 f9 47 3f 74 dc c9 bf fe 5b b1',
  },
  {
    name: 'id2_ctrl_l11',
    seq: 2n,
    type: 0x16,
    plain: HELLO,
    record:
      '16 03 03 00 23 00 00 00 00 00 00 00 02 e5 3d 19 3d ca b8 16 b6 ff 79 87' +
      ' 2a 04 11 3d f8 64 5f 36 8b a8 ee 4c 6d 62 a5 00',
  },
  {
    name: 'id2_data_l11',
    seq: 2n,
    type: 0x17,
    plain: HELLO,
    record:
      '17 03 03 00 23 00 00 00 00 00 00 00 02 e5 3d 19 3d ca b8 16 b6 ff 79 87' +
      ' 8e a1 d0 cd 33 b5 86 2b 17 f1 52 2a 55 62 65 11',
  },
  {
    name: 'id2_ctrl_l0',
    seq: 2n,
    type: 0x16,
    plain: '',
    record:
      '16 03 03 00 18 00 00 00 00 00 00 00 02 dc 5c 0e 41 dd ba d3 cc cf 6d d9 06 db 79 e5 5d',
  },
  {
    name: 'id2_data_l0',
    seq: 2n,
    type: 0x17,
    plain: '',
    record:
      '17 03 03 00 18 00 00 00 00 00 00 00 02 c3 ca 26 22 e4 25 fb 5f 6d bf 83 30 48 69 1a 47',
  },
];

/** What one read of a zero_len variant returns: the bytes read, or EAGAIN (nothing to read). */
export type ZeroLenRead = number | 'EAGAIN';

/**
 * One TEST_F(zero_len, …) variant: the writer sends three raw records, the reader (TLS_RX) calls
 * recvmsg(MSG_DONTWAIT) with cmsg room and a 128-byte iov until EAGAIN.
 */
export interface ZeroLenVariant {
  /** The selftest's variant name, e.g. `data_0ctrl_data`: a `0` prefix is an empty record. */
  readonly name: string;
  /** The records in the order sent (record i has seq i), as the selftest's raw_rec arrays. */
  readonly records: readonly ZeroLenRecord[];
  /** What each read returns, in order. */
  readonly reads: readonly ZeroLenRead[];
}

/** Record i of a variant from its name's i-th word (`data`, `0ctrl`, …): id<i>_<type>_l<len>. */
function variant(name: string, reads: readonly ZeroLenRead[]): ZeroLenVariant {
  const records = name.split('_').map((word, i) => {
    const empty = word.startsWith('0');
    const id = `id${i}_${empty ? word.slice(1) : word}_l${empty ? 0 : HELLO.length}`;
    const r = ZERO_LEN_RECORDS.find((x) => x.name === id);
    if (r === undefined) throw new Error(`zero_len variant ${name}: no raw record ${id}`);
    return r;
  });
  return { name, records, reads };
}

/** The eight variants and what the kernel's RX returns for each (the selftest's expectations). */
export const ZERO_LEN_VARIANTS: readonly ZeroLenVariant[] = [
  variant('data_data_data', [33, 'EAGAIN']),
  variant('data_0ctrl_data', [11, 0, 11, 'EAGAIN']),
  variant('0data_0data_0data', ['EAGAIN']),
  variant('0data_0data_ctrl', [0, 11, 'EAGAIN']),
  variant('0data_0data_0ctrl', [0, 0, 'EAGAIN']),
  variant('0ctrl_0ctrl_0ctrl', [0, 0, 0, 'EAGAIN']),
  variant('0data_0data_data', [11, 'EAGAIN']),
  variant('data_0data_0data', [11, 'EAGAIN']),
];

/**
 * The same records as plain AES-128-CCM known answers: the all-zero key, nonce = salt (4 zero
 * bytes) || the explicit nonce on the wire (RFC 6655 §3), AAD = seq || type || version || length
 * (RFC 5246 §6.2.3.3). Ten kernel-made CCM vectors, four of them with an empty plaintext.
 */
export const ZERO_LEN_AEAD_VECTORS: readonly AeadVector[] = ZERO_LEN_RECORDS.map((r) => {
  const record = toHex(fromHex(r.record));
  const plaintext = toHex(new TextEncoder().encode(r.plain));
  const seq = r.seq.toString(16).padStart(16, '0');
  const length = (plaintext.length / 2).toString(16).padStart(4, '0');
  const body = record.slice(26);
  return {
    name: `kernel selftest zero_len ${r.name}`,
    algorithm: 'aes-128-ccm',
    key: '00'.repeat(16),
    nonce: `00000000${record.slice(10, 26)}`,
    aad: `${seq}${record.slice(0, 6)}${length}`,
    plaintext,
    ciphertext: body.slice(0, -32),
    tag: body.slice(-32),
  };
});
