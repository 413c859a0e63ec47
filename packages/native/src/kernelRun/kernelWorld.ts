import { ContentType, LINUX_KTLS, RecordLayerError, TlsRecordLayer } from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import type { Scenario } from '@ktls-lab/sim';
import { native } from '../errors.js';
import { KtlsSocket } from '../ktls.js';
import { kernelCapability } from './capability.js';
import { coreEndpoint } from './coreWorld.js';
import { kernelRunResult, type Recorder } from './recorder.js';
import { runScript } from './script.js';
import { errnoOf, socketWire } from './socketWire.js';
import type { Endpoint, KernelRunOptions, KernelRunResult } from './types.js';

/**
 * The kernel world: the REAL kernel as the data plane, on loopback TCP: client kTLS socket ⇄
 * relay ⇄ server kTLS socket. The relay is plain TCP in userspace (`RecordRelay` per direction).
 * The client may instead be a userspace TLS stack (core's `TlsRecordLayer` over plain TCP).
 */

/** An `Endpoint` over a kTLS socket: records read with cmsg room (docs/kernel-tls.md §5.2). */
function kernelEndpoint(sock: KtlsSocket): Endpoint {
  return {
    send: (data, more) => {
      let off = 0;
      while (off < data.length) off += sock.send(data.subarray(off), { more });
    },
    sendControl: (type, body) => {
      sock.sendRecord(type, body);
    },
    install: (dir, state) => {
      try {
        sock.setCryptoState(dir, state);
        return 'ok';
      } catch (e) {
        return errnoOf(e);
      }
    },
    recv: () => {
      try {
        const r = sock.recv({ maxBytes: 65536, cmsg: true, dontwait: true });
        if (
          r.data.length === 0 &&
          (r.recordType === null || r.recordType === ContentType.applicationData)
        ) {
          // 0 with a data cmsg is an empty record before a control record (zero_len); without a
          // cmsg it is the end of the stream.
          return r.recordType === null ? { kind: 'eof' } : { kind: 'again' };
        }
        if (r.recordType !== null && r.recordType !== ContentType.applicationData) {
          return { kind: 'control', type: r.recordType, data: r.data };
        }
        return { kind: 'data', data: r.data };
      } catch (e) {
        const errno = errnoOf(e);
        return errno === 'EAGAIN' ? { kind: 'again' } : { kind: 'error', errno };
      }
    },
  };
}

/** core's record layer over a plain TCP socket: a userspace TLS peer of a kernel endpoint. */
function userspaceEndpoint(layer: TlsRecordLayer, sock: KtlsSocket): Endpoint {
  const inner = coreEndpoint(layer, (bytes) => {
    if (bytes.length > 0) sock.sendAll(bytes);
  });
  return {
    ...inner,
    recv: () => {
      for (;;) {
        try {
          const chunk = sock.recv({ maxBytes: 65536, cmsg: false, dontwait: true }).data;
          if (chunk.length === 0) break;
          layer.receive(chunk);
        } catch (e) {
          if (errnoOf(e) === 'EAGAIN') break;
          throw e;
        }
      }
      return inner.recv();
    },
  };
}

/** Runs a scenario on the running kernel's TLS (needs the TLS ULP: check `probe()` first). */
export function runScenarioOnKernel(s: Scenario, options: KernelRunOptions = {}): KernelRunResult {
  const cap = kernelCapability(s);
  if (!cap.ok)
    throw RecordLayerError.of('invalid_argument', `${s.name}: not kernel-capable: ${cap.reason}`);
  const kernel = native((b) => b.uname().release);
  const opened: KtlsSocket[] = [];
  try {
    const [c, rc] = KtlsSocket.pair(5000);
    const [rs, sv] = KtlsSocket.pair(5000);
    opened.push(c, rc, rs, sv);
    const userspaceClient = options.clientPeer === 'userspace';
    if (!userspaceClient) c.attachUlp();
    sv.attachUlp();
    const rec: Recorder = { events: [], t: 0 };
    const wire = socketWire(rec, rc, rs);
    const client = userspaceClient
      ? userspaceEndpoint(
          new TlsRecordLayer({
            engine: new NodeCryptoAeadEngine(),
            design: options.clientDesign ?? LINUX_KTLS,
            endpoint: 'client',
          }),
          c,
        )
      : kernelEndpoint(c);
    const o = runScript(s, { client, server: kernelEndpoint(sv) }, wire, rec);
    const design = userspaceClient
      ? `linux-kernel+userspace-client(${(options.clientDesign ?? LINUX_KTLS).name})`
      : 'linux-kernel';
    const seed = options.seed !== undefined ? { seed: options.seed } : {};
    return kernelRunResult(s, kernel, { design, engine: 'kernel-tls', ...seed }, rec, o, wire);
  } finally {
    for (const x of opened) {
      try {
        x.close();
      } catch {}
    }
  }
}
