import { Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { type AcceptOptions, accept, type KtlsOptions } from './offload.js';
import type { KtlsStream } from './stream.js';

/**
 * `tls.createServer` on kernel TLS: a `net.Server` whose connections are handshaken by Node's tls
 * and handed off with `accept`, emitted as `secureConnection` with a `KtlsStream`. One
 * `SecureContext` serves every connection, as in `tls.createServer`: its session-ticket keys are
 * shared, so a ticket one connection gave out resumes on the next (RFC 8446 §2.2); a context per
 * connection (`accept` without `secureContext`) would refuse every resumption.
 *
 * Events: `secureConnection` (stream), `tlsClientError` (error, raw socket: the handshake or the
 * hand-off failed; the socket is destroyed), and those of `net.Server`.
 */
export class KtlsServer extends Server {
  /** The context every connection's handshake uses (`setSecureContext` replaces it for new ones). */
  secureContext: SecureContext;

  constructor(
    private readonly options: AcceptOptions,
    private readonly ktls: KtlsOptions = {},
    listener?: (stream: KtlsStream) => void,
  ) {
    super((raw) => this.handshake(raw));
    this.secureContext = options.secureContext ?? createSecureContext(options);
    if (listener) this.on('secureConnection', listener);
  }

  /** New certificates or keys for connections accepted from now on (`tls.Server#setSecureContext`). */
  setSecureContext(options: AcceptOptions): void {
    this.secureContext = options.secureContext ?? createSecureContext(options);
  }

  private handshake(raw: Socket): void {
    // A reset during the handshake is the handshake's failure, reported once below.
    raw.on('error', () => {});
    accept(raw, { ...this.options, secureContext: this.secureContext }, this.ktls).then(
      (stream) => this.emit('secureConnection', stream),
      (error: unknown) => {
        raw.destroy();
        this.emit('tlsClientError', error, raw);
      },
    );
  }
}

/**
 * A server as `tls.createServer(options, listener)` makes one, whose connections are `KtlsStream`s
 * on the data plane the policy chose (README "Offload policy").
 */
export function createServer(
  options: AcceptOptions,
  ktls: KtlsOptions = {},
  listener?: (stream: KtlsStream) => void,
): KtlsServer {
  return new KtlsServer(options, ktls, listener);
}
