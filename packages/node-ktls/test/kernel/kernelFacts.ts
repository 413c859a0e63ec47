/** What the kernel says about itself, for the `node-ktls` VM rows (docs/kernel-tls.md §4.1). */
import { readFileSync } from 'node:fs';
import type { ProbeResult } from '@ktls-lab/native';
import type { PlaneKind } from '../../src/index.js';

/**
 * /proc/net/tls_stat as name → count: `TlsTxSw`/`TlsRxSw` count the sockets given a software
 * TLS_TX/TLS_RX since boot, `TlsRxRekeyOk` (6.14+) each accepted second TLS_RX.
 */
export function tlsStat(): Map<string, number> {
  const stat = new Map<string, number>();
  for (const line of readFileSync('/proc/net/tls_stat', 'latin1').split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value) stat.set(name, Number(value));
  }
  return stat;
}

/**
 * The plane the default policy gives both directions on this kernel (README "Offload policy"):
 * TLS 1.2 always the kernel; TLS 1.3 the kernel only where it can re-key (6.14+).
 */
export function expectedPlanes(p: ProbeResult, tls13: boolean): PlaneKind {
  return !tls13 || p.rekey.available ? 'kernel' : 'userspace';
}
