import { describe, expect, it } from 'vitest';
import { AEAD_KEY_LENGTH } from '../../aead.js';
import { fromHex, toHex } from '../../bytes.js';
import { AEAD_ALGORITHMS } from '../algorithms.js';
import { AEAD_VECTORS } from './index.js';
import { RFC8448_AEAD_VECTORS, RFC8448_APP_RECORDS } from './rfc8448.js';
import { ZERO_LEN_AEAD_VECTORS, ZERO_LEN_RECORDS, ZERO_LEN_VARIANTS } from './zeroLen.js';

describe('the shared vectors', () => {
  it('are well formed: key and nonce lengths, ciphertext as long as the plaintext, 16-byte tags', () => {
    expect(AEAD_VECTORS.length).toBe(8 + 3 + 1 + 3 + 5 + 10);
    for (const v of AEAD_VECTORS) {
      expect(fromHex(v.key).length, v.name).toBe(AEAD_KEY_LENGTH[v.algorithm]);
      expect(fromHex(v.nonce).length, v.name).toBe(12);
      expect(fromHex(v.ciphertext).length, v.name).toBe(fromHex(v.plaintext).length);
      expect(fromHex(v.tag).length, v.name).toBe(16);
    }
    expect(new Set(AEAD_VECTORS.map((v) => v.name)).size).toBe(AEAD_VECTORS.length);
    // Every algorithm has at least one published answer.
    for (const a of AEAD_ALGORITHMS) expect(AEAD_VECTORS.some((v) => v.algorithm === a)).toBe(true);
  });

  it('RFC 8448 records as AEAD vectors: the AAD is the record header, the body is ct || tag', () => {
    RFC8448_APP_RECORDS.forEach((r, i) => {
      const v = RFC8448_AEAD_VECTORS[i]!;
      const rec = toHex(fromHex(r.record));
      expect(v.aad + v.ciphertext + v.tag).toBe(rec);
      expect(v.plaintext.length / 2).toBe(((fromHex(rec)[3]! << 8) | fromHex(rec)[4]!) - 16);
    });
    // RFC 8446 §5.3: the server's seq 2 nonce is its iv with the last byte XOR 2.
    expect(RFC8448_AEAD_VECTORS[4]!.nonce).toBe('cf782b88dd83549aadf1e986');
  });

  it('zero_len: each record header says its length; each variant sends records seq 0, 1, 2', () => {
    expect(ZERO_LEN_RECORDS.length).toBe(10);
    for (const r of ZERO_LEN_RECORDS) {
      const rec = fromHex(r.record);
      expect(rec[0]).toBe(r.type);
      expect((rec[3]! << 8) | rec[4]!).toBe(rec.length - 5);
      expect(rec.length).toBe(5 + 8 + r.plain.length + 16);
      expect(r.name).toBe(`id${r.seq}_${r.type === 0x17 ? 'data' : 'ctrl'}_l${r.plain.length}`);
    }
    expect(ZERO_LEN_VARIANTS.map((v) => v.name)).toEqual([
      'data_data_data',
      'data_0ctrl_data',
      '0data_0data_0data',
      '0data_0data_ctrl',
      '0data_0data_0ctrl',
      '0ctrl_0ctrl_0ctrl',
      '0data_0data_data',
      'data_0data_0data',
    ]);
    for (const v of ZERO_LEN_VARIANTS) {
      expect(v.records.map((r) => r.seq)).toEqual([0n, 1n, 2n]);
      expect(v.reads.at(-1)).toBe('EAGAIN');
    }
    expect(ZERO_LEN_AEAD_VECTORS[0]!.aad).toBe('0000000000000000170303000b');
  });
});
