/**
 * The one failure format: a versioned repro string that replays a run byte for byte.
 *
 *   ktls1:<scenario>:<design>:<strategy>:<seed>.<check>:<choices>
 *
 * `choices` is the run's choice list as unsigned LEB128 varints in base64url (empty for none).
 * `check` is a checksum of the string without it (`reproCheck`), so that a string cut short or
 * mistyped is refused instead of silently replaying another schedule: a cut inside `choices` can
 * still leave valid varints. It sits before `choices`, the one field a cut can shorten without
 * changing the field count. Strings without a check (written before it existed) are still read.
 */
export const REPRO_VERSION = 'ktls1';
export const STRATEGIES = ['random', 'pct', 'dfs', 'replay'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface Repro {
  readonly scenario: string;
  readonly design: string;
  readonly strategy: StrategyName;
  readonly seed: number;
  readonly choices: readonly number[];
}

export class ReproError extends Error {
  override readonly name = 'ReproError';
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64url(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1] ?? 0, bytes[i + 2] ?? 0];
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += B64[(n >> 6) & 63]!;
    if (i + 2 < bytes.length) out += B64[n & 63]!;
  }
  return out;
}

function fromBase64url(s: string): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new ReproError(`choices contain "${ch}", which is not base64url`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return out;
}

export function encodeChoices(choices: readonly number[]): string {
  const bytes: number[] = [];
  for (let c of choices) {
    do {
      let b = c & 0x7f;
      c = Math.floor(c / 128);
      if (c > 0) b |= 0x80;
      bytes.push(b);
    } while (c > 0);
  }
  return toBase64url(bytes);
}

export function decodeChoices(s: string): number[] {
  const bytes = fromBase64url(s);
  const out: number[] = [];
  let value = 0;
  let scale = 1;
  for (const b of bytes) {
    value += (b & 0x7f) * scale;
    if (b & 0x80) {
      scale *= 128;
      if (scale > 2 ** 49) throw new ReproError('a choice in the repro string is too large');
    } else {
      out.push(value);
      value = 0;
      scale = 1;
    }
  }
  if (scale !== 1) throw new ReproError('the repro string ends inside a choice (truncated?)');
  return out;
}

/** The repro string without its check: the form the check covers (and the older format). */
function uncheckedRepro(r: Repro, choices: string): string {
  return [REPRO_VERSION, r.scenario, r.design, r.strategy, String(r.seed), choices].join(':');
}

const CHECK_LENGTH = 6;

/** 30 bits of FNV-1a over the UTF-16 code units, as 6 base32 digits (0-9, a-v). */
export function reproCheck(unchecked: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < unchecked.length; i++) {
    h ^= unchecked.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h >>> 2).toString(32).padStart(CHECK_LENGTH, '0');
}

export function formatRepro(r: Repro): string {
  const choices = encodeChoices(r.choices);
  const check = reproCheck(uncheckedRepro(r, choices));
  return [REPRO_VERSION, r.scenario, r.design, r.strategy, `${r.seed}.${check}`, choices].join(':');
}

/** Parses a repro string; throws `ReproError` with what is wrong. Names are checked by the caller. */
export function parseRepro(text: string): Repro {
  if (typeof text !== 'string') throw new ReproError(`a repro string is text, got ${typeof text}`);
  const s = text.trim();
  const parts = s.split(':');
  if (parts[0] !== REPRO_VERSION) {
    throw new ReproError(
      parts.length > 1 && /^ktls\d+$/.test(parts[0]!)
        ? `repro version ${parts[0]} is not supported (this build reads ${REPRO_VERSION})`
        : `not a repro string: it must start with "${REPRO_VERSION}:" (got "${s.slice(0, 20)}")`,
    );
  }
  if (parts.length !== 6) {
    throw new ReproError(
      `a repro string has 6 fields (${REPRO_VERSION}:scenario:design:strategy:seed.check:choices), got ${parts.length}${parts.length < 6 ? ' (cut off?)' : ''}`,
    );
  }
  const [, scenario, design, strategy, seedField, choices] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!(STRATEGIES as readonly string[]).includes(strategy)) {
    throw new ReproError(`unknown strategy "${strategy}" (one of ${STRATEGIES.join(', ')})`);
  }
  const dot = seedField.indexOf('.');
  const seed = dot < 0 ? seedField : seedField.slice(0, dot);
  if (!/^\d+$/.test(seed) || Number(seed) > 0xffffffff)
    throw new ReproError(`seed "${seed}" is not a 32-bit unsigned integer`);
  if (dot >= 0) {
    const check = seedField.slice(dot + 1);
    const unchecked = [REPRO_VERSION, scenario, design, strategy, seed, choices].join(':');
    if (check !== reproCheck(unchecked))
      throw new ReproError(
        `repro check "${check}" does not match: the string was cut off or changed (copy it whole)`,
      );
  }
  return {
    scenario,
    design,
    strategy: strategy as StrategyName,
    seed: Number(seed),
    choices: decodeChoices(choices),
  };
}
