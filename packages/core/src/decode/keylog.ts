import { fromHex, toHex } from '../bytes.js';

/**
 * NSS key log files (`SSLKEYLOGFILE`, as OpenSSL's `-keylogfile` and Node's `keylog` event write
 * them): `<LABEL> <client_random hex> <secret hex>` per line, `#` comments.
 */
export const KEYLOG_LABELS = [
  'CLIENT_RANDOM',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EXPORTER_SECRET',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'EARLY_EXPORTER_SECRET',
] as const;
export type KeyLogLabel = (typeof KEYLOG_LABELS)[number];

export interface KeyLog {
  /** client_random (hex) → label → secret. */
  readonly sessions: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;
}

export class KeyLogError extends Error {
  override readonly name = 'KeyLogError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`key log line ${line}: ${message}`);
  }
}

export function parseKeyLog(text: string): KeyLog {
  const sessions = new Map<string, Map<string, Uint8Array>>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    if (parts.length !== 3)
      throw new KeyLogError(
        `expected "LABEL client_random secret", got ${parts.length} fields`,
        i + 1,
      );
    const [label, random, secret] = parts as [string, string, string];
    if (!/^[0-9a-fA-F]{64}$/.test(random))
      throw new KeyLogError(`client_random must be 32 bytes of hex`, i + 1);
    if (!/^[0-9a-fA-F]+$/.test(secret) || secret.length % 2 !== 0)
      throw new KeyLogError(`secret is not hex`, i + 1);
    const key = random.toLowerCase();
    let s = sessions.get(key);
    if (!s) {
      s = new Map();
      sessions.set(key, s);
    }
    s.set(label, fromHex(secret));
  });
  return { sessions };
}

/** The secret for a label and client random, or null. */
export function keyLogSecret(
  log: KeyLog,
  clientRandom: Uint8Array,
  label: KeyLogLabel,
): Uint8Array | null {
  return log.sessions.get(toHex(clientRandom))?.get(label) ?? null;
}
