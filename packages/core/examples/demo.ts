/**
 * The record layer's demo: a TLS 1.3 stream from client to server with a KeyUpdate in the middle,
 * on the `linux-ktls` design with the node:crypto engine. It prints each record with the plane
 * that handles it, the freeze at the KeyUpdate and the resume when the control plane installs the
 * next key, then writes the trace (NDJSON) next to it.
 *
 *   pnpm --filter @ktls-lab/core demo [--design rfc-2015] [--trace out.ndjson]
 */
import { writeFileSync } from 'node:fs';
import {
  AlertDescription,
  ContentType,
  contentTypeName,
  createLogicalClock,
  cryptoStateFromSecret,
  findDesign,
  HandshakeType,
  keyFingerprint,
  LINUX_KTLS,
  nextTrafficSecret,
  openRecord,
  RecordLayerError,
  serializeTrace,
  suiteByName,
  TlsRecordLayer,
  utf8,
} from '../src/index.js';
import { NodeCryptoAeadEngine } from '../src/node.js';

const args = process.argv.slice(2);
const designName = args[args.indexOf('--design') + 1] ?? 'linux-ktls';
const design = args.includes('--design') ? findDesign(designName) : LINUX_KTLS;
if (!design) {
  console.error(`unknown design "${designName}"; try linux-ktls, linux-ktls-pre-rekey or rfc-2015`);
  process.exit(2);
}
const traceOut = args.includes('--trace') ? args[args.indexOf('--trace') + 1] : undefined;

const suite = suiteByName('TLS_AES_128_GCM_SHA256');
// A demo secret; a real one comes from the handshake (RFC 8446 §7.1, client_application_traffic_secret_0).
let secret: Uint8Array = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
const engine = new NodeCryptoAeadEngine();
const clock = createLogicalClock();
const client = new TlsRecordLayer({
  engine,
  clock,
  endpoint: 'client',
  design: LINUX_KTLS,
  trace: true,
});
const server = new TlsRecordLayer({ engine, clock, endpoint: 'server', design, trace: true });
client.installTxKey(cryptoStateFromSecret(suite, secret));
server.installRxKey(cryptoStateFromSecret(suite, secret));

const log = (s: string) => process.stdout.write(`${s}\n`);
log(`ktls-lab record layer demo: ${suite.name}, client → server, server design "${design.name}"`);
log(`  ${design.summary}`);
log(
  `  epoch 1 key ${keyFingerprint(cryptoStateFromSecret(suite, secret).key)} (fingerprint, never the key)\n`,
);

// The app and the control plane on the client side write: data, a KeyUpdate, more data.
const wire: Uint8Array[] = [];
wire.push(client.send(utf8('GET /index.html HTTP/1.1\r\n')));
wire.push(client.send(utf8('Host: example\r\n\r\n')));
const next = nextTrafficSecret(suite, secret);
wire.push(client.sendKeyUpdate(cryptoStateFromSecret(suite, next)));
wire.push(client.send(utf8('data under the next key')));
wire.push(client.close());
for (const w of wire) server.receive(w);

// The server side reads as a kTLS user does: recvmsg with cmsg room, the control plane acting on
// what comes back.
log(' seq  epoch  plane          record                bytes  what happens');
for (let i = 0; i < 20; i++) {
  try {
    const r = server.recv({ cmsg: true });
    if (r.eof) {
      log(`${' '.repeat(52)}end of stream`);
      break;
    }
    const plane = r.contentType === ContentType.applicationData ? 'data plane' : 'control plane';
    const kind =
      r.contentType === ContentType.handshake && r.data[0] === HandshakeType.keyUpdate
        ? 'handshake/KeyUpdate'
        : contentTypeName(r.contentType);
    log(
      ` ${String(r.seq).padStart(3)}  ${String(r.epoch).padStart(5)}  ${plane.padEnd(13)}  ${kind.padEnd(20)}  ${String(r.data.length).padStart(5)}  ${describe(r.contentType, r.data)}`,
    );
  } catch (e) {
    if (!(e instanceof RecordLayerError)) throw e;
    log(`${' '.repeat(52)}${e.errno}: ${e.message}`);
    if (e.errno === 'EKEYEXPIRED') {
      secret = next;
      server.installRxKey(cryptoStateFromSecret(suite, secret));
      log(
        `${' '.repeat(52)}control plane installs epoch 2 key ${keyFingerprint(cryptoStateFromSecret(suite, secret).key)}: RX resumes`,
      );
    } else if (e.errno === 'EAGAIN' && server.rxPhase === 'held') {
      // rfc-2015: the record is still on the stream; userspace gets the state out, opens the
      // record itself, and puts the state for the following record back.
      const raw = server.takePunted()[0]!;
      const result = openRecord(engine, server.exportRx(), raw);
      if (!result.ok) throw new RecordLayerError(result.error);
      const opened = result.value;
      const keyUpdate =
        opened.contentType === ContentType.handshake &&
        opened.content[0] === HandshakeType.keyUpdate;
      const kind = keyUpdate
        ? 'handshake/KeyUpdate'
        : `${contentTypeName(opened.contentType)} ${describe(opened.contentType, opened.content)}`;
      log(
        `${' '.repeat(52)}rfc-2015: record ${opened.next.recSeq - 1n} (${kind}) left on the stream for userspace`,
      );
      if (keyUpdate) {
        secret = next;
        server.importRx(cryptoStateFromSecret(suite, secret));
        log(`${' '.repeat(52)}userspace puts the epoch 2 state back: RX resumes`);
      } else {
        server.importRx(opened.next);
        if (
          opened.contentType === ContentType.alert &&
          opened.content[1] === AlertDescription.close_notify
        ) {
          log(`${' '.repeat(52)}end of stream`);
          break;
        }
      }
    } else break;
  }
}

function describe(type: number, data: Uint8Array): string {
  if (type === ContentType.applicationData) return JSON.stringify(new TextDecoder().decode(data));
  if (type === ContentType.handshake && data[0] === HandshakeType.keyUpdate)
    return 'RX freezes until TLS_RX is set again';
  if (type === ContentType.alert) return data[1] === 0 ? 'close_notify' : `alert ${data[1]}`;
  return '';
}

const header = {
  format: 'ktls-lab-trace',
  version: 1,
  world: 'core',
  design: design.name,
  engine: engine.name,
  endpoints: ['client', 'server'],
  suite: suite.name,
} as const;
const events = [...client.events, ...server.events].sort((a, b) => a.t - b.t);
const ndjson = serializeTrace(header, events);
log(`\ntrace: ${events.length} events, ${ndjson.length} bytes`);
if (traceOut) {
  writeFileSync(traceOut, ndjson);
  log(`written to ${traceOut}`);
}
