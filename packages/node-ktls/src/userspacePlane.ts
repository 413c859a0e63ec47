import type { Socket } from 'node:net';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  type CryptoState,
  NodeCryptoAeadEngine,
  RecordLayerError,
  TlsRecordLayer,
} from '@ktls-lab/core';
import type { RxPlane, RxSink, TxPlane } from './dataPlane.js';
import { cloneState } from './handshakeInfo.js';

function layer(): TlsRecordLayer {
  // linux-ktls: the same recvmsg rules the kernel path follows (control records alone, with their
  // type; RX stops at a KeyUpdate until the next key is installed: docs/kernel-tls.md §5, §7).
  return new TlsRecordLayer({
    engine: new NodeCryptoAeadEngine(),
    design: 'linux-ktls',
    trace: false,
  });
}

/** Opens records in userspace with core's record layer (node:crypto), reading TCP through `raw`. */
export class UserspaceRx implements RxPlane {
  readonly kind = 'userspace';
  /** The record layer, for a kernel plane that starts in userspace (the records before TLS_RX). */
  readonly layer = layer();
  private sink: RxSink | null = null;
  private paused = false;
  private stopped = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onEnd = () => {
    this.drain();
    if (!this.stopped) this.sink?.eof();
  };
  private readonly onError = (error: Error) => this.sink?.error(error);

  constructor(
    private readonly raw: Socket,
    state: CryptoState,
  ) {
    this.layer.installRxKey(cloneState(state));
  }

  start(sink: RxSink, leftover: Uint8Array): void {
    this.sink = sink;
    this.raw.on('data', this.onData);
    this.raw.on('end', this.onEnd);
    this.raw.on('error', this.onError);
    this.receive(leftover);
    this.raw.resume();
  }

  installKey(state: CryptoState): void {
    this.layer.installRxKey(cloneState(state));
  }

  receive(bytes: Uint8Array): void {
    if (bytes.length > 0) this.layer.receive(bytes);
    this.drain();
  }

  /** Everything whole: data merged, each control record alone with its type (recvmsg + cmsg). */
  drain(): void {
    const sink = this.sink;
    while (sink !== null && !this.paused && !this.stopped) {
      let r: ReturnType<TlsRecordLayer['recv']> | null;
      try {
        r = this.layer.recvIfReady({ cmsg: true }); // null: no whole record yet (EAGAIN)
      } catch (error) {
        if (error instanceof RecordLayerError && error.code === 'key_expired') return;
        this.stopped = true;
        sink.error(error as Error);
        return;
      }
      if (r === null || r.eof) return;
      if (r.contentType === ContentType.applicationData) {
        if (!sink.data(r.data)) this.pause();
      } else {
        sink.control(r.contentType, r.data);
      }
    }
  }

  pause(): void {
    this.paused = true;
    this.raw.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.drain();
    if (!this.paused) this.raw.resume();
  }

  destroy(): void {
    this.stopped = true;
    this.raw.off('data', this.onData);
    this.raw.off('end', this.onEnd);
    this.raw.off('error', this.onError);
  }
}

/** Seals records in userspace with core's record layer and writes them to TCP. */
export class UserspaceTx implements TxPlane {
  readonly kind = 'userspace';
  private readonly layer = layer();

  constructor(
    private readonly raw: Socket,
    state: CryptoState,
  ) {
    this.layer.installTxKey(cloneState(state));
  }

  write(data: Uint8Array, callback: (error?: Error | null) => void): void {
    this.raw.write(this.layer.send(data), callback);
  }

  writeControl(
    contentType: number,
    body: Uint8Array,
    callback: (error?: Error | null) => void,
  ): void {
    this.raw.write(this.layer.sendControl(contentType, body), callback);
  }

  rekey(body: Uint8Array, next: CryptoState): void {
    this.raw.write(this.layer.sendControl(ContentType.handshake, body));
    this.layer.installTxKey(cloneState(next));
  }

  end(callback: (error?: Error | null) => void): void {
    this.raw.end(this.layer.close(), () => callback());
  }

  destroy(): void {}
}

/** The close_notify alert body, for planes that seal it themselves (RFC 8446 §6.1). */
export const CLOSE_NOTIFY = Uint8Array.of(AlertLevel.warning, AlertDescription.close_notify);
