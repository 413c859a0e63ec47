import { AEAD_KEY_LENGTH, AEAD_TAG_LENGTH } from '../../aead.js';
import { fromHex } from '../../bytes.js';
import { checkBytes, checkRejected } from '../check.js';
import { flipBit } from '../prng.js';
import type { AeadVector } from '../vectors/aead.js';
import type { AeadConformanceCase, CaseContext } from './types.js';

/** Above this many ciphertext bits, every 7th is flipped instead of every one (tag bits: all). */
const EVERY_BIT_UP_TO = 512;

/**
 * A forgery is refused by `open` returning null, never by throwing (aead.ts, RFC 5116 §2.2):
 * a flipped bit anywhere in the ciphertext, in every byte of the tag, in the nonce or the AAD;
 * AAD added, shortened or dropped; the record truncated, extended or cut to the tag; a key one
 * bit off; and the same key bytes under another algorithm of that key length. The input is a
 * vector's (key, nonce, AAD, plaintext), sealed by the engine itself, so a stand-in engine that
 * does not make the published bytes (the model) is held to the same checks.
 */
export function tamperCase(v: AeadVector, ctx: CaseContext): AeadConformanceCase {
  return {
    name: `${v.algorithm}: tampered records do not open (${v.name} input)`,
    algorithm: v.algorithm,
    run(engine) {
      const raw = fromHex(v.key);
      const key = engine.importKey(v.algorithm, raw);
      const nonce = fromHex(v.nonce);
      const aad = fromHex(v.aad);
      const ct = engine.seal({ key, nonce, aad, plaintext: fromHex(v.plaintext) });
      const open = (c: Uint8Array, n: Uint8Array = nonce, a: Uint8Array = aad, k = key) =>
        engine.open({ key: k, nonce: n, aad: a, ciphertext: c });
      // The untouched record opens, so every null below is the tampering's doing.
      checkBytes(open(ct), v.plaintext, `${v.name}: open of the untampered record`);

      const bodyBits = (ct.length - AEAD_TAG_LENGTH) * 8;
      const stride = bodyBits > EVERY_BIT_UP_TO ? 7 : 1;
      for (let bit = 0; bit < bodyBits; bit += stride) {
        checkRejected(() => open(flipBit(ct, bit)), `${v.name}: ciphertext bit ${bit} flipped`);
      }
      for (let bit = bodyBits; bit < ct.length * 8; bit++) {
        checkRejected(() => open(flipBit(ct, bit)), `${v.name}: tag bit ${bit - bodyBits} flipped`);
      }
      for (let bit = 0; bit < nonce.length * 8; bit++) {
        checkRejected(() => open(ct, flipBit(nonce, bit)), `${v.name}: nonce bit ${bit} flipped`);
      }
      for (let bit = 0; bit < aad.length * 8; bit++) {
        checkRejected(
          () => open(ct, nonce, flipBit(aad, bit)),
          `${v.name}: AAD bit ${bit} flipped`,
        );
      }
      checkRejected(
        () => open(ct, nonce, Uint8Array.of(...aad, 0)),
        `${v.name}: a byte added to the AAD`,
      );
      if (aad.length > 0) {
        checkRejected(
          () => open(ct, nonce, aad.subarray(1)),
          `${v.name}: the AAD's first byte dropped`,
        );
        checkRejected(() => open(ct, nonce, new Uint8Array(0)), `${v.name}: the AAD dropped`);
      }

      checkRejected(() => open(ct.subarray(0, ct.length - 1)), `${v.name}: the last byte cut`);
      checkRejected(() => open(ct.subarray(1)), `${v.name}: the first byte cut`);
      checkRejected(() => open(Uint8Array.of(...ct, 0)), `${v.name}: a byte appended`);
      checkRejected(
        () => open(ct.subarray(0, AEAD_TAG_LENGTH - 1)),
        `${v.name}: shorter than a tag`,
      );
      checkRejected(() => open(new Uint8Array(0)), `${v.name}: an empty record`);
      if (ct.length > AEAD_TAG_LENGTH) {
        checkRejected(
          () => open(ct.subarray(ct.length - AEAD_TAG_LENGTH)),
          `${v.name}: the tag alone`,
        );
      }

      for (const bit of [0, raw.length * 8 - 1]) {
        const wrong = engine.importKey(v.algorithm, flipBit(raw, bit));
        checkRejected(() => open(ct, nonce, aad, wrong), `${v.name}: key bit ${bit} flipped`);
      }
      for (const other of ctx.algorithms) {
        if (other === v.algorithm || AEAD_KEY_LENGTH[other] !== raw.length) continue;
        const cross = engine.importKey(other, raw);
        checkRejected(
          () => open(ct, nonce, aad, cross),
          `${v.name}: the same key bytes as ${other}`,
        );
      }
    },
  };
}
