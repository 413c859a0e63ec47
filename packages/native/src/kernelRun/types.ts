import type { CryptoState, Design } from '@ktls-lab/core';

/**
 * The shapes the kernel runner's parts share: the endpoint and wire interfaces the script runs
 * against (one implementation per world), and what a run returns.
 */

export type Side = 'client' | 'server';

/** What one `recvmsg` (or core's `recv`) gave the control plane. */
export type RecvOutcome =
  | { readonly kind: 'data'; readonly data: Uint8Array }
  | { readonly kind: 'control'; readonly type: number; readonly data: Uint8Array }
  | { readonly kind: 'eof' }
  | { readonly kind: 'again' }
  | { readonly kind: 'error'; readonly errno: string };

/** One endpoint's socket-level operations, implemented by the kernel and by core. */
export interface Endpoint {
  send(data: Uint8Array, more: boolean): void;
  sendControl(type: number, body: Uint8Array): void;
  /** setsockopt(TLS_TX/TLS_RX); returns 'ok' or the errno. */
  install(dir: 'tx' | 'rx', state: CryptoState): string;
  recv(): RecvOutcome;
}

/** Moves bytes between the endpoints, record by record, applying faults. */
export interface Wire {
  /** Forwards what is there; returns the bytes moved. */
  pump(): number;
  /** Waits briefly for bytes in flight (kernel: poll the relay's sockets); no-op for core. */
  settle(): void;
  corruptNext(from: Side): void;
  inject(from: Side, bytes: Uint8Array): void;
  records(): { c2s: string[]; s2c: string[] };
}

/** What one endpoint's app and control plane observed. */
export interface EndpointObservation {
  /** Every application byte the app read, in order. */
  readonly data: string;
  readonly dataLength: number;
  /** Control records handed to the control plane: `<type>:<hex body>`. */
  readonly control: readonly string[];
  /** Control-plane events: key installs and their result, freezes, refused sends. */
  readonly events: readonly string[];
  /** The error that ended reading, as an errno name, or 'eof' / 'closed' / null. */
  readonly end: string | null;
}

export interface KernelRunResult {
  readonly scenario: string;
  readonly world: 'kernel' | 'core';
  /** The kernel release, or the core design name. */
  readonly where: string;
  readonly client: EndpointObservation;
  readonly server: EndpointObservation;
  /** Records the relay saw on the wire, per direction: `<outer type>/<length>`. */
  readonly wire: { readonly c2s: readonly string[]; readonly s2c: readonly string[] };
  /** The NDJSON trace (core's format). */
  readonly trace: string;
}

export interface KernelRunOptions {
  /** Core design for the reference run (`runScenarioOnCore`). */
  readonly design?: Design;
  /**
   * Core design of the client only (default: `design`): a peer whose TLS stack differs, e.g. a
   * userspace library that does rekey talking to a kernel that cannot.
   */
  readonly clientDesign?: Design;
  /**
   * Kernel run: the client is the kernel (default), or a userspace TLS stack (core's
   * `TlsRecordLayer` in `clientDesign`, default `linux-ktls`) writing records to plain TCP, so the
   * server's kernel faces a peer that really switches keys on KeyUpdate.
   */
  readonly clientPeer?: 'kernel' | 'userspace';
  /** Written into the trace header. */
  readonly seed?: string;
}
