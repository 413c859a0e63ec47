import type { CryptoState } from './cryptoState.js';
import { type RecordError, RecordLayerError, recordError } from './errors.js';
import { TLS_1_2, TLS_1_3, type TlsVersion } from './protocol.js';
import type { AeadAlgorithm } from './suites.js';

/**
 * A design is the policy of the hand-off between the data plane and the control plane. The RX and
 * TX machines read every decision from it, so a design (or a mutant of one) is data, not a fork of
 * the code: the simulator runs every scenario against every design.
 */
export interface Design {
  readonly name: string;
  readonly summary: string;
  readonly rx: RxPolicy;
  readonly tx: TxPolicy;
}

export interface RxPolicy {
  /**
   * How a non-application-data record reaches the control plane:
   * - `hand-over`: the data plane decrypts it and hands it over alone (Linux kTLS: record type in a
   *   cmsg, never merged with data; EIO without cmsg room);
   * - `leave-on-stream`: the data plane stops in front of it, leaves it undecrypted for userspace,
   *   and resumes when userspace imports the crypto state back (Watson's 2015 RFC).
   */
  readonly control: 'hand-over' | 'leave-on-stream';
  /** TLS 1.3 KeyUpdate stops decryption until the next key is installed (kernel ≥ 6.14: EKEYEXPIRED). */
  readonly freezeOnKeyUpdate: boolean;
  /** A second key may be installed (TLS 1.3 only); otherwise EBUSY, as before Linux 6.14. */
  readonly rekey: boolean;
  /** A newly installed key starts at the `rec_seq` it comes with (0 after KeyUpdate, RFC 8446 §5.3). */
  readonly rekeyResetsSequence: boolean;
  /** Async decryptions are delivered in stream order (`rx_list`), or as they complete (a mutant). */
  readonly delivery: 'stream-order' | 'completion-order';
  /** A control record waits until every earlier async decryption is delivered (`tls_decrypt_async_wait`). */
  readonly controlWaitsForData: boolean;
  /** Control-record plaintext is delivered into the app's data stream (a mutant). */
  readonly mergeControlIntoData: boolean;
  /** Which records may be decrypted asynchronously: the kernel only does TLS 1.2 data records. */
  readonly asyncDecrypt: 'tls12-data' | 'none';
  /** Bytes buffered before a fallback to userspace record processing are handed over (not dropped). */
  readonly fallbackKeepsBufferedBytes: boolean;
}

export interface TxPolicy {
  /**
   * How the control plane sends its own records (alerts, KeyUpdate, heartbeats):
   * - `cmsg`: through the data plane, `sendmsg` with a `TLS_SET_RECORD_TYPE` cmsg (Linux kTLS);
   * - `take-state`: it takes the TX state out, seals the record itself, writes it to the stream,
   *   and puts the advanced state back (the 2015 RFC: "get these back out, use them, then reset").
   */
  readonly controlRecords: 'cmsg' | 'take-state';
  /** A control record pushes out the pending (MSG_MORE) data record first (`tls_handle_open_record`). */
  readonly controlFlushesPendingRecord: boolean;
  /** While userspace holds the exported TX state, the data plane sends nothing (RFC 2015 design). */
  readonly pauseWhileExported: boolean;
  /** Export waits for in-flight seals, so userspace's record follows the data plane's on the wire. */
  readonly exportDrainsInFlight: boolean;
  /** A newly installed key starts at the `rec_seq` it comes with. */
  readonly rekeyResetsSequence: boolean;
  /** A second key may be installed (TLS 1.3 only). */
  readonly rekey: boolean;
}

/** What the data plane can run itself; anything else is punted to userspace. */
export interface CapabilityProfile {
  readonly name: string;
  readonly versions: readonly TlsVersion[];
  readonly aeads: readonly AeadAlgorithm[];
}

export const FULL_PROFILE: CapabilityProfile = {
  name: 'full',
  versions: [TLS_1_2, TLS_1_3],
  aeads: ['aes-128-gcm', 'aes-256-gcm', 'aes-128-ccm', 'chacha20-poly1305'],
};

/** The seed's "80% case": gcm(aes) only (and so, say, a platform without ChaCha20 offload). */
export const AES_GCM_ONLY_PROFILE: CapabilityProfile = {
  name: 'aes-gcm-only',
  versions: [TLS_1_2, TLS_1_3],
  aeads: ['aes-128-gcm', 'aes-256-gcm'],
};

const LINUX_RX: RxPolicy = {
  control: 'hand-over',
  freezeOnKeyUpdate: true,
  rekey: true,
  rekeyResetsSequence: true,
  delivery: 'stream-order',
  controlWaitsForData: true,
  mergeControlIntoData: false,
  asyncDecrypt: 'tls12-data',
  fallbackKeepsBufferedBytes: true,
};

const LINUX_TX: TxPolicy = {
  controlRecords: 'cmsg',
  controlFlushesPendingRecord: true,
  pauseWhileExported: true,
  exportDrainsInFlight: true,
  rekeyResetsSequence: true,
  rekey: true,
};

/** Today's kernel (≥ 6.14): in-band control records, KeyUpdate freeze, TLS 1.3 rekey. */
export const LINUX_KTLS: Design = {
  name: 'linux-ktls',
  summary:
    'Linux kTLS today: control records decrypted and handed over alone; TLS 1.3 KeyUpdate freezes RX (EKEYEXPIRED) until the next key; async decryption for TLS 1.2 data only; sticky errors.',
  rx: LINUX_RX,
  tx: LINUX_TX,
};

/** Kernels before 6.14: a second TLS_RX/TLS_TX gives EBUSY, and nothing freezes on KeyUpdate. */
export const LINUX_KTLS_PRE_REKEY: Design = {
  name: 'linux-ktls-pre-rekey',
  summary:
    'Linux kTLS before 6.14: no TLS 1.3 rekey (EBUSY); after a peer KeyUpdate every later record fails to authenticate (EBADMSG).',
  rx: { ...LINUX_RX, freezeOnKeyUpdate: false, rekey: false },
  tx: { ...LINUX_TX, rekey: false },
};

/** Dave Watson's 2015 AF_ALG design: non-data records stay on the stream for userspace. */
export const RFC_2015: Design = {
  name: 'rfc-2015',
  summary:
    'The 2015 RFC: a non-application-data record is left undecrypted on the stream with an error; userspace gets the crypto state out, processes the record, and puts the state back.',
  rx: { ...LINUX_RX, control: 'leave-on-stream' },
  tx: { ...LINUX_TX, controlRecords: 'take-state' },
};

export const DESIGNS: readonly Design[] = [LINUX_KTLS, LINUX_KTLS_PRE_REKEY, RFC_2015];
export type DesignName = 'linux-ktls' | 'linux-ktls-pre-rekey' | 'rfc-2015';

export function findDesign(name: string): Design | undefined {
  return DESIGNS.find((d) => d.name === name);
}

const RX_POLICY_KEYS: { readonly [K in keyof RxPolicy]: readonly unknown[] | 'boolean' } = {
  control: ['hand-over', 'leave-on-stream'],
  freezeOnKeyUpdate: 'boolean',
  rekey: 'boolean',
  rekeyResetsSequence: 'boolean',
  delivery: ['stream-order', 'completion-order'],
  controlWaitsForData: 'boolean',
  mergeControlIntoData: 'boolean',
  asyncDecrypt: ['tls12-data', 'none'],
  fallbackKeepsBufferedBytes: 'boolean',
};
const TX_POLICY_KEYS: { readonly [K in keyof TxPolicy]: readonly unknown[] | 'boolean' } = {
  controlRecords: ['cmsg', 'take-state'],
  controlFlushesPendingRecord: 'boolean',
  pauseWhileExported: 'boolean',
  exportDrainsInFlight: 'boolean',
  rekeyResetsSequence: 'boolean',
  rekey: 'boolean',
};

function policyProblem(
  what: string,
  value: unknown,
  keys: Readonly<Record<string, readonly unknown[] | 'boolean'>>,
): string | null {
  if (typeof value !== 'object' || value === null) return `${what} must be an object`;
  const v = value as Record<string, unknown>;
  for (const [key, allowed] of Object.entries(keys)) {
    const x = v[key];
    const fits = allowed === 'boolean' ? typeof x === 'boolean' : allowed.includes(x);
    if (!fits) {
      const want = allowed === 'boolean' ? 'a boolean' : allowed.map((a) => `"${a}"`).join(' or ');
      return `${what}.${key} must be ${want}, got ${JSON.stringify(x) ?? String(x)}`;
    }
  }
  return null;
}

/**
 * The design a caller named (a `Design`, or one of `DESIGNS` by name), checked field by field, or
 * a typed error (EINVAL) that says what is wrong and lists the designs by name.
 */
export function resolveDesign(ref: Design | DesignName | string): Design {
  const names = DESIGNS.map((d) => d.name).join(', ');
  if (typeof ref === 'string') {
    const found = findDesign(ref);
    if (found) return found;
    throw RecordLayerError.of('invalid_argument', `unknown design "${ref}"; designs: ${names}`);
  }
  const problem =
    typeof ref !== 'object' || ref === null
      ? `a design must be a Design or one of ${names}, got ${String(ref)}`
      : typeof ref.name !== 'string'
        ? 'design.name must be a string'
        : (policyProblem('design.rx', ref.rx, RX_POLICY_KEYS) ??
          policyProblem('design.tx', ref.tx, TX_POLICY_KEYS));
  if (problem) throw RecordLayerError.of('invalid_argument', problem);
  return ref;
}

export function profileSupports(
  profile: CapabilityProfile,
  version: TlsVersion,
  aead: AeadAlgorithm,
): boolean {
  return profile.versions.includes(version) && profile.aeads.includes(aead);
}

/**
 * `setsockopt(SOL_SOCKET, TLS_TX/TLS_RX)` checks, shared by both directions (kernel
 * `do_tls_setsockopt_conf` / `validate_crypto_info`): a cipher the data plane cannot run is
 * refused (EINVAL, the library then stays in userspace); a configured direction may be re-keyed
 * only in TLS 1.3 and only by a design that can (else EBUSY), never to another version or cipher
 * (EINVAL). Returns the refusal, or null when the key may be installed.
 */
export function checkKeyInstall(
  direction: 'TLS_TX' | 'TLS_RX',
  profile: CapabilityProfile,
  canRekey: boolean,
  current: CryptoState | null,
  next: CryptoState,
): RecordError | null {
  if (!profileSupports(profile, next.version, next.suite.aead)) {
    return recordError(
      'unsupported_cipher',
      `${next.suite.name} is not offloaded by profile ${profile.name}`,
    );
  }
  if (current === null) return null;
  if (current.version === TLS_1_2) {
    // "Currently we only support setting crypto info more than one time for TLS 1.3"
    // (do_tls_setsockopt_conf); TLS 1.2 has no KeyUpdate at all (RFC 8446 §4.6.3 is TLS 1.3's).
    return recordError(
      'rekey_unsupported',
      `${direction} is already set and TLS 1.2 cannot re-key (KeyUpdate is TLS 1.3 only)`,
    );
  }
  if (!canRekey) {
    return recordError(
      'rekey_unsupported',
      `${direction} is already set and this design cannot re-key`,
    );
  }
  if (next.version !== current.version || next.suite.aead !== current.suite.aead) {
    return recordError('key_mismatch', 'a re-key cannot change version or cipher');
  }
  return null;
}

/**
 * rfc-2015 "reset it": the state userspace puts back must keep the version and cipher of the key
 * the direction runs (a new key is a re-key, not an import). Shared by both directions.
 */
export function checkStateImport(current: CryptoState, next: CryptoState): RecordError | null {
  return next.version !== current.version || next.suite.aead !== current.suite.aead
    ? recordError('key_mismatch', 'imported state changes version or cipher')
    : null;
}
