import { fstatSync, read } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import type { NewSessionTicketMessage } from '@ktls-lab/core';
import type { ControlPlane } from './controlPlane.js';
import type { RxPlane, TxPlane } from './dataPlane.js';
import { NodeKtlsError } from './errors.js';
import type { Handoff, TlsSnapshot } from './handoff.js';
import type { OffloadDecision } from './policy.js';

/**
 * The connection after the hand-off: a `stream.Duplex` used as the TLSSocket was (data, end,
 * close, errors, backpressure; `getCipher()`, `getProtocol()`, `getPeerCertificate()`,
 * `getSession()` answer what Node's tls said at the hand-off). Events besides the Duplex ones:
 * `session` (a Buffer Node's `tls.connect({ session })` takes, as TLSSocket's) and `ticket` (the
 * parsed NewSessionTicket).
 */
export class KtlsStream extends Duplex {
  /** Which plane carries each direction, and why (the policy's decision). */
  readonly offload: OffloadDecision;
  /** Where Node's tls stopped: version, suite, first sequence numbers, records before. */
  readonly handoff: Omit<Handoff, 'info' | 'inject' | 'tlsSocket' | 'leftover'> & {
    readonly leftoverBytes: number;
  };
  readonly alpnProtocol: string | false;
  readonly authorized: boolean;
  readonly authorizationError: Error | null;
  private readonly snapshot: TlsSnapshot;
  private session: Buffer | undefined;
  private control: ControlPlane | null = null;

  /** @internal Built by `connect`/`accept`. */
  constructor(
    private readonly raw: Socket,
    from: Handoff,
    private readonly planes: { readonly rx: RxPlane; readonly tx: TxPlane },
    offload: OffloadDecision,
  ) {
    super({ allowHalfOpen: false });
    const { info: _info, inject: _inject, tlsSocket, leftover, ...rest } = from;
    this.handoff = { ...rest, leftoverBytes: leftover.length };
    this.offload = offload;
    this.snapshot = from.snapshot;
    this.session = from.snapshot.session;
    this.alpnProtocol = from.snapshot.alpnProtocol;
    this.authorized = from.snapshot.authorized;
    this.authorizationError = from.snapshot.authorizationError;
    // Node's tls emits `session` for each ticket the control plane gave back to it.
    tlsSocket.on('session', (session: Buffer) => {
      this.session = session;
      this.emit('session', session);
    });
    this.once('close', () => tlsSocket.destroy());
    raw.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
    // The TCP socket's own errors (a reset while the kernel plane writes through libuv: ECONNRESET,
    // EPIPE) end the stream with that error, as Node's tls does; unheard, they would be uncaught.
    raw.on('error', (error) => {
      if (!this.destroyed) this.destroy(error);
    });
  }

  /** @internal Starts reading: the leftover bytes of the hand-off first. */
  start(control: ControlPlane, leftover: Uint8Array): void {
    this.control = control;
    this.planes.rx.start(
      {
        data: (bytes) => this.push(bytes),
        control: (type, body) => control.onRecord(type, body),
        eof: () => {
          if (control.closeNotify) return;
          // RFC 8446 §6.1: without close_notify the peer may not have sent everything. The kernel
          // reports only EOF (a read of 0, docs/kernel-tls.md §5.2): the control plane tells.
          this.destroy(
            new NodeKtlsError(
              'ERR_KTLS_TRUNCATED',
              'the connection ended without close_notify: the data may be truncated',
            ),
          );
        },
        error: (error) => this.destroy(error),
      },
      leftover,
    );
  }

  /**
   * Sends a TLS 1.3 KeyUpdate and switches our sending key (RFC 8446 §4.6.3); `requestPeer` asks
   * the peer to update its key too. Throws `ERR_KTLS_PROTOCOL` on TLS 1.2. On a kernel direction
   * that cannot re-key the stream ends with `ERR_KTLS_REKEY_UNSUPPORTED`.
   */
  keyUpdate(requestPeer = false): void {
    if (this.control === null)
      throw new NodeKtlsError('ERR_KTLS_PROTOCOL', 'the stream has not started');
    this.control.initiateKeyUpdate(requestPeer);
  }

  /**
   * Sends `length` bytes (default: to the end) of a file, given as a path or an open fd, from
   * `offset`, after everything written before. With TX on the kernel this is sendfile(2): the
   * file's pages go to the kernel, which seals them, and never pass through JS; with TX in
   * userspace the file is read and written in chunks. Resolves with the bytes sent; a file shorter
   * than asked is `ERR_KTLS_SENDFILE`.
   */
  async sendFile(file: number | string, offset = 0, length?: number): Promise<number> {
    const handle = typeof file === 'string' ? await open(file, 'r') : null;
    const fd = handle?.fd ?? (file as number);
    try {
      const size = fstatSync(fd).size;
      const n = length ?? size - offset;
      if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(n) || n < 0)
        throw new NodeKtlsError('ERR_KTLS_SENDFILE', `bad offset ${offset} or length ${n}`);
      // Refused before a byte is sent; a file that shrinks meanwhile is caught while sending.
      if (offset + n > size)
        throw new NodeKtlsError(
          'ERR_KTLS_SENDFILE',
          `offset ${offset} + length ${n} is past the end of the file (${size} bytes)`,
        );
      if (n === 0) return 0;
      const tx = this.planes.tx;
      if (tx.sendFile) {
        // An empty write's callback comes after every earlier write has reached the plane (which
        // keeps its own order from there), without polling while the peer is slow to read.
        await new Promise<void>((resolve, reject) =>
          this.write(Buffer.alloc(0), (e) => (e ? reject(e) : resolve())),
        );
        return await tx.sendFile(fd, offset, n);
      }
      return await copyFile(this, fd, offset, n);
    } finally {
      await handle?.close();
    }
  }

  /** @internal The control plane's effects on the stream. */
  peerClosed(): void {
    this.push(null);
  }

  /** @internal */
  emitTicket(ticket: NewSessionTicketMessage): void {
    this.emit('ticket', ticket);
  }

  getCipher(): TlsSnapshot['cipher'] {
    return this.snapshot.cipher;
  }

  getProtocol(): string | null {
    return this.snapshot.protocol;
  }

  getPeerCertificate(detailed: true): DetailedPeerCertificate;
  getPeerCertificate(detailed?: false): PeerCertificate;
  getPeerCertificate(detailed?: boolean): PeerCertificate | DetailedPeerCertificate;
  getPeerCertificate(detailed = false): PeerCertificate | DetailedPeerCertificate {
    const cert = this.snapshot.peerCertificate;
    if (detailed || cert === undefined || Object.keys(cert).length === 0) return cert;
    // Node's getPeerCertificate(false) has no issuerCertificate chain.
    const { issuerCertificate: _chain, ...plain } = cert as DetailedPeerCertificate;
    return plain as PeerCertificate;
  }

  /** The session Node's tls holds: from the handshake, or from the latest ticket given to it. */
  getSession(): Buffer | undefined {
    return this.session;
  }

  /** Whether the handshake resumed a session (a ticket or session ID given to `connect`). */
  isSessionReused(): boolean {
    return this.snapshot.sessionReused;
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }

  override _read(): void {
    this.planes.rx.resume();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.planes.tx.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.planes.tx.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.planes.rx.destroy();
    this.planes.tx.destroy();
    this.control?.wipe();
    this.raw.destroy();
    callback(error);
  }
}

/** sendFile without a kernel TX: read in chunks, write through the stream, honour backpressure. */
async function copyFile(to: Duplex, fd: number, offset: number, length: number): Promise<number> {
  let sent = 0;
  while (sent < length) {
    const chunk = Buffer.allocUnsafe(Math.min(length - sent, 1 << 16));
    const n = await new Promise<number>((resolve, reject) =>
      read(fd, chunk, 0, chunk.length, offset + sent, (e, k) => (e ? reject(e) : resolve(k))),
    );
    if (n === 0)
      throw new NodeKtlsError(
        'ERR_KTLS_SENDFILE',
        `the file ended ${length - sent} bytes before the length asked`,
      );
    sent += n;
    if (!to.write(chunk.subarray(0, n))) await once(to, 'drain');
  }
  return sent;
}
