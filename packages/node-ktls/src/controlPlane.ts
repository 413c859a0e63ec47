import {
  type AeadEngine,
  assertNever,
  buildKeyUpdate,
  ContentType,
  type ContentTypeByte,
  type CryptoState,
  cryptoStateFromSecret,
  HandshakeType,
  nextTrafficSecret,
  type NewSessionTicketMessage,
  parseControlRecord,
  RecordLayerError,
  reactToKeyUpdate,
  sealRecord,
  TLS_1_3,
  type TlsVersion,
  type TrafficSecrets,
} from '@ktls-lab/core';
import { NodeKtlsError } from './errors.js';
import { HandshakeReassembler } from './handshakeMessages.js';

/** What the control plane does to the stream and the data planes. */
export interface ControlActions {
  installRx(state: CryptoState): void;
  /** Our KeyUpdate(update_not_requested) under the current key, then the next TX key. */
  sendKeyUpdate(body: Uint8Array, next: CryptoState): void;
  /** The peer's close_notify: the end of its data (`'end'`). */
  closed(): void;
  fail(error: Error): void;
  /** A NewSessionTicket, parsed (RFC 8446 §4.6.1). */
  ticket(ticket: NewSessionTicketMessage): void;
}

/**
 * Re-seals a NewSessionTicket for Node's tls, so OpenSSL makes the session (and Node emits its
 * `session` event) exactly as if the ticket had come from the wire: under the peer's application
 * traffic secret 0 at the sequence number Node's tls expects next (it was given no record after the
 * peer's Finished, so 0, 1, ... in the order tickets arrive). The record never leaves the process,
 * so reusing a nonce the peer used on the wire reveals nothing to anyone who does not hold the key.
 */
export class TicketInjector {
  constructor(
    private readonly engine: AeadEngine,
    private state: CryptoState,
    private readonly inject: (record: Uint8Array) => void,
  ) {}

  give(message: Uint8Array): void {
    const sealed = sealRecord(this.engine, this.state, ContentType.handshake, message);
    if (!sealed.ok) throw new RecordLayerError(sealed.error);
    this.state = sealed.value.next;
    this.inject(sealed.value.record);
  }

  wipe(): void {
    this.state.key.fill(0);
  }
}

/**
 * The control plane after the hand-off: every non-data record the data plane hands over, by type
 * (README.md, "Control plane"). Alerts end the stream as Node's tls does; NewSessionTicket goes to
 * Node's tls (`TicketInjector`) and out as `ticket`; KeyUpdate is followed with core's key schedule
 * (RFC 8446 §4.6.3, §7.2), answered when the peer asks.
 */
export class ControlPlane {
  private readonly messages = new HandshakeReassembler();
  closeNotify = false;

  constructor(
    private readonly version: TlsVersion,
    private secrets: TrafficSecrets | null,
    private readonly actions: ControlActions,
    private readonly injector: TicketInjector | null,
  ) {}

  onRecord(contentType: ContentTypeByte, body: Uint8Array): void {
    if (this.closeNotify) return;
    const parsed = parseControlRecord(contentType, body, this.version);
    if (!parsed.ok) {
      this.actions.fail(new RecordLayerError(parsed.error));
      return;
    }
    const record = parsed.value;
    switch (record.kind) {
      case 'alert': {
        const { alert } = record;
        if (alert.closure) {
          this.closeNotify = true;
          this.actions.closed();
        } else if (alert.fatal) {
          this.actions.fail(
            new NodeKtlsError(
              'ERR_KTLS_ALERT',
              `the peer sent a fatal alert: ${alert.name ?? alert.description}`,
              { alert: alert.name },
            ),
          );
        }
        return;
      }
      case 'handshake':
        this.onHandshake(body);
        return;
      case 'change-cipher-spec':
      case 'heartbeat':
      case 'unknown':
        this.actions.fail(
          new NodeKtlsError(
            'ERR_KTLS_PROTOCOL',
            `unexpected ${record.kind} record after the handshake`,
            { alert: 'unexpected_message', errno: 'EBADMSG' },
          ),
        );
        return;
      default:
        assertNever(record, 'control record');
    }
  }

  /** Whole messages; one may span records (RFC 8446 §5.1), `HandshakeReassembler` joins them. */
  private onHandshake(body: Uint8Array): void {
    for (const { message } of this.messages.push(body)) {
      const parsed = parseControlRecord(ContentType.handshake, message, this.version);
      if (!parsed.ok) {
        this.actions.fail(new RecordLayerError(parsed.error));
        return;
      }
      if (parsed.value.kind !== 'handshake') continue;
      for (const m of parsed.value.messages) {
        switch (m.type) {
          case 'new-session-ticket':
            this.injector?.give(message);
            this.actions.ticket(m);
            break;
          case 'key-update':
            if (!this.followKeyUpdate(m.requestUpdate)) return;
            break;
          case 'other':
            // RFC 5246 §7.4.1.1: a client MAY ignore HelloRequest; renegotiation is not offered.
            if (m.handshakeType === HandshakeType.helloRequest && this.version !== TLS_1_3) break;
            this.actions.fail(
              new NodeKtlsError(
                'ERR_KTLS_PROTOCOL',
                `handshake message type ${m.handshakeType} after the handshake is not supported`,
                { alert: 'unexpected_message', errno: 'EBADMSG' },
              ),
            );
            return;
          default:
            assertNever(m, 'handshake message');
        }
      }
    }
  }

  private followKeyUpdate(requestUpdate: boolean): boolean {
    if (this.secrets === null) {
      this.actions.fail(
        new NodeKtlsError('ERR_KTLS_PROTOCOL', 'KeyUpdate outside TLS 1.3', {
          alert: 'unexpected_message',
          errno: 'EBADMSG',
        }),
      );
      return false;
    }
    const old = this.secrets;
    const reaction = reactToKeyUpdate(old, { type: 'key-update', requestUpdate });
    try {
      this.actions.installRx(reaction.installRx);
      if (reaction.reply)
        this.actions.sendKeyUpdate(buildKeyUpdate(false), reaction.reply.installTx);
    } catch (error) {
      this.actions.fail(error as Error);
      return false;
    }
    // The old generation is not needed again (RFC 8446 §7.2: it SHOULD be deleted).
    if (old.read !== reaction.secrets.read) old.read.fill(0);
    if (old.write !== reaction.secrets.write) old.write.fill(0);
    this.secrets = reaction.secrets;
    return true;
  }

  /**
   * Our own KeyUpdate (RFC 8446 §4.6.3): sent under the current key, then TX switches to the next
   * write secret; with `requestUpdate` the peer answers with its own, which `onRecord` follows.
   */
  initiateKeyUpdate(requestUpdate: boolean): void {
    const old = this.secrets;
    if (old === null) {
      throw new NodeKtlsError('ERR_KTLS_PROTOCOL', 'KeyUpdate exists only in TLS 1.3', {
        errno: 'EINVAL',
      });
    }
    const write = nextTrafficSecret(old.suite, old.write);
    this.actions.sendKeyUpdate(
      buildKeyUpdate(requestUpdate),
      cryptoStateFromSecret(old.suite, write),
    );
    old.write.fill(0);
    this.secrets = { suite: old.suite, read: old.read, write };
  }

  wipe(): void {
    this.secrets?.read.fill(0);
    this.secrets?.write.fill(0);
    this.injector?.wipe();
  }
}
