import { describe, expect, it } from 'vitest';
import { concat, fromHex, readU64be, toHex, u64be, utf8 } from '../bytes.js';
import { encodeHeader } from '../codec.js';
import { cryptoStateFromKernel } from '../cryptoState.js';
import { recordAad, recordNonce } from '../nonce.js';
import { TLS_1_2 } from '../protocol.js';
import { KernelCipher } from '../suites.js';
import { ZERO_LEN_RECORDS } from '../testing/index.js';
import { NodeCryptoAeadEngine } from './nodeCrypto.js';

/** What the selftest passes to setsockopt(TLS_RX): a 40-byte struct, all zero but the header. */
function selftestCryptoInfo(): Uint8Array {
  const info = new Uint8Array(40);
  const view = new DataView(info.buffer);
  view.setUint16(0, TLS_1_2, true);
  view.setUint16(2, KernelCipher.aes_ccm_128, true);
  return info;
}

/**
 * The kernel selftest FIXTURE(zero_len)'s raw records (src/testing/vectors/zeroLen.ts: TLS 1.2,
 * AES-CCM-128, all-zero key/iv/salt, seq 0..2), opened and re-sealed the way the kernel's RX and
 * TX build nonce and AAD from the crypto_info struct.
 */
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

  for (const r of ZERO_LEN_RECORDS) {
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
    const r = ZERO_LEN_RECORDS[0]!;
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
