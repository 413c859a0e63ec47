/**
 * Benchmark (not a test), run inside the VM with `pnpm test:kernel --bench` (or `pnpm --filter
 * @ktls-lab/native bench`). Under TCG every number is distorted: the CPU is emulated (AES-NI and
 * PCLMUL included), syscalls and context switches are far more expensive than on hardware, so only
 * the ratios measured in the same VM run say anything, and even those lean towards whichever side
 * makes fewer syscalls.
 */
import {
  type AeadAlgorithm,
  cryptoStateFromSecret,
  suiteByName,
  TlsRecordLayer,
} from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import { AfAlgAeadEngine, KtlsSocket, probe } from '../../src/index.js';

const BUDGET_MS = 250;
const ROUNDS = 3;

/** Median over ROUNDS alternating rounds of a and b, so drift in the shared host hits both alike. */
function paired(a: () => number, b: () => number): [number, number] {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ra.push(rate(a));
    rb.push(rate(b));
  }
  const med = (x: number[]) => x.sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
  return [med(ra), med(rb)];
}

function rate(fn: () => number): number {
  // Warm up, then count units done within the budget.
  fn();
  const t0 = performance.now();
  let units = 0;
  while (performance.now() - t0 < BUDGET_MS) units += fn();
  return units / ((performance.now() - t0) / 1000);
}

export interface BenchResult {
  readonly kernel: string | null;
  readonly aead: {
    alg: string;
    size: number;
    afAlgPerSec: number;
    nodePerSec: number;
    ratio: number;
  }[];
  readonly ktls: { size: number; ktlsMBps: number; userspaceMBps: number; ratio: number } | null;
  readonly text: string;
}

export async function runBenchmark(): Promise<BenchResult> {
  const p = probe();
  const lines = [
    `benchmark on ${p.kernel} under qemu TCG: absolute numbers are distorted by emulation; compare ratios only`,
  ];
  const aead: BenchResult['aead'] = [];
  if (p.afAlg.available) {
    const af = new AfAlgAeadEngine();
    const nc = new NodeCryptoAeadEngine();
    for (const alg of ['aes-128-gcm', 'chacha20-poly1305'] as AeadAlgorithm[]) {
      const keyLen = alg === 'aes-128-gcm' ? 16 : 32;
      const ka = af.importKey(alg, new Uint8Array(keyLen).fill(1));
      const kn = nc.importKey(alg, new Uint8Array(keyLen).fill(1));
      for (const size of [64, 1024, 16384]) {
        const req = {
          nonce: new Uint8Array(12),
          aad: new Uint8Array(13),
          plaintext: new Uint8Array(size),
        };
        const [a, n] = paired(
          () => {
            for (let i = 0; i < 16; i++) af.seal({ key: ka, ...req });
            return 16;
          },
          () => {
            for (let i = 0; i < 16; i++) nc.seal({ key: kn, ...req });
            return 16;
          },
        );
        aead.push({ alg, size, afAlgPerSec: a, nodePerSec: n, ratio: a / n });
        lines.push(
          `  seal ${alg.padEnd(17)} ${String(size).padStart(5)} B: AF_ALG ${a.toFixed(0).padStart(7)} rec/s, node:crypto ${n.toFixed(0).padStart(7)} rec/s, AF_ALG/node = ${(a / n).toFixed(2)}`,
        );
      }
    }
    af.close();
  } else lines.push(`  AF_ALG: not available (${p.afAlg.explanation})`);

  let ktls: BenchResult['ktls'] = null;
  if (p.tlsUlp.available) {
    // One loopback connection: first the userspace record layer over plain TCP, then the TLS ULP
    // attached to the same sockets and kernel TLS (TLS 1.3 AES-128-GCM both times).
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    const state = cryptoStateFromSecret(suite, new Uint8Array(32).fill(7));
    const size = 16384;
    const chunk = new Uint8Array(size).fill(0x5a);
    const [c, s] = KtlsSocket.pair(5000);
    try {
      const engine = new NodeCryptoAeadEngine();
      const tx = new TlsRecordLayer({ engine });
      const rx = new TlsRecordLayer({ engine });
      tx.installTxKey(state);
      rx.installRxKey(state);
      const user = rate(() => {
        const wire = tx.send(chunk);
        c.sendAll(wire);
        let got = 0;
        while (got < size) {
          rx.receive(s.recv({ maxBytes: 65536, cmsg: false }).data);
          got += rx.read().length;
        }
        return size;
      });
      c.attachUlp();
      s.attachUlp();
      c.setCryptoState('tx', { ...state, recSeq: 1_000_000n });
      s.setCryptoState('rx', { ...state, recSeq: 1_000_000n });
      const kern = rate(() => {
        c.send(chunk);
        s.recvExact(size);
        return size;
      });
      ktls = { size, ktlsMBps: kern / 1e6, userspaceMBps: user / 1e6, ratio: kern / user };
      lines.push(
        `  loopback 16 KiB records, send+recv: kernel TLS ${(kern / 1e6).toFixed(1)} MB/s, userspace record layer (node:crypto) ${(user / 1e6).toFixed(1)} MB/s, kTLS/userspace = ${(kern / user).toFixed(2)}`,
      );
    } finally {
      c.close();
      s.close();
    }
  } else lines.push(`  kernel TLS: not available (${p.tlsUlp.explanation})`);
  return { kernel: p.kernel, aead, ktls, text: lines.join('\n') };
}
