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

/**
 * Secret sizes: CLIENT_RANDOM carries the TLS 1.2 master secret (RFC 5246 §8.1: 48 bytes); the
 * TLS 1.3 labels carry a traffic or exporter secret of the suite's hash length (RFC 8446 §7.1:
 * SHA-256 or SHA-384, 32 or 48 bytes).
 */
const SECRET_BYTES: { readonly [L in KeyLogLabel]: readonly number[] } = {
  CLIENT_RANDOM: [48],
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: [32, 48],
  SERVER_HANDSHAKE_TRAFFIC_SECRET: [32, 48],
  CLIENT_TRAFFIC_SECRET_0: [32, 48],
  SERVER_TRAFFIC_SECRET_0: [32, 48],
  EXPORTER_SECRET: [32, 48],
  CLIENT_EARLY_TRAFFIC_SECRET: [32, 48],
  EARLY_EXPORTER_SECRET: [32, 48],
};

function isLabel(label: string): label is KeyLogLabel {
  return Object.hasOwn(SECRET_BYTES, label);
}

/**
 * Parses a key log. Lines may end in LF, CRLF or a lone CR (old Mac editors); a malformed line,
 * or a secret of a size its label cannot have, is a `KeyLogError` naming the line. Labels this
 * reader does not know are skipped, as Wireshark does.
 */
export function parseKeyLog(text: string): KeyLog {
  if (typeof text !== 'string') throw new KeyLogError(`expected text, got ${typeof text}`, 0);
  const sessions = new Map<string, Map<string, Uint8Array>>();
  const lines = text.split(/\r\n|\r|\n/);
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
    if (!isLabel(label)) return;
    const sizes = SECRET_BYTES[label];
    if (!sizes.includes(secret.length / 2))
      throw new KeyLogError(
        `${label} secret is ${secret.length / 2} bytes, expected ${sizes.join(' or ')}`,
        i + 1,
      );
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
