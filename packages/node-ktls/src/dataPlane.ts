import type { ContentTypeByte, CryptoState } from '@ktls-lab/core';

/** Where a direction's records are sealed or opened. */
export type PlaneKind = 'userspace' | 'kernel';

/** What a receiving data plane hands to the stream, in stream order. */
export interface RxSink {
  /** Application data; `false` asks the plane to stop reading until `resume()`. */
  data(bytes: Uint8Array): boolean;
  /** A record of another type, decrypted, with its type (kernel: the TLS_GET_RECORD_TYPE cmsg). */
  control(contentType: ContentTypeByte, body: Uint8Array): void;
  /** The transport ended (TCP FIN); the stream decides whether that was clean. */
  eof(): void;
  error(error: Error): void;
}

/**
 * The receive half of a data plane. `start` gets the bytes the hand-off read from TCP and did not
 * give to Node's tls (whole records, then maybe a partial one): they come before anything else.
 */
export interface RxPlane {
  readonly kind: PlaneKind;
  start(sink: RxSink, leftover: Uint8Array): void;
  /** The next key after a TLS 1.3 KeyUpdate (kernel: a second TLS_RX, Linux 6.14+). */
  installKey(state: CryptoState): void;
  pause(): void;
  resume(): void;
  destroy(): void;
}

/** The send half of a data plane. Callbacks follow `stream.Writable`'s: called once flushed. */
export interface TxPlane {
  readonly kind: PlaneKind;
  write(data: Uint8Array, callback: (error?: Error | null) => void): void;
  /** A record of another type (kernel: sendmsg with TLS_SET_RECORD_TYPE), after earlier writes. */
  writeControl(
    contentType: ContentTypeByte,
    body: Uint8Array,
    callback: (error?: Error | null) => void,
  ): void;
  /**
   * Our KeyUpdate: `body` (the handshake message) sealed under the current key after every earlier
   * write, then `next` for every later one (kernel: a second TLS_TX, Linux 6.14+; RFC 8446 §4.6.3).
   */
  rekey(body: Uint8Array, next: CryptoState): void;
  /**
   * `length` bytes of the file `fd` from `offset`, after every earlier write (kernel: sendfile(2),
   * the kernel seals the pages). Absent on a userspace plane: the stream reads and writes instead.
   */
  sendFile?(fd: number, offset: number, length: number): Promise<number>;
  /** close_notify, then TCP FIN. */
  end(callback: (error?: Error | null) => void): void;
  destroy(): void;
}
