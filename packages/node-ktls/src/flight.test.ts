import {
  ContentType,
  encodeRecord,
  HandshakeType,
  NodeCryptoAeadEngine,
  type WireRecord,
} from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { Flight } from './flight.js';
import { createHandshakeInfo, noteKeyLogLine } from './handshakeInfo.js';

const engine = new NodeCryptoAeadEngine();
const wire = (type: number, body: Uint8Array): WireRecord => {
  const bytes = encodeRecord(type, body);
  return { type, version: 0x0303, header: bytes.subarray(0, 5), body: bytes.subarray(5) };
};
/** A ServerHello body choosing `suite` (and TLS 1.3 with supported_versions when `tls13`). */
function serverHello(suite: number, tls13: boolean): Uint8Array {
  const ext = tls13 ? [0x00, 0x2b, 0x00, 0x02, 0x03, 0x04] : [];
  const body = [
    3,
    3,
    ...new Array(32).fill(1),
    0,
    suite >> 8,
    suite & 0xff,
    0,
    0,
    ext.length,
    ...ext,
  ];
  return Uint8Array.of(HandshakeType.serverHello, 0, 0, body.length, ...body);
}

describe('Flight: where the handshake ends', () => {
  it('reads the version and suite from the ServerHello (even split over two records)', () => {
    const info = createHandshakeInfo();
    const f = new Flight('server', info, engine);
    const sh = serverHello(0x1302, true);
    expect(f.classify(wire(ContentType.handshake, sh.subarray(0, 10)))).toEqual({
      kind: 'handshake',
      last: false,
    });
    expect(info.suite).toBeNull();
    f.classify(wire(ContentType.handshake, sh.subarray(10)));
    expect(info.suite?.name).toBe('TLS_AES_256_GCM_SHA384');
    expect(info.version).toBe(0x0304);
  });

  it('TLS 1.3: a protected record waits for its handshake secret, and a wrong one is an error', () => {
    const info = createHandshakeInfo();
    const f = new Flight('server', info, engine);
    f.classify(wire(ContentType.handshake, serverHello(0x1301, true)));
    const sealed = wire(ContentType.applicationData, new Uint8Array(40));
    expect(f.classify(sealed)).toEqual({ kind: 'need-key' });
    noteKeyLogLine(info, `SERVER_HANDSHAKE_TRAFFIC_SECRET ${'aa'.repeat(32)} ${'bb'.repeat(32)}\n`);
    const verdict = f.classify(sealed);
    expect(verdict.kind).toBe('error');
    if (verdict.kind === 'error') expect(verdict.error.code).toBe('ERR_KTLS_HANDOFF');
  });

  it('a suite without an AEAD record layer here, application data before Finished, and odd types are errors', () => {
    const info = createHandshakeInfo();
    const f = new Flight('server', info, engine);
    expect(f.classify(wire(ContentType.handshake, serverHello(0x002f, false))).kind).toBe('error');
    const g = new Flight('client', createHandshakeInfo(), engine);
    expect(g.classify(wire(ContentType.applicationData, new Uint8Array(20))).kind).toBe('error');
    expect(g.classify(wire(99, new Uint8Array(2))).kind).toBe('error');
  });

  it('TLS 1.2: the record after ChangeCipherSpec is the last; records after it are counted', () => {
    const info = createHandshakeInfo();
    const f = new Flight('server', info, engine);
    f.classify(wire(ContentType.handshake, serverHello(0xc02f, false)));
    expect(f.classify(wire(ContentType.changeCipherSpec, Uint8Array.of(1)))).toEqual({
      kind: 'handshake',
      last: false,
    });
    // Without the master secret the Finished is taken unopened (the hand-off then fails to derive keys).
    expect(f.classify(wire(ContentType.handshake, new Uint8Array(40)))).toEqual({
      kind: 'handshake',
      last: true,
    });
    expect(f.classify(wire(ContentType.applicationData, new Uint8Array(40)))).toEqual({
      kind: 'application',
    });
    expect(f.applicationRecords).toBe(1n);
  });
});
