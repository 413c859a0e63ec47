/**
 * TLS 1.3 records between two record layers, with a KeyUpdate answered as RFC 8446 §4.6.3 says:
 * the client asks for an update, the server's RX freezes (EKEYEXPIRED) until its control plane
 * installs the next key, and the server answers with its own KeyUpdate.
 */
import assert from 'node:assert/strict';
import {
  cryptoStateFromSecret,
  followKeyUpdate,
  nextTrafficSecret,
  parseControlRecord,
  RecordLayerError,
  suiteByName,
  TLS_1_3,
  TlsRecordLayer,
  type TrafficSecrets,
} from '@ktls-lab/core';

const suite = suiteByName('TLS_AES_128_GCM_SHA256');
// In a real session these come from the handshake (a key log, or the TLS library).
const clientSecret = new Uint8Array(32).fill(0x11);
const serverSecret = new Uint8Array(32).fill(0x22);

// Defaults: the node:crypto engine and the linux-ktls design.
const client = new TlsRecordLayer({ endpoint: 'client' });
const server = new TlsRecordLayer({ endpoint: 'server' });
client.installTxKey(cryptoStateFromSecret(suite, clientSecret)); // setsockopt(SOL_TLS, TLS_TX)
client.installRxKey(cryptoStateFromSecret(suite, serverSecret)); // setsockopt(SOL_TLS, TLS_RX)
server.installTxKey(cryptoStateFromSecret(suite, serverSecret));
server.installRxKey(cryptoStateFromSecret(suite, clientSecret));

server.receive(client.send(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')));
const request = server.recv({ cmsg: true });
assert.equal(new TextDecoder().decode(request.data), 'GET / HTTP/1.1\r\n\r\n');
assert.equal(request.epoch, 1);

// The client re-keys and asks the server to do the same.
let clientSecrets: TrafficSecrets = {
  suite,
  read: serverSecret,
  write: nextTrafficSecret(suite, clientSecret),
};
server.receive(client.sendKeyUpdate(cryptoStateFromSecret(suite, clientSecrets.write), true));

// The server's data plane hands the KeyUpdate over alone (a control record needs cmsg room).
const record = server.recv({ cmsg: true });
const parsed = parseControlRecord(record.contentType, record.data, TLS_1_3);
assert.ok(parsed.ok && parsed.value.kind === 'handshake');
const keyUpdate = parsed.value.messages[0];
assert.ok(keyUpdate?.type === 'key-update' && keyUpdate.requestUpdate);

// Until the next key is in, RX is frozen.
assert.throws(
  () => server.recv(),
  (e) => e instanceof RecordLayerError && e.errno === 'EKEYEXPIRED',
);
const answer = followKeyUpdate(
  server,
  { suite, read: clientSecret, write: serverSecret },
  keyUpdate,
);

client.receive(answer.wire);
const back = client.recv({ cmsg: true });
const reply = parseControlRecord(back.contentType, back.data, TLS_1_3);
assert.ok(reply.ok && reply.value.kind === 'handshake');
const replyUpdate = reply.value.messages[0];
assert.ok(replyUpdate?.type === 'key-update' && !replyUpdate.requestUpdate);
clientSecrets = followKeyUpdate(client, clientSecrets, replyUpdate).secrets;

server.receive(client.send(new TextEncoder().encode('after the update')));
const after = server.recv({ cmsg: true });
assert.equal(new TextDecoder().decode(after.data), 'after the update');
assert.equal(after.epoch, 2);
console.log(
  `TLS 1.3: KeyUpdate answered, both directions at epoch 2; ${clientSecrets.read.length}-byte secrets`,
);
