import { createHash } from 'node:crypto';
import {
  type CryptoState,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  suiteByName,
  TLS_1_3,
} from '@ktls-lab/core';
import type { Scenario } from '@ktls-lab/sim';
import type { Side } from './types.js';

/** `n` bytes that depend only on `label`: SHA-256 of `label/0`, `label/1`, ... */
export function deterministic(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let off = 0;
  for (let i = 0; off < n; i++) {
    const h = createHash('sha256').update(`${label}/${i}`).digest();
    out.set(h.subarray(0, Math.min(32, n - off)), off);
    off += 32;
  }
  return out;
}

export interface Keys {
  readonly tx: { client: CryptoState; server: CryptoState };
  secrets: { client: Uint8Array; server: Uint8Array };
}

/**
 * The keys as a handshake would leave them, from the scenario's name: TLS 1.3 traffic secrets
 * (the key and IV derived, RFC 8446 §7.3), or TLS 1.2 key and IV bytes.
 */
export function initialKeys(s: Scenario): Keys {
  const suite = suiteByName(s.suite);
  const hashLen = suite.hash === 'sha384' ? 48 : 32;
  const secrets = {
    client: deterministic(`${s.name}/client`, hashLen),
    server: deterministic(`${s.name}/server`, hashLen),
  };
  const state = (side: Side) =>
    suite.version === TLS_1_3
      ? cryptoStateFromSecret(suite, secrets[side])
      : cryptoStateFromKeyIv(
          suite,
          deterministic(`${s.name}/${side}/key`, suite.keyLength),
          deterministic(`${s.name}/${side}/iv`, 12),
        );
  return { tx: { client: state('client'), server: state('server') }, secrets };
}
