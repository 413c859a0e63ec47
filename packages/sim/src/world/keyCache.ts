import {
  type AeadKey,
  type CipherSuite,
  type CryptoState,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  keyFingerprint,
  type ModelAeadEngine,
  nextTrafficSecret,
  TLS_1_3,
} from '@ktls-lab/core';

/**
 * The key schedule's results, shared by every run in this thread. A run derives the same few
 * states from the same demo secrets again and again (every endpoint, every KeyUpdate of every
 * seed), and HKDF-Expand-Label and a key's SHA-256 fingerprint cost more than the rest of a run's
 * step. All are pure functions of their inputs (RFC 8446 §7.1-§7.3), so a cache changes nothing a
 * run observes; the simulator's secrets are fixed demo values, never real keys. Bounded: cleared
 * when full.
 */
const LIMIT = 4096;
const states = new Map<string, CryptoState>();
/** The same secret arrays come back (endpoints keep what `nextSecretFor` returned): by identity first. */
const statesBySecret = new WeakMap<Uint8Array, CryptoState>();
const nextBySecret = new WeakMap<Uint8Array, { suite: CipherSuite; next: Uint8Array }>();
const nextSecrets = new Map<string, Uint8Array>();
const keys = new WeakMap<CryptoState, AeadKey>();
const keysByBytes = new Map<string, AeadKey>();

function bytesKey(prefix: string, b: Uint8Array): string {
  let s = prefix;
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function remember<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    if (map.size >= LIMIT) map.clear();
    v = make();
    map.set(key, v);
  }
  return v;
}

/** The crypto state for a secret: TLS 1.3 derives it (RFC 8446 §7.3); TLS 1.2 uses fixed key/IV bytes. */
export function stateFor(suite: CipherSuite, secret: Uint8Array): CryptoState {
  const known = statesBySecret.get(secret);
  if (known !== undefined && known.suite === suite) return known;
  const state = remember(states, bytesKey(suite.name, secret), () =>
    suite.version === TLS_1_3
      ? cryptoStateFromSecret(suite, secret)
      : cryptoStateFromKeyIv(suite, secret.subarray(0, suite.keyLength), secret.subarray(0, 12)),
  );
  statesBySecret.set(secret, state);
  return state;
}

/** RFC 8446 §7.2: the next application traffic secret. */
export function nextSecretFor(suite: CipherSuite, secret: Uint8Array): Uint8Array {
  const known = nextBySecret.get(secret);
  if (known !== undefined && known.suite === suite) return known.next;
  const next = remember(nextSecrets, bytesKey(suite.name, secret), () =>
    nextTrafficSecret(suite, secret),
  );
  nextBySecret.set(secret, { suite, next });
  return next;
}

/**
 * The engine's handle for a state's key. A model engine's handle carries no per-engine state (its
 * nonce log is per engine, keyed by algorithm and fingerprint; the key material sits in a
 * module-level table), so one handle serves every world's engine. Another engine's handles may
 * not, hence the type.
 */
export function keyFor(engine: ModelAeadEngine, state: CryptoState): AeadKey {
  let k = keys.get(state);
  if (k === undefined) {
    // A state exported from a machine is a new object holding a key already seen.
    k = remember(keysByBytes, bytesKey(state.suite.aead, state.key), () =>
      engine.importKey(state.suite.aead, state.key),
    );
    keys.set(state, k);
  }
  return k;
}

/** Forgets everything (tests: a run must not depend on what earlier runs left here). */
export function clearKeyCache(): void {
  states.clear();
  nextSecrets.clear();
  keysByBytes.clear();
}

const fingerprints = new WeakMap<CryptoState, string>();

/** `keyFingerprint(state.key)`, once per state object (the cache hands out the same ones). */
export function fingerprintOf(state: CryptoState): string {
  let f = fingerprints.get(state);
  if (f === undefined) {
    f = keyFingerprint(state.key);
    fingerprints.set(state, f);
  }
  return f;
}
