import {
  AlertDescription,
  AlertLevel,
  buildKeyUpdate,
  buildNewSessionTicket,
  ContentType,
  type CryptoState,
  cryptoStateFromSecret,
  HandshakeType,
  NodeCryptoAeadEngine,
  nextTrafficSecret,
  openRecord,
  RecordLayerError,
  suiteByName,
  TLS_1_2,
  TLS_1_3,
} from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { type ControlActions, ControlPlane, TicketInjector } from './controlPlane.js';
import { NodeKtlsError } from './errors.js';

const suite = suiteByName('TLS_AES_128_GCM_SHA256');
const secret = (b: number) => new Uint8Array(32).fill(b);

/** Records what the control plane asks for (state keys copied: the caller wipes them). */
function recorder() {
  const log: {
    installRx: CryptoState[];
    keyUpdates: [Uint8Array, CryptoState][];
    closed: number;
    errors: Error[];
    tickets: number[];
  } = {
    installRx: [],
    keyUpdates: [],
    closed: 0,
    errors: [],
    tickets: [],
  };
  const copy = (s: CryptoState): CryptoState => ({ ...s, key: s.key.slice() });
  const actions: ControlActions = {
    installRx: (s) => log.installRx.push(copy(s)),
    sendKeyUpdate: (body, next) => log.keyUpdates.push([body, copy(next)]),
    closed: () => log.closed++,
    fail: (e) => log.errors.push(e),
    ticket: (t) => log.tickets.push(t.lifetime),
  };
  return { log, actions };
}

/** A TLS 1.3 control plane at generation 0 of secrets 0x01… (read) and 0x02… (write). */
const plane13 = (actions: ControlActions, injector: TicketInjector | null = null) =>
  new ControlPlane(TLS_1_3, { suite, read: secret(1), write: secret(2) }, actions, injector);

const alert = (level: number, description: number) => Uint8Array.of(level, description);

describe('ControlPlane', () => {
  it('close_notify ends the stream once; records after it are ignored', () => {
    const { log, actions } = recorder();
    const cp = new ControlPlane(TLS_1_3, null, actions, null);
    cp.onRecord(ContentType.alert, alert(AlertLevel.warning, AlertDescription.close_notify));
    cp.onRecord(ContentType.alert, alert(AlertLevel.fatal, AlertDescription.bad_record_mac));
    expect(log.closed).toBe(1);
    expect(log.errors).toEqual([]);
    expect(cp.closeNotify).toBe(true);
  });

  it('a fatal alert fails the stream with ERR_KTLS_ALERT naming it; user_canceled does not', () => {
    const { log, actions } = recorder();
    const cp = new ControlPlane(TLS_1_3, null, actions, null);
    cp.onRecord(ContentType.alert, alert(AlertLevel.warning, AlertDescription.user_canceled));
    expect(log.errors).toEqual([]);
    cp.onRecord(ContentType.alert, alert(AlertLevel.fatal, AlertDescription.handshake_failure));
    const e = log.errors[0] as NodeKtlsError;
    expect(e).toBeInstanceOf(NodeKtlsError);
    expect(e.code).toBe('ERR_KTLS_ALERT');
    expect(e.alert).toBe('handshake_failure');
  });

  it('KeyUpdate(update_not_requested): next RX key from the next read secret, nothing sent', () => {
    const { log, actions } = recorder();
    const cp = plane13(actions);
    cp.onRecord(ContentType.handshake, buildKeyUpdate(false));
    const want = cryptoStateFromSecret(suite, nextTrafficSecret(suite, secret(1)));
    expect(log.installRx.map((s) => Buffer.from(s.key).toString('hex'))).toEqual([
      Buffer.from(want.key).toString('hex'),
    ]);
    expect(log.installRx[0]!.recSeq).toBe(0n);
    expect(log.keyUpdates).toEqual([]);
  });

  it('KeyUpdate(update_requested): next RX key, and our KeyUpdate(update_not_requested) with the next TX key', () => {
    const { log, actions } = recorder();
    const cp = plane13(actions);
    cp.onRecord(ContentType.handshake, buildKeyUpdate(true));
    cp.onRecord(ContentType.handshake, buildKeyUpdate(true));
    expect(log.installRx).toHaveLength(2);
    expect(log.keyUpdates).toHaveLength(2);
    const [body, next] = log.keyUpdates[1]!;
    expect([...body]).toEqual([...buildKeyUpdate(false)]);
    // The second update follows the first: generation 2 of the write secret.
    const gen2 = nextTrafficSecret(suite, nextTrafficSecret(suite, secret(2)));
    expect(Buffer.from(next.key)).toEqual(Buffer.from(cryptoStateFromSecret(suite, gen2).key));
  });

  it('our KeyUpdate: sent with the next write secret; each call moves one generation on', () => {
    const { log, actions } = recorder();
    const cp = plane13(actions);
    cp.initiateKeyUpdate(true);
    cp.initiateKeyUpdate(false);
    expect(log.keyUpdates.map(([body]) => [...body])).toEqual([
      [...buildKeyUpdate(true)],
      [...buildKeyUpdate(false)],
    ]);
    const gen2 = nextTrafficSecret(suite, nextTrafficSecret(suite, secret(2)));
    expect(Buffer.from(log.keyUpdates[1]![1].key)).toEqual(
      Buffer.from(cryptoStateFromSecret(suite, gen2).key),
    );
    expect(log.installRx).toEqual([]);
    expect(() => new ControlPlane(TLS_1_2, null, actions, null).initiateKeyUpdate(false)).toThrow(
      NodeKtlsError,
    );
  });

  it('a data plane that cannot re-key fails the stream with its error', () => {
    const { log, actions } = recorder();
    const refusing: ControlActions = {
      ...actions,
      installRx: () => {
        throw new NodeKtlsError('ERR_KTLS_REKEY_UNSUPPORTED', 'no rekey', { errno: 'EBUSY' });
      },
    };
    const cp = plane13(refusing);
    cp.onRecord(ContentType.handshake, buildKeyUpdate(false));
    expect((log.errors[0] as NodeKtlsError).code).toBe('ERR_KTLS_REKEY_UNSUPPORTED');
  });

  it('KeyUpdate in TLS 1.2 and a malformed KeyUpdate are protocol errors', () => {
    const a = recorder();
    new ControlPlane(TLS_1_2, null, a.actions, null).onRecord(
      ContentType.handshake,
      buildKeyUpdate(false),
    );
    expect((a.log.errors[0] as NodeKtlsError).code).toBe('ERR_KTLS_PROTOCOL');
    const b = recorder();
    const cp = new ControlPlane(
      TLS_1_3,
      { suite, read: secret(1), write: secret(2) },
      b.actions,
      null,
    );
    cp.onRecord(ContentType.handshake, Uint8Array.of(HandshakeType.keyUpdate, 0, 0, 1, 2));
    const e = b.log.errors[0] as RecordLayerError;
    expect(e).toBeInstanceOf(RecordLayerError);
    expect(e.alert).toBe('illegal_parameter');
  });

  it('a NewSessionTicket split over two records is given whole to Node and out as `ticket`', () => {
    const { log, actions } = recorder();
    const given: Uint8Array[] = [];
    const injector = {
      give: (m: Uint8Array) => given.push(m.slice()),
      wipe: () => {},
    } as unknown as TicketInjector;
    const cp = plane13(actions, injector);
    const nst = buildNewSessionTicket({
      lifetime: 7200,
      ageAdd: 1,
      nonce: Uint8Array.of(0),
      ticket: new Uint8Array(100).fill(7),
      extensions: new Uint8Array(0),
    });
    if (!nst.ok) throw new Error(nst.error.message);
    cp.onRecord(ContentType.handshake, nst.value.subarray(0, 30));
    expect(log.tickets).toEqual([]);
    cp.onRecord(ContentType.handshake, nst.value.subarray(30));
    expect(log.tickets).toEqual([7200]);
    expect(given.map((g) => Buffer.from(g))).toEqual([Buffer.from(nst.value)]);
  });

  it('HelloRequest in TLS 1.2 is ignored (RFC 5246 §7.4.1.1); other messages are protocol errors', () => {
    const a = recorder();
    new ControlPlane(TLS_1_2, null, a.actions, null).onRecord(
      ContentType.handshake,
      Uint8Array.of(HandshakeType.helloRequest, 0, 0, 0),
    );
    expect(a.log.errors).toEqual([]);
    const b = recorder();
    new ControlPlane(TLS_1_3, null, b.actions, null).onRecord(
      ContentType.handshake,
      Uint8Array.of(HandshakeType.certificateRequest, 0, 0, 0),
    );
    expect((b.log.errors[0] as NodeKtlsError).code).toBe('ERR_KTLS_PROTOCOL');
    const c = recorder();
    new ControlPlane(TLS_1_3, null, c.actions, null).onRecord(
      ContentType.changeCipherSpec,
      Uint8Array.of(1),
    );
    expect((c.log.errors[0] as NodeKtlsError).alert).toBe('unexpected_message');
  });
});

describe('TicketInjector', () => {
  it('seals each ticket under the peer secret at 0, 1, ... as Node expects them', () => {
    const engine = new NodeCryptoAeadEngine();
    const state = cryptoStateFromSecret(suite, secret(9));
    const injected: Uint8Array[] = [];
    const injector = new TicketInjector(engine, { ...state, key: state.key.slice() }, (r) =>
      injected.push(r),
    );
    injector.give(Uint8Array.of(4, 0, 0, 1, 0));
    injector.give(Uint8Array.of(4, 0, 0, 1, 1));
    const first = openRecord(engine, state, injected[0]!);
    expect(first.ok && first.value.contentType).toBe(ContentType.handshake);
    if (!first.ok) return;
    const second = openRecord(engine, first.value.next, injected[1]!);
    expect(second.ok && [...second.value.content]).toEqual([4, 0, 0, 1, 1]);
  });
});
