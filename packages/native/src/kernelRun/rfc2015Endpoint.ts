import {
  type AeadEngine,
  ContentType,
  type ContentTypeByte,
  type CryptoState,
  concat,
  HandshakeType,
  MAX_PLAINTEXT,
  openRecord,
  profileSupports,
  type RecordError,
  sealRecord,
  TLS_1_3,
} from '@ktls-lab/core';
import type { KtlsSocket } from '../ktls.js';
import type { Rfc2015DataPlane } from './rfc2015DataPlane.js';
import { errnoOf } from './socketWire.js';
import type { Endpoint, RecvOutcome } from './types.js';

/**
 * One endpoint of the rfc-2015 world: the data plane (`Rfc2015DataPlane`, the kernel's AEAD
 * through AF_ALG) on a plain TCP socket, and the userspace control plane of the 2015 RFC around
 * it: a non-data record is left on the stream and the data plane stops with it; the control plane
 * gets the RX state out, reads the record itself, and puts the next state back ("get these back
 * out, use them, then reset them"), or the next key after a KeyUpdate. Records of its own
 * (alerts, KeyUpdate, tickets, heartbeats) it seals by taking the TX state out and putting the
 * advanced state back. A cipher the data plane's profile does not offload is processed in
 * userspace altogether (the punt of docs/architecture.md §4).
 */
export class Rfc2015Endpoint implements Endpoint {
  readonly #dp: Rfc2015DataPlane;
  readonly #sock: KtlsSocket;
  /** The control plane's own crypto (a TLS library's, in userspace). */
  readonly #userspace: AeadEngine;
  /** Set when TLS_TX/TLS_RX was refused for the cipher: the library runs that direction itself. */
  #userspaceTx: CryptoState | null = null;
  #userspaceRx: CryptoState | null = null;
  #pendingTx: Uint8Array[] = [];
  /** A KeyUpdate was read: the data plane stays held until the next key goes in. */
  #awaitingKey = false;
  #eof = false;
  /** What the control plane noted: refusals, fallbacks. */
  readonly notes: string[] = [];

  constructor(dp: Rfc2015DataPlane, sock: KtlsSocket, userspace: AeadEngine) {
    this.#dp = dp;
    this.#sock = sock;
    this.#userspace = userspace;
  }

  send(data: Uint8Array, more: boolean): void {
    if (this.#userspaceTx) {
      this.#pendingTx.push(data);
      if (!more) this.#flushUserspace();
      return;
    }
    this.#refused(this.#dp.runTx({ type: 'send', data, more }).errors, 'send');
    this.#flush();
  }

  sendControl(type: number, body: Uint8Array): void {
    const contentType = type as ContentTypeByte;
    if (this.#userspaceTx) {
      this.#flushUserspace();
      this.#userspaceTx = this.#sealOwn(this.#userspaceTx, contentType, body);
      return;
    }
    // take-state: the state goes out (pending MSG_MORE data is sealed and sent first), the record
    // is sealed in userspace and written, and the advanced state goes back.
    const out = this.#exportTx();
    if (out === null) return;
    const next = this.#sealOwn(out, contentType, body);
    const put = this.#dp.runTx({
      type: 'import-state',
      state: next,
      key: this.#dp.keyFor('tx', next),
    });
    this.#refused(put.errors, 'TX state import');
  }

  install(dir: 'tx' | 'rx', state: CryptoState): string {
    return dir === 'tx' ? this.#installTx(state) : this.#installRx(state);
  }

  recv(): RecvOutcome {
    this.#readSocket();
    for (;;) {
      const item = this.#dp.items[0];
      if (item === undefined) break;
      if (item.kind === 'data') {
        this.#dp.items.shift();
        return { kind: 'data', data: item.data };
      }
      if (this.#awaitingKey) return { kind: 'again' };
      this.#dp.items.shift();
      const out =
        item.reason === 'control-record'
          ? this.#readHeld(item.record)
          : this.#readPunted(item.record);
      if (out !== null) return out;
    }
    const phase = this.#dp.rx.phase;
    if (phase.tag === 'failed') return { kind: 'error', errno: phase.error.errno };
    if (this.#eof) return { kind: 'eof' };
    return { kind: 'again' };
  }

  #installTx(state: CryptoState): string {
    if (this.#userspaceTx) {
      // The library's own record layer: the next key is simply its state now.
      this.#userspaceTx = state;
      return 'ok';
    }
    if (this.#dp.tx.phase.tag === 'keyless') {
      if (!this.#offloaded(state)) {
        // No transform socket for a cipher the data plane does not run: the library seals.
        this.notes.push(`TLS_TX refused (${state.suite.aead} not offloaded): sealed in userspace`);
        this.#userspaceTx = state;
        return 'ok';
      }
      const r = this.#dp.runTx({ type: 'install-key', state, key: this.#dp.keyFor('tx', state) });
      return r.errors[0]?.errno ?? 'ok';
    }
    // A new TX key (after a KeyUpdate) in this design: take the state out, put the next key back.
    if (this.#exportTx() === null) return 'EINVAL';
    const r = this.#dp.runTx({ type: 'import-state', state, key: this.#dp.keyFor('tx', state) });
    return r.errors[0]?.errno ?? 'ok';
  }

  #installRx(state: CryptoState): string {
    if (this.#userspaceRx) {
      this.#userspaceRx = state;
      this.#awaitingKey = false;
      return 'ok';
    }
    if (this.#dp.rx.phase.tag === 'keyless') {
      if (!this.#offloaded(state)) {
        this.notes.push(`TLS_RX refused (${state.suite.aead} not offloaded): opened in userspace`);
        this.#userspaceRx = state;
        this.#refused(
          this.#dp.runRx({ type: 'fallback', version: state.version }).errors,
          'fallback',
        );
        return 'ok';
      }
      const r = this.#dp.runRx({ type: 'install-key', state, key: this.#dp.keyFor('rx', state) });
      return r.errors[0]?.errno ?? 'ok';
    }
    // After a KeyUpdate: "reset it" with the next key; this consumes the held KeyUpdate record.
    const r = this.#dp.runRx({ type: 'import-state', state, key: this.#dp.keyFor('rx', state) });
    if (r.errors.length === 0) this.#awaitingKey = false;
    return r.errors[0]?.errno ?? 'ok';
  }

  /** rfc-2015: the record the data plane left on the stream, read by the control plane. */
  #readHeld(record: Uint8Array): RecvOutcome | null {
    const state = this.#dp.runRx({ type: 'export-state' }).state;
    if (state === null) return { kind: 'error', errno: 'EBUSY' };
    const opened = openRecord(this.#userspace, state, record);
    if (!opened.ok) return this.#failRx(opened.error);
    const { contentType, content, next } = opened.value;
    if (this.#isKeyUpdate(state, contentType, content)) {
      // The next key goes back when the library has derived it (install('rx', next)).
      this.#awaitingKey = true;
    } else if (contentType === ContentType.alert) {
      // close_notify or a fatal alert: RX ends here, the state does not go back.
      this.#dp.runRx({ type: 'close' });
    } else {
      const put = this.#dp.runRx({
        type: 'import-state',
        state: next,
        key: this.#dp.keyFor('rx', next),
      });
      if (put.errors.length > 0) return this.#failRx(put.errors[0]!);
    }
    return { kind: 'control', type: contentType, data: content };
  }

  /** The userspace record layer after TLS_RX was refused: every record is opened here. */
  #readPunted(record: Uint8Array): RecvOutcome | null {
    const state = this.#userspaceRx;
    if (state === null) return { kind: 'error', errno: 'EINVAL' };
    const opened = openRecord(this.#userspace, state, record);
    if (!opened.ok) return this.#failRx(opened.error);
    const { contentType, content, next } = opened.value;
    this.#userspaceRx = next;
    if (contentType === ContentType.applicationData) {
      return content.length === 0 ? null : { kind: 'data', data: content };
    }
    if (this.#isKeyUpdate(state, contentType, content)) this.#awaitingKey = true;
    if (contentType === ContentType.alert) this.#dp.runRx({ type: 'close' });
    return { kind: 'control', type: contentType, data: content };
  }

  /** Whether the data plane's capability profile runs this version and AEAD. */
  #offloaded(state: CryptoState): boolean {
    return profileSupports(this.#dp.profile, state.version, state.suite.aead);
  }

  #isKeyUpdate(state: CryptoState, type: number, content: Uint8Array): boolean {
    return (
      state.version === TLS_1_3 &&
      type === ContentType.handshake &&
      content[0] === HandshakeType.keyUpdate
    );
  }

  #failRx(error: RecordError): RecvOutcome {
    this.#dp.runRx({ type: 'close' });
    this.notes.push(`control plane: ${error.code} (${error.errno})`);
    return { kind: 'error', errno: error.errno };
  }

  #exportTx(): CryptoState | null {
    const r = this.#dp.runTx({ type: 'export-state' });
    this.#flush();
    this.#refused(r.errors, 'TX state export');
    return r.state;
  }

  /** Seals one record of the library's own with `state`, writes it, returns the next state. */
  #sealOwn(state: CryptoState, type: ContentTypeByte, body: Uint8Array): CryptoState {
    const sealed = sealRecord(this.#userspace, state, type, body);
    if (!sealed.ok) {
      this.notes.push(`userspace seal: ${sealed.error.code}`);
      return state;
    }
    this.#sock.sendAll(sealed.value.record);
    return sealed.value.next;
  }

  #flushUserspace(): void {
    let data = concat(this.#pendingTx.splice(0));
    while (data.length > 0) {
      const n = Math.min(MAX_PLAINTEXT, data.length);
      this.#userspaceTx = this.#sealOwn(
        this.#userspaceTx!,
        ContentType.applicationData,
        data.subarray(0, n),
      );
      data = data.subarray(n);
    }
  }

  /** Writes what the data plane sealed, in sequence order. */
  #flush(): void {
    for (const bytes of this.#dp.wire.splice(0)) this.#sock.sendAll(bytes);
  }

  #refused(errors: readonly RecordError[], what: string): void {
    for (const e of errors) this.notes.push(`${what}: ${e.errno} (${e.message})`);
  }

  /** Everything the socket has, to the RX machine. */
  #readSocket(): void {
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = this.#sock.recv({ maxBytes: 65536, cmsg: false, dontwait: true }).data;
      } catch (e) {
        if (errnoOf(e) === 'EAGAIN') return;
        throw e;
      }
      if (chunk.length === 0) {
        this.#eof = true;
        return;
      }
      this.#dp.runRx({ type: 'bytes', data: chunk });
    }
  }
}
