import { fromHex } from '../../bytes.js';
import { checkBytes } from '../check.js';
import { at } from '../prng.js';
import type { AeadVector } from '../vectors/aead.js';
import type { AeadConformanceCase } from './types.js';

/** A record header in front of the output, as the record layer asks for it (SealRequest.prefix). */
const PREFIX = Uint8Array.of(0x17, 0x03, 0x03, 0x00, 0x00);

/**
 * Seal gives the published ciphertext and tag byte for byte, and open gives the plaintext back:
 * from a buffer of its own and from an unaligned view, with a prefix in front, and with the last
 * plaintext byte passed apart as a trailer (how TLS 1.3's inner type reaches an engine).
 */
export function knownAnswerCase(v: AeadVector): AeadConformanceCase {
  return {
    name: `${v.algorithm}: known answer, ${v.name}`,
    algorithm: v.algorithm,
    run(engine) {
      const key = engine.importKey(v.algorithm, fromHex(v.key));
      const nonce = fromHex(v.nonce);
      const aad = fromHex(v.aad);
      const plaintext = fromHex(v.plaintext);
      const sealed = v.ciphertext + v.tag;
      checkBytes(engine.seal({ key, nonce, aad, plaintext }), sealed, `${v.name}: seal`);
      checkBytes(
        engine.open({ key, nonce, aad, ciphertext: fromHex(sealed) }),
        v.plaintext,
        `${v.name}: open`,
      );
      checkBytes(
        engine.open({ key, nonce, aad, ciphertext: at(fromHex(sealed), 3) }),
        v.plaintext,
        `${v.name}: open of the record as a view into a larger buffer`,
      );
      checkBytes(
        engine.seal({ key, nonce, aad, plaintext, prefix: PREFIX }),
        `1703030000${sealed}`,
        `${v.name}: seal with a 5-byte prefix`,
      );
      if (plaintext.length > 0) {
        const n = plaintext.length - 1;
        checkBytes(
          engine.seal({
            key,
            nonce,
            aad,
            plaintext: plaintext.subarray(0, n),
            trailer: plaintext.subarray(n),
          }),
          sealed,
          `${v.name}: seal with the last byte as a trailer`,
        );
      }
    },
  };
}
