/**
 * The library example of the repository's README.md, as a program: the lines between the
 * markers stand in README.md word for word (check-readme.mjs holds them to it), so the README
 * cannot drift from the API.
 */
import assert from 'node:assert/strict';

const clientApplicationTrafficSecret0 = new Uint8Array(32).fill(0x42);

// README:begin
import { cryptoStateFromSecret, TlsRecordLayer } from '@ktls-lab/core';

const state = cryptoStateFromSecret('TLS_AES_128_GCM_SHA256', clientApplicationTrafficSecret0);
const tx = new TlsRecordLayer(); // node:crypto engine, design 'linux-ktls'
const rx = new TlsRecordLayer({ design: 'linux-ktls' });
tx.installTxKey(state); // setsockopt(SOL_TLS, TLS_TX)
rx.installRxKey(state); // setsockopt(SOL_TLS, TLS_RX)
rx.receive(tx.send(new TextEncoder().encode('hi'))); // any chunking
const r = rx.recv({ cmsg: true }); // { data, contentType: 23, seq: 0n, epoch: 1, eof: false }
// README:end

assert.equal(new TextDecoder().decode(r.data), 'hi');
assert.deepEqual(
  { contentType: r.contentType, seq: r.seq, epoch: r.epoch, eof: r.eof },
  { contentType: 23, seq: 0n, epoch: 1, eof: false },
);
console.log('README example: ok');
