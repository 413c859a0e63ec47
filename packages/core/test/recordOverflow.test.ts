import { describe, expect, it } from 'vitest';
import { concat, MAX_U64 } from '../src/bytes.js';
import { type CryptoState, cryptoStateFromKeyIv } from '../src/cryptoState.js';
import { DESIGNS } from '../src/design.js';
import { TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { RecordLayerError } from '../src/errors.js';
import { ContentType, type ContentTypeByte, MAX_PLAINTEXT } from '../src/protocol.js';
import { openRecord, sealLayout, sealRecord } from '../src/recordCrypto.js';
import { type SuiteName, suiteByName } from '../src/suites.js';

/**
 * RFC 8446 §5.1/§5.4/§6.2 and RFC 5246 §6.2: a record that decrypts to more than 2^14 bytes of
 * content (TLS 1.3: a TLSInnerPlaintext over 2^14 + 1) ends the session with record_overflow. The
 * kernel's framing limits cannot pass such a record, RFC 8446 §5.2's ciphertext limit (2^14 + 256)
 * can; so every design, under both limit profiles, must check after opening.
 */
const engine = new ModelAeadEngine();
const SUITES: readonly SuiteName[] = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
];

function stateOf(name: SuiteName): CryptoState {
  const suite = suiteByName(name);
  return cryptoStateFromKeyIv(
    suite,
    new Uint8Array(suite.aead === 'aes-256-gcm' ? 32 : 16),
    new Uint8Array(12),
  );
}

/** Seals a record the way `sealRecord` does, without its size check: what a broken peer sends. */
function sealUnchecked(state: CryptoState, type: ContentTypeByte, content: Uint8Array): Uint8Array {
  const layout = sealLayout(state, state.iv, state.recSeq, type, content);
  const key = engine.importKey(state.suite.aead, state.key);
  const sealed = engine.seal({
    key,
    nonce: layout.nonce,
    aad: layout.aad,
    plaintext: layout.plaintext,
    trailer: layout.trailer,
  });
  return concat([layout.prefix, sealed]);
}

function overflowOf(f: () => unknown): RecordLayerError {
  try {
    f();
  } catch (e) {
    if (e instanceof RecordLayerError) return e;
    throw e;
  }
  throw new Error('expected a RecordLayerError');
}

describe('record_overflow under every design and limit profile', () => {
  for (const design of DESIGNS) {
    for (const limits of ['kernel', 'rfc'] as const) {
      for (const suite of SUITES) {
        it(`${design.name}, ${limits} limits, ${suite}: 2^14 + 1 bytes of data is refused`, () => {
          const state = stateOf(suite);
          const rx = new TlsRecordLayer({ engine, design, limits });
          rx.installRxKey(state);
          // The largest legal record first: it must still be delivered whole.
          const legal = sealUnchecked(
            state,
            ContentType.applicationData,
            new Uint8Array(MAX_PLAINTEXT).fill(1),
          );
          rx.receive(legal);
          expect(rx.read().length).toBe(MAX_PLAINTEXT);
          const next = { ...state, recSeq: 1n } as CryptoState;
          const over = sealUnchecked(
            next,
            ContentType.applicationData,
            new Uint8Array(MAX_PLAINTEXT + 1),
          );
          rx.receive(over);
          const e = overflowOf(() => rx.recv());
          expect(e.alert).toBe('record_overflow');
          // The kernel's framing refuses it before decryption (EMSGSIZE); RFC limits let it be
          // opened, and the size check after opening gives the same error.
          expect(e.code).toBe('record_overflow');
          expect(e.errno).toBe('EMSGSIZE');
        });
      }
    }
  }

  for (const suite of SUITES) {
    it(`${suite}: userspace openRecord (rfc-2015 control records, decode) refuses it too`, () => {
      const state = stateOf(suite);
      const over = sealUnchecked(state, ContentType.handshake, new Uint8Array(MAX_PLAINTEXT + 1));
      const r = openRecord(engine, state, over);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.error).toMatchObject({ code: 'record_overflow', alert: 'record_overflow' });
      const fits = openRecord(
        engine,
        state,
        sealUnchecked(state, ContentType.handshake, new Uint8Array(MAX_PLAINTEXT)),
      );
      expect(fits.ok).toBe(true);
    });

    it(`${suite}: sealRecord refuses to make one`, () => {
      const state = stateOf(suite);
      const r = sealRecord(
        engine,
        state,
        ContentType.applicationData,
        new Uint8Array(MAX_PLAINTEXT + 1),
      );
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('record_overflow');
      expect(
        sealRecord(engine, { ...state, recSeq: MAX_U64 - 1n }, 23, new Uint8Array(MAX_PLAINTEXT))
          .ok,
      ).toBe(true);
    });
  }
});
