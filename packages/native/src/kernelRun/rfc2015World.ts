import { RecordLayerError } from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import type { Scenario } from '@ktls-lab/sim';
import { AfAlgAeadEngine } from '../afalg.js';
import { native } from '../errors.js';
import { KtlsSocket } from '../ktls.js';
import { rfc2015Capability } from './capability.js';
import { kernelRunResult, type Recorder } from './recorder.js';
import { newStats, Rfc2015DataPlane, type Rfc2015Stats } from './rfc2015DataPlane.js';
import { Rfc2015Endpoint } from './rfc2015Endpoint.js';
import { runScript } from './script.js';
import { socketWire } from './socketWire.js';
import type { KernelRunResult } from './types.js';

/**
 * The rfc-2015 world on a real kernel: client ⇄ relay ⇄ server over loopback TCP with no ULP,
 * each endpoint's data plane sealing and opening through the kernel's AEAD (AF_ALG), its control
 * plane in userspace (`Rfc2015Endpoint`). The same script as the other worlds (`script.ts`).
 */

export interface Rfc2015RunOptions {
  /**
   * Most AF_ALG requests in flight per direction (op sockets per key); also RX's async depth for
   * TLS 1.2 data records. Default: the scenario's depth, at least 4.
   */
  readonly depth?: number;
}

export interface Rfc2015RunResult extends KernelRunResult {
  readonly stats: Rfc2015Stats;
  /** What each control plane noted (refusals, userspace fallbacks). */
  readonly notes: { readonly client: readonly string[]; readonly server: readonly string[] };
}

/** Runs a scenario in the rfc-2015 design on the running kernel's AF_ALG (check `probe()` first). */
export function runScenarioOnRfc2015(
  s: Scenario,
  options: Rfc2015RunOptions = {},
): Rfc2015RunResult {
  const cap = rfc2015Capability(s);
  if (!cap.ok)
    throw RecordLayerError.of(
      'invalid_argument',
      `${s.name}: not runnable on rfc-2015: ${cap.reason}`,
    );
  const kernel = native((b) => b.uname().release);
  const depth = options.depth ?? Math.max(4, s.asyncDepth);
  const stats = newStats();
  const userspace = new NodeCryptoAeadEngine();
  const sockets: KtlsSocket[] = [];
  const planes: Rfc2015DataPlane[] = [];
  try {
    const [c, rc] = KtlsSocket.pair(5000);
    const [rs, sv] = KtlsSocket.pair(5000);
    sockets.push(c, rc, rs, sv);
    const endpoint = (sock: KtlsSocket) => {
      const dp = new Rfc2015DataPlane(
        {
          tx: new AfAlgAeadEngine({ opSockets: depth }),
          rx: new AfAlgAeadEngine({ opSockets: depth }),
        },
        s.profile,
        depth,
        stats,
      );
      planes.push(dp);
      return new Rfc2015Endpoint(dp, sock, userspace);
    };
    const client = endpoint(c);
    const server = endpoint(sv);
    const rec: Recorder = { events: [], t: 0 };
    const wire = socketWire(rec, rc, rs);
    const o = runScript(s, { client, server }, wire, rec);
    return {
      ...kernelRunResult(s, kernel, { design: 'rfc-2015', engine: 'af_alg' }, rec, o, wire),
      stats,
      notes: { client: client.notes, server: server.notes },
    };
  } finally {
    for (const dp of planes) dp.close();
    for (const x of sockets) {
      try {
        x.close();
      } catch {}
    }
  }
}
