import { AEAD_KEY_LENGTH, type AeadKey, checkAeadKey, checkAeadNonce } from '../../aead.js';
import { toHex } from '../../bytes.js';
import { keyFingerprint } from '../../cryptoState.js';
import type { AeadAlgorithm } from '../../suites.js';
import { check, checkBytes, checkNoThrow, checkThrowsLike } from '../check.js';
import { seededCase } from './seeded.js';
import type { AeadConformanceCase } from './types.js';

/**
 * Caller errors, as opposed to forgeries: they throw, and they throw what aead.ts's own checks
 * throw for the same input (`checkAeadKey`, `checkAeadNonce`), which every engine runs first.
 */

export function keyLengthCase(algorithm: AeadAlgorithm): AeadConformanceCase {
  const want = AEAD_KEY_LENGTH[algorithm];
  const bad = [...new Set([0, 1, want - 1, want + 1, want === 16 ? 32 : 16, 24, 48, 64])].filter(
    (n) => n !== want,
  );
  return {
    name: `${algorithm}: keys of ${bad.join(', ')} bytes are refused as checkAeadKey refuses them`,
    algorithm,
    run(engine) {
      checkNoThrow(
        () => engine.importKey(algorithm, new Uint8Array(want)),
        `${algorithm}: import of a ${want}-byte key`,
      );
      for (const n of bad) {
        checkThrowsLike(
          () => engine.importKey(algorithm, new Uint8Array(n)),
          () => checkAeadKey(algorithm, new Uint8Array(n)),
          `${algorithm}: import of a ${n}-byte key`,
        );
      }
    },
  };
}

const BAD_NONCES = [0, 1, 8, 11, 13, 16, 24] as const;

export function nonceLengthCase(algorithm: AeadAlgorithm): AeadConformanceCase {
  const name = `${algorithm}: nonces of ${BAD_NONCES.join(', ')} bytes are refused as checkAeadNonce refuses them`;
  return seededCase(name, algorithm, (engine, prng) => {
    const key = engine.importKey(algorithm, prng.bytes(AEAD_KEY_LENGTH[algorithm]));
    const aad = prng.bytes(13);
    const plaintext = prng.bytes(20);
    const sealed = engine.seal({ key, nonce: prng.bytes(12), aad, plaintext });
    for (const n of BAD_NONCES) {
      const nonce = new Uint8Array(n);
      const reference = () => checkAeadNonce(nonce);
      checkThrowsLike(
        () => engine.seal({ key, nonce, aad, plaintext }),
        reference,
        `${algorithm}: seal with a ${n}-byte nonce`,
      );
      checkThrowsLike(
        () => engine.open({ key, nonce, aad, ciphertext: sealed }),
        reference,
        `${algorithm}: open with a ${n}-byte nonce`,
      );
      // Checked before the length of the record: a short record is a forgery, a bad nonce is not.
      checkThrowsLike(
        () => engine.open({ key, nonce, aad, ciphertext: new Uint8Array(3) }),
        reference,
        `${algorithm}: open of 3 bytes with a ${n}-byte nonce`,
      );
    }
  });
}

/**
 * The key handle shows the algorithm and the fingerprint (aead.ts `AeadKey`) and nothing else,
 * not even to JSON.stringify; the engine keeps its own copy, so the caller's array changing
 * afterwards changes nothing.
 */
export function keyHandleCase(algorithm: AeadAlgorithm): AeadConformanceCase {
  const name = `${algorithm}: the key handle shows the algorithm and fingerprint, never the key`;
  return seededCase(name, algorithm, (engine, prng) => {
    const raw = prng.bytes(AEAD_KEY_LENGTH[algorithm]);
    const secret = toHex(raw).slice(0, 8);
    const key = engine.importKey(algorithm, raw);
    check(key.algorithm === algorithm, `${algorithm}: handle algorithm is ${key.algorithm}`);
    const fingerprint = keyFingerprint(raw);
    check(
      key.fingerprint === fingerprint,
      `${algorithm}: fingerprint ${key.fingerprint}, want keyFingerprint(key) ${fingerprint}`,
    );
    const keys = Object.keys(key).join(',');
    check(keys === 'algorithm,fingerprint', `${algorithm}: handle's own keys are ${keys}`);
    const json = JSON.stringify(key);
    check(
      json === JSON.stringify({ algorithm, fingerprint }),
      `${algorithm}: JSON.stringify(key) is ${json}`,
    );
    check(!json.includes(secret), `${algorithm}: JSON of the handle shows key bytes`);
    check(
      !(JSON.stringify(engine) ?? '').includes(secret),
      `${algorithm}: JSON of the engine shows key bytes`,
    );
    const request = {
      key,
      nonce: prng.bytes(12),
      aad: prng.bytes(13),
      plaintext: prng.bytes(60),
    };
    const before = toHex(engine.seal(request));
    for (let i = 0; i < raw.length; i++) raw[i]! ^= 0xff;
    checkBytes(engine.seal(request), before, `${algorithm}: seal after the caller's key changed`);
  });
}

/** A handle the engine did not make (here, a look-alike object) is refused like a bad key. */
export function foreignKeyCase(algorithm: AeadAlgorithm): AeadConformanceCase {
  return {
    name: `${algorithm}: a key handle the engine did not import is refused`,
    algorithm,
    run(engine) {
      const raw = new Uint8Array(AEAD_KEY_LENGTH[algorithm]);
      const foreign: AeadKey = Object.freeze({ algorithm, fingerprint: keyFingerprint(raw) });
      const reference = () => checkAeadKey(algorithm, new Uint8Array(0));
      const nonce = new Uint8Array(12);
      const aad = new Uint8Array(0);
      checkThrowsLike(
        () => engine.seal({ key: foreign, nonce, aad, plaintext: new Uint8Array(1) }),
        reference,
        `${algorithm}: seal under a foreign handle`,
      );
      checkThrowsLike(
        () => engine.open({ key: foreign, nonce, aad, ciphertext: new Uint8Array(17) }),
        reference,
        `${algorithm}: open under a foreign handle`,
      );
    },
  };
}

/** An algorithm name aead.ts does not know is refused as checkAeadKey refuses it. */
export function unknownAlgorithmCase(): AeadConformanceCase {
  const unknown = 'aes-512-gcm' as AeadAlgorithm;
  return {
    name: 'an unknown algorithm is refused as checkAeadKey refuses it',
    algorithm: null,
    run(engine) {
      checkThrowsLike(
        () => engine.importKey(unknown, new Uint8Array(16)),
        () => checkAeadKey(unknown, new Uint8Array(16)),
        `import of a key for ${unknown}`,
      );
    },
  };
}
