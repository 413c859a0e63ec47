/**
 * TLS 1.2 records (RFC 5288 AES-GCM) from a key block: the key schedule of RFC 5246 §6.3 gives
 * each direction's key and implicit IV; the explicit nonce travels in each record. TLS 1.2 has
 * no KeyUpdate, and the record layer says so instead of sending one.
 */
import assert from 'node:assert/strict';
import {
  cryptoStateFromKeyIv,
  RecordLayerError,
  suiteByName,
  TlsRecordLayer,
  tls12KeyBlock,
} from '@ktls-lab/core';

const suite = suiteByName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
const master = new Uint8Array(48).fill(7);
const keys = tls12KeyBlock(suite, master, new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));

const tx = new TlsRecordLayer({ design: 'linux-ktls' });
const rx = new TlsRecordLayer();
const state = cryptoStateFromKeyIv(suite, keys.clientKey, keys.clientIv);
tx.installTxKey(state);
rx.installRxKey(state);

const wire = tx.send(new TextEncoder().encode('hello over TLS 1.2'));
// header (5) + explicit nonce (8) + 18 bytes + tag (16)
assert.equal(wire.length, 5 + 8 + 18 + 16);
// Any chunking: the RX machine frames records from a byte stream.
for (const b of wire) rx.receive(Uint8Array.of(b));
assert.equal(new TextDecoder().decode(rx.read()), 'hello over TLS 1.2');

assert.throws(
  () => tx.sendKeyUpdate(state),
  (e) => e instanceof RecordLayerError && e.errno === 'EBUSY' && /TLS 1.2/.test(e.message),
);
console.log('TLS 1.2: records sealed and opened; KeyUpdate refused with EBUSY (TLS 1.3 only)');
