import {
  type CryptoState,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
} from '../src/cryptoState.js';
import type { Design } from '../src/design.js';
import { TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { RecordLayerError } from '../src/errors.js';
import { nextTrafficSecret } from '../src/keySchedule.js';
import { type SuiteName, suiteByName } from '../src/suites.js';

export interface Pair {
  readonly client: TlsRecordLayer;
  readonly server: TlsRecordLayer;
  /** client → server traffic state of each generation, for the server to install on KeyUpdate. */
  readonly generations: CryptoState[];
}

/** Deterministic key material for tests (`fill` repeated): never a real key. */
export function stateFor(suiteName: SuiteName, generation = 0, fill = 0xaa): CryptoState {
  const suite = suiteByName(suiteName);
  if (suite.version === 0x0303) {
    // TLS 1.2 has no KeyUpdate; one fixed key and IV is enough.
    return cryptoStateFromKeyIv(
      suite,
      new Uint8Array(suite.keyLength).fill(fill),
      new Uint8Array(12).fill(fill),
    );
  }
  let secret: Uint8Array = new Uint8Array(suite.hash === 'sha384' ? 48 : 32).fill(fill);
  for (let i = 0; i < generation; i++) secret = nextTrafficSecret(suite, secret);
  return cryptoStateFromSecret(suite, secret);
}

/** A client whose TX and a server whose RX share the same key (one direction is enough here). */
export function pair(
  suite: SuiteName,
  serverDesign: Design,
  clientDesign?: Design,
  engine = new ModelAeadEngine(),
): Pair {
  const client = new TlsRecordLayer({
    engine,
    endpoint: 'client',
    trace: true,
    ...(clientDesign ? { design: clientDesign } : {}),
  });
  const server = new TlsRecordLayer({
    engine,
    endpoint: 'server',
    design: serverDesign,
    trace: true,
  });
  const g0 = stateFor(suite, 0);
  client.installTxKey(g0);
  server.installRxKey(g0);
  return { client, server, generations: [g0, stateFor(suite, 1), stateFor(suite, 2)] };
}

/** Runs `f` and returns the errno it threw, or 'ok'. */
export function errnoOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof RecordLayerError) return e.errno;
    throw e;
  }
}

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The RecordLayerError `f` throws (anything else is rethrown; no throw fails the test). */
export function thrown(f: () => unknown): RecordLayerError {
  try {
    f();
  } catch (e) {
    if (e instanceof RecordLayerError) return e;
    throw e;
  }
  throw new Error('expected a RecordLayerError');
}
