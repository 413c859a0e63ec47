import type { AeadEngine } from './aead.js';
import {
  type CapabilityProfile,
  type Design,
  type DesignName,
  FULL_PROFILE,
  LINUX_KTLS,
  resolveDesign,
} from './design.js';
import { defaultAeadEngine } from './engines/default.js';
import { RecordLayerError } from './errors.js';
import { TLS_1_2, TLS_1_3 } from './protocol.js';
import type { AeadAlgorithm } from './suites.js';
import type { TraceEvent } from './trace.js';

/** A step counter: the only notion of time in a trace. */
export interface LogicalClock {
  next(): number;
}

export function createLogicalClock(start = 0): LogicalClock {
  let t = start;
  return { next: () => t++ };
}

export interface RecordLayerOptions {
  /**
   * The AEAD engine (default: `defaultAeadEngine()`: a registered provider's, e.g. OpenSSL EVP once
   * `@ktls-lab/native` is imported, else node:crypto where the runtime has it).
   */
  readonly engine?: AeadEngine;
  /** The design, or its name (default `linux-ktls`). */
  readonly design?: Design | DesignName;
  readonly profile?: CapabilityProfile;
  readonly limits?: 'kernel' | 'rfc';
  /** Endpoint name written into trace events. */
  readonly endpoint?: string;
  /** Collect trace events (see `events`), or pass each one to a callback. */
  readonly trace?: boolean | ((event: TraceEvent) => void);
  /** Logical clock shared by endpoints that write one trace together (default: one per layer). */
  readonly clock?: LogicalClock;
}

/** The options with every default filled in, each checked. */
export interface ResolvedOptions {
  readonly engine: AeadEngine;
  readonly design: Design;
  readonly profile: CapabilityProfile;
  readonly limits: 'kernel' | 'rfc';
  readonly endpoint: string;
  readonly trace: boolean;
  readonly onTrace: ((event: TraceEvent) => void) | null;
  readonly clock: LogicalClock;
}

const OPTION_KEYS = new Set([
  'engine',
  'design',
  'profile',
  'limits',
  'endpoint',
  'trace',
  'clock',
]);
const AEADS: readonly AeadAlgorithm[] = [
  'aes-128-gcm',
  'aes-256-gcm',
  'aes-128-ccm',
  'chacha20-poly1305',
];

const bad = (message: string): RecordLayerError => RecordLayerError.of('invalid_argument', message);

function isEngine(x: unknown): x is AeadEngine {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    typeof e.importKey === 'function' &&
    typeof e.seal === 'function' &&
    typeof e.open === 'function'
  );
}

function checkProfile(x: unknown): CapabilityProfile {
  const p = x as Partial<CapabilityProfile> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.name !== 'string' ||
    !Array.isArray(p.versions) ||
    !p.versions.every((v) => v === TLS_1_2 || v === TLS_1_3) ||
    !Array.isArray(p.aeads) ||
    !p.aeads.every((a) => AEADS.includes(a))
  ) {
    throw bad(
      `options.profile must be a CapabilityProfile { name, versions: (0x0303 | 0x0304)[], aeads: (${AEADS.join(' | ')})[] }`,
    );
  }
  return p as CapabilityProfile;
}

/**
 * Checks a `TlsRecordLayer`'s options at construction, so a mistake is a typed error (EINVAL)
 * that names the option, not a TypeError at the first record.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw bad('TlsRecordLayer options must be an object');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key)) {
      throw bad(`unknown option "${key}"; options: ${[...OPTION_KEYS].join(', ')}`);
    }
  }
  let engine: AeadEngine;
  if (o.engine === undefined) engine = defaultAeadEngine();
  else if (isEngine(o.engine)) engine = o.engine;
  else throw bad('options.engine must be an AeadEngine (importKey, seal and open)');
  const design = o.design === undefined ? LINUX_KTLS : resolveDesign(o.design as Design);
  const profile = o.profile === undefined ? FULL_PROFILE : checkProfile(o.profile);
  const limits = o.limits ?? 'kernel';
  if (limits !== 'kernel' && limits !== 'rfc')
    throw bad('options.limits must be "kernel" or "rfc"');
  const endpoint = o.endpoint ?? 'local';
  if (typeof endpoint !== 'string') throw bad('options.endpoint must be a string');
  const trace = o.trace ?? false;
  if (typeof trace !== 'boolean' && typeof trace !== 'function') {
    throw bad('options.trace must be a boolean or a function taking each event');
  }
  const clock = o.clock ?? createLogicalClock();
  if (typeof (clock as Partial<LogicalClock>).next !== 'function') {
    throw bad('options.clock must have next(): number (createLogicalClock())');
  }
  return {
    engine,
    design,
    profile,
    limits,
    endpoint,
    trace: trace !== false,
    onTrace: typeof trace === 'function' ? (trace as (event: TraceEvent) => void) : null,
    clock: clock as LogicalClock,
  };
}
