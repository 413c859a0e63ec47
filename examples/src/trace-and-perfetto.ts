/**
 * A trace of a record layer: collect events, write NDJSON with a header the layer fills in, read
 * it back in pieces with the streaming reader, and convert it to Perfetto's JSON.
 */
import assert from 'node:assert/strict';
import {
  cryptoStateFromSecret,
  serializeTrace,
  type TraceEvent,
  TraceReader,
  TlsRecordLayer,
  toPerfetto,
} from '@ktls-lab/core';

const state = cryptoStateFromSecret('TLS_CHACHA20_POLY1305_SHA256', new Uint8Array(32).fill(3));
const layer = new TlsRecordLayer({ trace: true, endpoint: 'client' });
layer.installTxKey(state);
layer.send(new TextEncoder().encode('traced'));
layer.close();

const text = serializeTrace(layer.traceHeader({ suite: state.suite.name }), layer.events);
const kinds: string[] = [];
const reader = new TraceReader({ onEvent: (e: TraceEvent) => kinds.push(e.kind) });
for (let i = 0; i < text.length; i += 50) assert.equal(reader.push(text.slice(i, i + 50)), null);
const result = reader.end();
assert.ok(result.ok, result.ok ? '' : result.error.message);
assert.ok(kinds.includes('seal-request') && kinds.includes('record-out'));
// Keys never reach a trace: fingerprints only.
assert.ok(!text.includes('03030303'));

const perfetto = toPerfetto(result.header, layer.events);
assert.ok(perfetto.traceEvents.length > kinds.length);
console.log(
  `trace: ${kinds.length} events read back in 50-character pieces; ${perfetto.traceEvents.length} Perfetto events`,
);
