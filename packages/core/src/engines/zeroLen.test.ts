import { describe, expect, it } from 'vitest';
import { concat, fromHex, readU64be, toHex, u64be, utf8 } from '../bytes.js';
import { encodeHeader } from '../codec.js';
import { cryptoStateFromKernel } from '../cryptoState.js';
import { recordAad, recordNonce } from '../nonce.js';
import { TLS_1_2 } from '../protocol.js';
import { KernelCipher } from '../suites.js';
import { NodeCryptoAeadEngine } from './nodeCrypto.js';

/**
 * The raw records of the kernel selftest FIXTURE(zero_len) (docs/kernel-tls.md §10.3): TLS 1.2,
 * AES-CCM-128, key/iv/salt/rec_seq all zero (`tls_crypto_info_init(..., 0)` memsets the struct to
 * the key generation, 0), sequence numbers 0..2, plaintext "Hello world" or empty, data (0x17) or
 * control (0x16). Bytes copied from kernel-patches/bpf tools/testing/selftests/net/tls.c
 * (commit 1a66a86d…, `struct raw_rec` id0_data_l11 … id2_data_l0); the same arrays are in Jakub
 * Kicinski's patch "selftests: tls: add tests for zero-length records" (2025-08-20).
 */
interface RawRec {
  readonly name: string;
  readonly seq: bigint;
  readonly type: number;
  readonly plain: string;
  readonly record: string;
}

const HELLO = 'Hello world';

const RECS: readonly RawRec[] = [
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

/** What the selftest passes to setsockopt(TLS_RX): a 40-byte struct, all zero but the header. */
function selftestCryptoInfo(): Uint8Array {
  const info = new Uint8Array(40);
  const view = new DataView(info.buffer);
  view.setUint16(0, TLS_1_2, true);
  view.setUint16(2, KernelCipher.aes_ccm_128, true);
  return info;
}

describe('kernel selftest zero_len records (TLS 1.2 AES-CCM-128, all-zero key)', () => {
  const engine = new NodeCryptoAeadEngine();
  const state = cryptoStateFromKernel(selftestCryptoInfo());
  const { suite } = state;
  const key = engine.importKey(suite.aead, state.key);

  it('the selftest struct is the zero key, salt and iv of TLS_CIPHER_AES_CCM_128', () => {
    expect(suite.name).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CCM');
    expect(toHex(state.key)).toBe('00'.repeat(16));
    expect(toHex(state.salt)).toBe('00'.repeat(4));
    expect(toHex(state.iv)).toBe('00'.repeat(8));
    expect(state.recSeq).toBe(0n);
  });

  for (const r of RECS) {
    it(`${r.name}: opens to ${JSON.stringify(r.plain)} and re-seals to the kernel's bytes`, () => {
      const rec = fromHex(r.record);
      const plain = utf8(r.plain);
      // Header: the outer type is the real type in TLS 1.2; length = explicit nonce + ct + tag.
      expect(rec[0]).toBe(r.type);
      expect((rec[3]! << 8) | rec[4]!).toBe(rec.length - 5);
      expect(rec.length).toBe(5 + 8 + plain.length + 16);
      // RX as the kernel does it: explicit nonce from record bytes 5..13, salt from crypto_info.
      const explicit = rec.subarray(5, 13);
      expect(readU64be(explicit)).toBe(r.seq);
      const nonce = recordNonce(suite, state.salt, explicit, r.seq);
      const aad = recordAad(suite, r.seq, r.type, rec.length - 5 - 8 - 16);
      const opened = engine.open({ key, nonce, aad, ciphertext: rec.subarray(13) });
      expect(opened).not.toBeNull();
      expect(toHex(opened!)).toBe(toHex(plain));

      // TX: the explicit nonce is the kernel's iv (0) advanced once per record, i.e. seq here.
      const txNonce = recordNonce(suite, state.salt, u64be(r.seq), r.seq);
      const sealed = engine.seal({
        key,
        nonce: txNonce,
        aad: recordAad(suite, r.seq, r.type, plain.length),
        plaintext: plain,
      });
      const body = concat([u64be(r.seq), sealed]);
      const wire = concat([encodeHeader(r.type, body.length), body]);
      expect(toHex(wire)).toBe(toHex(rec));
    });
  }

  it('a record opened under the wrong sequence number or type fails (the AAD binds both)', () => {
    const r = RECS[0]!;
    const rec = fromHex(r.record);
    const nonce = recordNonce(suite, state.salt, rec.subarray(5, 13), r.seq);
    const ct = rec.subarray(13);
    const len = ct.length - 16;
    expect(
      engine.open({ key, nonce, aad: recordAad(suite, 1n, r.type, len), ciphertext: ct }),
    ).toBeNull();
    expect(
      engine.open({ key, nonce, aad: recordAad(suite, 0n, 0x16, len), ciphertext: ct }),
    ).toBeNull();
  });
});
