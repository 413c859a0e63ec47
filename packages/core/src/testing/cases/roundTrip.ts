import { AEAD_KEY_LENGTH, AEAD_TAG_LENGTH, type AeadEngine, type AeadKey } from '../../aead.js';
import { concat, toHex } from '../../bytes.js';
import type { AeadAlgorithm } from '../../suites.js';
import { check, checkBytes, checkRejected } from '../check.js';
import { at, flipBit, type TestPrng, views } from '../prng.js';
import { seededCase } from './seeded.js';
import type { AeadConformanceCase, CaseContext } from './types.js';

/** Record sizes around the block and tag edges, up to a full TLS record (2^14, RFC 8446 §5.1). */
const SIZES = [0, 1, 15, 16, 17, 1024, 16384] as const;

/** Sizes either side of the node:crypto engine's split point (4096), where it stops copying. */
const TRAILER_SIZES = [0, 1, 63, 64, 4095, 4096, 16384] as const;

/** The reference's seal of the same request, hex, or undefined without a reference. */
function referenceSeal(
  ctx: CaseContext,
  algorithm: AeadAlgorithm,
  raw: Uint8Array,
  request: { nonce: Uint8Array; aad: Uint8Array; plaintext: Uint8Array },
): string | undefined {
  const ref = ctx.reference;
  if (ref === undefined) return undefined;
  return toHex(ref.seal({ key: ref.importKey(algorithm, raw), ...request }));
}

/** Plaintext of `size` bytes, a pattern that differs per `fill`. */
function pattern(size: number, fill: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + fill) & 0xff);
}

/**
 * Every size from empty to a full record, each input handed over as each kind of view: the output
 * is plaintext + 16 bytes, the same bytes whatever the views (and the reference's bytes), and
 * opens back from every view of it.
 */
export function sizesCase(algorithm: AeadAlgorithm, ctx: CaseContext): AeadConformanceCase {
  const name = `${algorithm}: seal then open returns the input, sizes ${SIZES.join(', ')}, any view`;
  return seededCase(name, algorithm, (engine, prng) => {
    for (const size of SIZES) {
      for (const aadLength of [0, 5, 13]) {
        const raw = prng.bytes(AEAD_KEY_LENGTH[algorithm]);
        const nonce = prng.bytes(12);
        const aad = prng.bytes(aadLength);
        const plaintext = pattern(size, prng.int(0, 255));
        const key = engine.importKey(algorithm, raw);
        const what = `${algorithm} size ${size} aad ${aadLength}`;
        let want = referenceSeal(ctx, algorithm, raw, { nonce, aad, plaintext });
        for (const pt of views(plaintext)) {
          for (const ad of views(aad)) {
            const sealed = engine.seal({ key, nonce, aad: ad, plaintext: pt });
            check(
              sealed.length === size + AEAD_TAG_LENGTH,
              `${what}: sealed ${sealed.length} bytes, want ${size + AEAD_TAG_LENGTH}`,
            );
            if (want === undefined) want = toHex(sealed);
            else checkBytes(sealed, want, `${what}: seal (the same bytes for every view)`);
            for (const ct of views(sealed)) {
              checkBytes(
                engine.open({ key, nonce, aad: ad, ciphertext: ct }),
                toHex(plaintext),
                `${what}: open`,
              );
            }
          }
        }
      }
    }
  });
}

/**
 * SealRequest.trailer and .prefix: `plaintext` with a trailer seals as `plaintext || trailer`
 * would, and the prefix stands in front of the output unchanged.
 */
export function trailerCase(algorithm: AeadAlgorithm, ctx: CaseContext): AeadConformanceCase {
  const name = `${algorithm}: a trailer seals as if appended and a prefix stands in front, sizes ${TRAILER_SIZES.join(', ')}`;
  return seededCase(name, algorithm, (engine, prng) => {
    for (const size of TRAILER_SIZES) {
      for (const trailerLength of [0, 1, 3]) {
        for (const prefixLength of [0, 5, 13]) {
          const raw = prng.bytes(AEAD_KEY_LENGTH[algorithm]);
          const nonce = prng.bytes(12);
          const aad = prng.bytes(prng.int(0, 13));
          const trailer = prng.bytes(trailerLength);
          const prefix = prng.bytes(prefixLength);
          const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 1) & 0xff);
          const joined = concat([plaintext, trailer]);
          const key = engine.importKey(algorithm, raw);
          const what = `${algorithm} size ${size} trailer ${trailerLength} prefix ${prefixLength}`;
          const apart = engine.seal({ key, nonce, aad, plaintext, trailer, prefix });
          const whole = engine.seal({ key, nonce, aad, plaintext: Uint8Array.from(joined) });
          checkBytes(apart, toHex(prefix) + toHex(whole), `${what}: seal`);
          const ref = referenceSeal(ctx, algorithm, raw, { nonce, aad, plaintext: joined });
          if (ref !== undefined) checkBytes(whole, ref, `${what}: seal against the reference`);
          checkBytes(
            engine.open({ key, nonce, aad, ciphertext: apart.subarray(prefix.length) }),
            toHex(joined),
            `${what}: open`,
          );
        }
      }
    }
  });
}

/** The case's fuzzed inputs: lengths drawn from a fixed-seed PRNG, so every run is the same. */
const FUZZ_RUNS = 64;

/**
 * Fuzzed lengths: plaintext 0..300 bytes, AAD 0..40, inputs at offsets 0..7 of larger buffers.
 * Each input round-trips, seals the same bytes twice (and the reference's), and stops opening
 * with one bit flipped in the nonce, the AAD or the record, or under a key one bit off.
 */
export function fuzzCase(algorithm: AeadAlgorithm, ctx: CaseContext): AeadConformanceCase {
  const name = `${algorithm}: ${FUZZ_RUNS} fuzzed lengths (plaintext 0..300, AAD 0..40, unaligned)`;
  return seededCase(name, algorithm, (engine, prng) => {
    for (let i = 0; i < FUZZ_RUNS; i++) {
      const raw = prng.bytes(AEAD_KEY_LENGTH[algorithm]);
      const nonce = prng.bytes(12);
      const aad = prng.bytes(prng.int(0, 40));
      const plaintext = prng.bytes(prng.int(0, 300));
      const offset = prng.int(0, 7);
      const what = `${algorithm} input ${i} (plaintext ${plaintext.length}, aad ${aad.length}, offset ${offset})`;
      const key = engine.importKey(algorithm, raw);
      const sealed = engine.seal({
        key,
        nonce: at(nonce, offset),
        aad: at(aad, offset),
        plaintext: at(plaintext, offset),
      });
      check(
        sealed.length === plaintext.length + AEAD_TAG_LENGTH,
        `${what}: sealed ${sealed.length} bytes`,
      );
      const hex = toHex(sealed);
      checkBytes(engine.seal({ key, nonce, aad, plaintext }), hex, `${what}: seal again`);
      const ref = referenceSeal(ctx, algorithm, raw, { nonce, aad, plaintext });
      if (ref !== undefined) checkBytes(sealed, ref, `${what}: seal against the reference`);
      checkBytes(
        engine.open({ key, nonce, aad, ciphertext: at(sealed, offset) }),
        toHex(plaintext),
        `${what}: open`,
      );
      flippedBitRejected(engine, key, { nonce, aad, sealed }, i % 3, prng, what);
      const wrong = engine.importKey(algorithm, flipBit(raw, prng.int(0, raw.length * 8 - 1)));
      checkRejected(
        () => engine.open({ key: wrong, nonce, aad, ciphertext: sealed }),
        `${what}: open under a key one bit off`,
      );
    }
  });
}

/** One bit flipped in the nonce (where 0), the AAD (1, when there is one) or the record. */
function flippedBitRejected(
  engine: AeadEngine,
  key: AeadKey,
  input: { nonce: Uint8Array; aad: Uint8Array; sealed: Uint8Array },
  where: number,
  prng: TestPrng,
  what: string,
): void {
  const part = where === 0 ? 'nonce' : where === 1 && input.aad.length > 0 ? 'aad' : 'record';
  const target = part === 'nonce' ? input.nonce : part === 'aad' ? input.aad : input.sealed;
  const bit = prng.int(0, target.length * 8 - 1);
  const bad = flipBit(target, bit);
  checkRejected(
    () =>
      engine.open({
        key,
        nonce: part === 'nonce' ? bad : input.nonce,
        aad: part === 'aad' ? bad : input.aad,
        ciphertext: part === 'record' ? bad : input.sealed,
      }),
    `${what}: open with bit ${bit} of the ${part} flipped`,
  );
}

/**
 * An empty plaintext (legal in TLS, and what the kernel selftest zero_len sends) seals to a tag
 * alone and opens to an empty result, not null, whatever kind of empty view it is given; the tag
 * still authenticates the AAD and every one of its bits.
 */
export function emptyCase(algorithm: AeadAlgorithm, ctx: CaseContext): AeadConformanceCase {
  const name = `${algorithm}: an empty plaintext seals to a tag alone and opens to empty`;
  return seededCase(name, algorithm, (engine, prng) => {
    for (const aadLength of [0, 13]) {
      const raw = prng.bytes(AEAD_KEY_LENGTH[algorithm]);
      const nonce = prng.bytes(12);
      const aad = prng.bytes(aadLength);
      const key = engine.importKey(algorithm, raw);
      const what = `${algorithm} empty plaintext, aad ${aadLength}`;
      const empty = new Uint8Array(0);
      let want = referenceSeal(ctx, algorithm, raw, { nonce, aad, plaintext: empty });
      for (const pt of views(empty)) {
        const sealed = engine.seal({ key, nonce, aad, plaintext: pt });
        if (want === undefined) want = toHex(sealed);
        checkBytes(sealed, want, `${what}: seal`);
      }
      const tag = engine.seal({ key, nonce, aad, plaintext: empty });
      check(tag.length === AEAD_TAG_LENGTH, `${what}: sealed ${tag.length} bytes, want a tag`);
      for (const ct of views(tag)) {
        const opened = engine.open({ key, nonce, aad, ciphertext: ct });
        check(opened !== null, `${what}: open returned null`);
        check(opened.length === 0, `${what}: open returned ${opened.length} bytes`);
      }
      // A TLS 1.3 record of no content: only the inner type, passed as a trailer.
      checkBytes(
        engine.seal({ key, nonce, aad, plaintext: empty, trailer: Uint8Array.of(0x17) }),
        toHex(engine.seal({ key, nonce, aad, plaintext: Uint8Array.of(0x17) })),
        `${what}: seal of an empty plaintext with a trailer`,
      );
      for (let bit = 0; bit < AEAD_TAG_LENGTH * 8; bit++) {
        checkRejected(
          () => engine.open({ key, nonce, aad, ciphertext: flipBit(tag, bit) }),
          `${what}: open with tag bit ${bit} flipped`,
        );
      }
      const otherAad = aadLength === 0 ? Uint8Array.of(0) : aad.subarray(1);
      checkRejected(
        () => engine.open({ key, nonce, aad: otherAad, ciphertext: tag }),
        `${what}: open under another AAD`,
      );
      checkRejected(
        () => engine.open({ key, nonce, aad, ciphertext: tag.subarray(0, 15) }),
        `${what}: open of 15 bytes`,
      );
      checkRejected(
        () => engine.open({ key, nonce, aad, ciphertext: empty }),
        `${what}: open of nothing`,
      );
    }
  });
}
