import { once } from 'node:events';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { accept, type KtlsStream } from '../src/index.js';
import { exchange, listen, makeCert, NO_KERNEL, nodeServer } from './helpers.js';

/**
 * Node's own tls as the peer, both sides, both versions, the three AEADs the kernel offloads
 * everywhere: 4 MiB each way through the userspace data plane, checked by SHA-256.
 */
const { key, cert } = makeCert();
const MIB4 = 4 << 20;

const SUITES = {
  'TLSv1.3': {
    TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
    TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
    TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
  },
  'TLSv1.2': {
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  },
} as const;

describe('client side: connect() against a Node tls.Server', () => {
  for (const [version, suites] of Object.entries(SUITES)) {
    for (const [standard, openssl] of Object.entries(suites)) {
      it(`${version} ${standard}: 4 MiB each way, byte-exact, close_notify ends both`, async () => {
        const { server, ours: dial } = await nodeServer(
          { key, cert },
          {
            minVersion: version as tls.SecureVersion,
            maxVersion: version as tls.SecureVersion,
            ciphers: openssl,
          },
        );
        const { ours, theirs } = await dial();
        expect(ours.getProtocol()).toBe(version);
        expect(ours.getCipher().standardName).toBe(standard);
        expect(ours.getPeerCertificate().subject.CN).toBe('localhost');
        expect(ours.offload.rx.plane).toBe('userspace');
        // RFC 8446 §5.3: 0 in each direction; RFC 5246 §6.1: Finished was 0, so 1.
        const first = version === 'TLSv1.3' ? 0n : 1n;
        expect(ours.handoff.rxSeq).toBe(first);
        expect(ours.handoff.txSeq).toBe(first);
        const r = await exchange(ours, theirs, MIB4);
        expect(r.oursGot).toBe(r.down);
        expect(r.theirsGot).toBe(r.up);
        server.close();
      });
    }
  }
});

describe('server side: accept() against Node tls.connect', () => {
  for (const [version, suites] of Object.entries(SUITES)) {
    for (const [standard, openssl] of Object.entries(suites)) {
      it(`${version} ${standard}: 4 MiB each way, byte-exact, close_notify ends both`, async () => {
        let accepted!: Promise<KtlsStream>;
        const { server, port } = await listen((raw) => {
          accepted = accept(raw, { key, cert }, { probe: NO_KERNEL });
        });
        const theirs = tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca: cert,
          minVersion: version as tls.SecureVersion,
          maxVersion: version as tls.SecureVersion,
          ciphers: openssl,
        });
        await once(theirs, 'secureConnect');
        const ours = await accepted;
        expect(ours.getProtocol()).toBe(version);
        expect(ours.getCipher().standardName).toBe(standard);
        if (version === 'TLSv1.3') {
          // The server's NewSessionTickets left under application secret 0 before the hand-off:
          // the data plane seals from the next number (each ticket was opened to prove it).
          expect(ours.handoff.records.ownApplication).toBeGreaterThan(0);
          expect(ours.handoff.txSeq).toBe(BigInt(ours.handoff.records.ownApplication));
          expect(ours.handoff.rxSeq).toBe(0n);
        } else {
          expect(ours.handoff.txSeq).toBe(1n);
          expect(ours.handoff.rxSeq).toBe(1n);
        }
        const r = await exchange(ours, theirs, MIB4);
        expect(r.oursGot).toBe(r.down);
        expect(r.theirsGot).toBe(r.up);
        server.close();
      });
    }
  }
});
