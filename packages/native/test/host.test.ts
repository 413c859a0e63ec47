/**
 * Host-side tests: what must hold on any Linux machine, including this project's, whose kernel has
 * neither AF_ALG nor kernel TLS. The addon loads; probe() names what is missing and why; engine and
 * socket calls fail with typed errors carrying the errno name. The kernel suite proper runs in the
 * VM (`pnpm test:kernel`, run by CI); see kernel.test.ts for what it covers here.
 */
import { cryptoStateFromSecret, suiteByName } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import {
  AfAlgAeadEngine,
  formatProbe,
  KtlsSocket,
  loadNative,
  NativeSyscallError,
  probe,
} from '../src/index.js';

const host = probe();

describe('addon', () => {
  it('loads on Linux and reports the running kernel', () => {
    const loaded = loadNative();
    expect(loaded.ok, loaded.ok ? '' : loaded.message).toBe(true);
    expect(host.addon.available).toBe(true);
    expect(host.kernel).toMatch(/^\d+\.\d+/);
  });

  it('importing the package never throws, and a second load returns the same result', () => {
    expect(loadNative()).toBe(loadNative());
  });

  it('a loopback TCP pair made by the addon carries bytes (no TLS involved)', () => {
    const [c, s] = KtlsSocket.pair(2000);
    try {
      expect(c.send(new TextEncoder().encode('hello'))).toBe(5);
      const r = s.recv({ maxBytes: 16, cmsg: true });
      expect(new TextDecoder().decode(r.data)).toBe('hello');
      expect(r.recordType).toBeNull(); // plain TCP sends no TLS_GET_RECORD_TYPE cmsg
    } finally {
      c.close();
      s.close();
    }
  });
});

describe('recvIfReady: recv for an event loop', () => {
  it('null where recv throws EAGAIN, the bytes when they come, an empty read at EOF', () => {
    const [c, s] = KtlsSocket.pair(2000);
    try {
      // Nothing queued: recv with MSG_DONTWAIT throws EAGAIN, recvIfReady says null (no error made).
      expect(() => s.recv({ dontwait: true })).toThrow(
        expect.objectContaining({ errno: 'EAGAIN', syscall: 'recvmsg' }),
      );
      expect(s.recvIfReady({ cmsg: true })).toBeNull();
      // It never blocks, even on a blocking socket: MSG_DONTWAIT is its own.
      c.send(new TextEncoder().encode('hello'));
      const r = s.recvIfReady({ maxBytes: 16, cmsg: true });
      expect(r && new TextDecoder().decode(r.data)).toBe('hello');
      expect(s.recvIfReady()).toBeNull();
      c.shutdown(1); // FIN
      const eof = s.recvIfReady();
      expect(eof?.data.length).toBe(0);
    } finally {
      c.close();
      s.close();
    }
  });

  it('other errors still throw (EBADF on a closed fd)', () => {
    const [c, s] = KtlsSocket.pair(2000);
    c.close();
    const fd = s.fd;
    s.close();
    expect(() => new KtlsSocket(fd, { owned: false }).recvIfReady()).toThrow(
      expect.objectContaining({ errno: 'EBADF' }),
    );
  });
});

describe('refused TLS setsockopts say why, not only the errno', () => {
  it('TLS_TX on a socket without the TLS ULP: ENOPROTOOPT, "attachUlp() first"', () => {
    const [c, s] = KtlsSocket.pair(2000);
    try {
      const state = cryptoStateFromSecret(
        suiteByName('TLS_AES_128_GCM_SHA256'),
        new Uint8Array(32),
      );
      let error: unknown;
      try {
        c.setCryptoState('tx', state);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NativeSyscallError);
      const e = error as NativeSyscallError;
      expect(e.errno).toBe('ENOPROTOOPT');
      expect(e.syscall).toBe('setsockopt(SOL_TLS, TLS_TX)');
      expect(e.message).toContain('TLS_TX: ENOPROTOOPT');
      expect(e.message).toContain('attachUlp() first');
      expect(e.message).not.toMatch(/setsockopt\(282/);
    } finally {
      c.close();
      s.close();
    }
  });
});

// These are facts about THIS host (docs/vm-harness.md: no AF_ALG, no kTLS). If the project ever
// runs on a kernel that has them, the kernel suite runs here too (kernel.test.ts) and these two say
// so.
describe.runIf(!host.afAlg.available)('probe on a kernel without AF_ALG', () => {
  it('says AF_ALG is missing: EAFNOSUPPORT, with the config option to blame', () => {
    expect(host.afAlg.errno).toBe('EAFNOSUPPORT');
    expect(host.afAlg.explanation).toMatch(/CONFIG_CRYPTO_USER_API_AEAD/);
    for (const name of ['gcm(aes)', 'ccm(aes)', 'rfc7539(chacha20,poly1305)']) {
      expect(host.aead[name]?.available).toBe(false);
      expect(host.aead[name]?.errno).toBe('EAFNOSUPPORT');
    }
    expect(host.missing.some((m) => m.startsWith('AF_ALG:'))).toBe(true);
  });

  it('AfAlgAeadEngine.importKey fails with a typed EAFNOSUPPORT error (a policy can punt)', () => {
    const engine = new AfAlgAeadEngine();
    let error: unknown;
    try {
      engine.importKey('aes-128-gcm', new Uint8Array(16));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeSyscallError);
    const e = error as NativeSyscallError;
    expect(e.code).toBe('EAFNOSUPPORT');
    expect(e.errno).toBe('EAFNOSUPPORT');
    expect(e.syscall).toBe('socket(AF_ALG)');
    expect(engine.openKeys).toBe(0);
  });

  it('a wrong key length is refused before any syscall (core RecordLayerError)', () => {
    expect(() => new AfAlgAeadEngine().importKey('aes-128-gcm', new Uint8Array(3))).toThrow(
      /16 bytes/,
    );
  });
});

describe.runIf(!host.tlsUlp.available)('probe on a kernel without kernel TLS', () => {
  it('says the TLS ULP is missing: ENOENT on TCP_ULP, no CONFIG_TLS', () => {
    expect(host.tlsUlp.errno).toBe('ENOENT');
    expect(host.tlsUlp.explanation).toMatch(/CONFIG_TLS/);
    expect(host.tlsTx).toEqual([]);
    expect(host.rekey.available).toBe(false);
    expect(formatProbe(host)).toMatch(/TLS ULP: +no/);
  });

  it('attachUlp fails with ENOENT; TLS_TX without the ULP fails with ENOPROTOOPT', () => {
    const [c, s] = KtlsSocket.pair(2000);
    try {
      expect(() => c.attachUlp()).toThrow(
        expect.objectContaining({ errno: 'ENOENT', syscall: 'setsockopt(TCP_ULP, tls)' }),
      );
      const state = cryptoStateFromSecret(
        suiteByName('TLS_AES_128_GCM_SHA256'),
        new Uint8Array(32),
      );
      // SOL_TLS is not a level plain TCP knows: tcp_setsockopt → ENOPROTOOPT.
      expect(() => c.setCryptoState('tx', state)).toThrow(
        expect.objectContaining({ errno: 'ENOPROTOOPT' }),
      );
    } finally {
      c.close();
      s.close();
    }
  });
});

describe('typed errors', () => {
  it('syscall failures carry code, errno name, number and syscall', () => {
    // An fd number no process has open: EBADF, whatever else runs in this process.
    const nowhere = new KtlsSocket(1_000_000);
    let error: unknown;
    try {
      nowhere.send(new Uint8Array(1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeSyscallError);
    expect((error as NativeSyscallError).code).toBe('EBADF');
    expect((error as NativeSyscallError).errno).toBe('EBADF');
    expect((error as NativeSyscallError).errnoNumber).toBe(9);
    expect((error as NativeSyscallError).syscall).toBe('sendmsg');
  });
});
