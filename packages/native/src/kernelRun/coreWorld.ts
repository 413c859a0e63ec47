import { ContentType, LINUX_KTLS, RecordLayerError, TlsRecordLayer } from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import type { Scenario } from '@ktls-lab/sim';
import { type Recorder, runResult } from './recorder.js';
import { RecordRelay, relayWire, wireEvent } from './relay.js';
import { runScript } from './script.js';
import type { Endpoint, KernelRunOptions, KernelRunResult } from './types.js';

/**
 * The core world: the same script on core's `TlsRecordLayer` (node:crypto), both endpoints in
 * memory, the relay between them in the same thread.
 */

/** An `Endpoint` over core's record layer; `out` takes the records it seals. */
export function coreEndpoint(layer: TlsRecordLayer, out: (bytes: Uint8Array) => void): Endpoint {
  const errno = (e: unknown) => {
    if (e instanceof RecordLayerError) return e.errno;
    throw e;
  };
  return {
    send: (data, more) => out(layer.send(data, { more })),
    sendControl: (type, body) => out(layer.sendControl(type, body)),
    install: (dir, state) => {
      try {
        if (dir === 'tx') layer.installTxKey(state);
        else layer.installRxKey(state);
        return 'ok';
      } catch (e) {
        return errno(e);
      }
    },
    recv: () => {
      try {
        // With cmsg room, as the kernel needs it: without, a control record at the head gives
        // EIO and stays queued (docs/kernel-tls.md §5.2), in core as in the kernel.
        const r = layer.recv({ cmsg: true });
        if (r.eof) return { kind: 'eof' };
        if (r.contentType !== ContentType.applicationData) {
          return { kind: 'control', type: r.contentType, data: r.data };
        }
        if (r.data.length === 0) return { kind: 'again' };
        return { kind: 'data', data: r.data };
      } catch (e) {
        const n = errno(e);
        return n === 'EAGAIN' ? { kind: 'again' } : { kind: 'error', errno: n };
      }
    },
  };
}

/** The same script on core's `TlsRecordLayer` (node:crypto), in the design of your choice. */
export function runScenarioOnCore(s: Scenario, options: KernelRunOptions = {}): KernelRunResult {
  const design = options.design ?? LINUX_KTLS;
  const engine = new NodeCryptoAeadEngine();
  const client = new TlsRecordLayer({
    engine,
    design: options.clientDesign ?? design,
    endpoint: 'client',
  });
  const server = new TlsRecordLayer({ engine, design, endpoint: 'server' });
  const rec: Recorder = { events: [], t: 0 };
  const c2s = new RecordRelay(wireEvent(rec, 'client'));
  const s2c = new RecordRelay(wireEvent(rec, 'server'));
  const pending = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  const wire = relayWire(
    { c2s, s2c },
    {
      pump: () => {
        const a = c2s.push(Buffer.concat(pending.client.splice(0)));
        if (a.length > 0) server.receive(a);
        const b = s2c.push(Buffer.concat(pending.server.splice(0)));
        if (b.length > 0) client.receive(b);
        return a.length + b.length;
      },
      settle: () => undefined,
      deliver: (to, bytes) => (to === 'server' ? server : client).receive(bytes),
    },
  );
  const o = runScript(
    s,
    {
      client: coreEndpoint(client, (b) => pending.client.push(b)),
      server: coreEndpoint(server, (b) => pending.server.push(b)),
    },
    wire,
    rec,
  );
  return runResult(
    s,
    'core',
    design.name,
    { design: design.name, engine: engine.name },
    rec,
    o,
    wire,
  );
}
