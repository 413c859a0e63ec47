import { describe, expect, it } from 'vitest';
import { concat, toHex, utf8 } from '../bytes.js';
import { encodeRecord } from '../codec.js';
import { cryptoStateFromSecret } from '../cryptoState.js';
import { NodeCryptoAeadEngine } from '../engines/nodeCrypto.js';
import { nextTrafficSecret } from '../keySchedule.js';
import { sealRecord } from '../recordCrypto.js';
import { suiteByName } from '../suites.js';
import type { TraceEvent } from '../trace.js';
import { KeyLogError, parseKeyLog } from './keylog.js';
import { decodeSession } from './session.js';
import { parseTsharkFollowRaw } from './tshark.js';

/**
 * A synthetic TLS 1.3 session, sealed with the project's own record layer: hand-built hellos, a
 * server Finished and client Finished under handshake keys, then application data, a KeyUpdate
 * and close_notify. Real peers (OpenSSL, Node's tls) are decoded in packages/cli's interop tests.
 */
const suite = suiteByName('TLS_AES_128_GCM_SHA256');
const engine = new NodeCryptoAeadEngine();
const random = new Uint8Array(32).fill(0x5a);
const secrets = {
  chs: new Uint8Array(32).fill(1),
  shs: new Uint8Array(32).fill(2),
  cap: new Uint8Array(32).fill(3),
  sap: new Uint8Array(32).fill(4),
};
const hs = (type: number, body: Uint8Array) =>
  concat([Uint8Array.of(type, 0, body.length >> 8, body.length & 0xff), body]);
const clientHello = hs(1, concat([Uint8Array.of(3, 3), random, Uint8Array.of(0)]));
// ServerHello: version, random, empty session id, 0x1301, no compression, supported_versions=0x0304
const serverHello = hs(
  2,
  concat([
    Uint8Array.of(3, 3),
    new Uint8Array(32).fill(9),
    Uint8Array.of(0, 0x13, 0x01, 0, 0, 6, 0, 0x2b, 0, 2, 3, 4),
  ]),
);

function seal(state: ReturnType<typeof cryptoStateFromSecret>, type: number, body: Uint8Array) {
  const r = sealRecord(engine, state, type, body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function session() {
  let cs = cryptoStateFromSecret(suite, secrets.chs);
  let ss = cryptoStateFromSecret(suite, secrets.shs);
  const s2c: Uint8Array[] = [encodeRecord(22, serverHello)];
  let r = seal(ss, 22, concat([hs(8, new Uint8Array(2)), hs(20, new Uint8Array(32))]));
  s2c.push(r.record);
  const c2s: Uint8Array[] = [
    encodeRecord(22, clientHello, 0x0301),
    encodeRecord(20, Uint8Array.of(1)),
  ];
  r = seal(cs, 22, hs(20, new Uint8Array(32)));
  c2s.push(r.record);
  cs = cryptoStateFromSecret(suite, secrets.cap);
  ss = cryptoStateFromSecret(suite, secrets.sap);
  for (const part of ['GET /', ' HTTP/1.1']) {
    r = seal(cs, 23, utf8(part));
    c2s.push(r.record);
    cs = r.next;
  }
  r = seal(cs, 22, Uint8Array.of(24, 0, 0, 1, 0));
  c2s.push(r.record);
  cs = cryptoStateFromSecret(suite, nextTrafficSecret(suite, secrets.cap));
  r = seal(cs, 23, utf8(' after rekey'));
  c2s.push(r.record);
  cs = r.next;
  r = seal(cs, 21, Uint8Array.of(1, 0));
  c2s.push(r.record);
  r = seal(ss, 23, utf8('200 OK'));
  s2c.push(r.record);
  const keylog = [
    `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${toHex(random)} ${toHex(secrets.chs)}`,
    `SERVER_HANDSHAKE_TRAFFIC_SECRET ${toHex(random)} ${toHex(secrets.shs)}`,
    `CLIENT_TRAFFIC_SECRET_0 ${toHex(random)} ${toHex(secrets.cap)}`,
    `SERVER_TRAFFIC_SECRET_0 ${toHex(random)} ${toHex(secrets.sap)}`,
  ].join('\n');
  return { c2s: concat(c2s), s2c: concat(s2c), keylog };
}

describe('decodeSession', () => {
  it('follows the handshake, opens every record, follows the KeyUpdate', () => {
    const s = session();
    const r = decodeSession({
      chunks: [
        { dir: 'c2s', bytes: s.c2s },
        { dir: 's2c', bytes: s.s2c },
      ],
      keylog: parseKeyLog(s.keylog),
      engine,
    });
    expect(r.summary.problems).toEqual([]);
    expect(r.summary.version).toBe('TLS 1.3');
    expect(r.summary.suite).toBe('TLS_AES_128_GCM_SHA256');
    expect(new TextDecoder().decode(r.data.c2s)).toBe('GET / HTTP/1.1 after rekey');
    expect(new TextDecoder().decode(r.data.s2c)).toBe('200 OK');
    expect(r.summary.c2s.keyUpdates).toBe(1);
    expect(r.summary.c2s.epochs).toBe(3); // handshake, traffic 0, traffic 1
    expect(r.summary.c2s.alerts).toEqual(['close_notify']);
    const kinds = r.events.filter((e) => e.ep === 'server').map((e) => e.kind);
    expect(kinds.indexOf('freeze')).toBeGreaterThan(-1);
    expect(kinds.indexOf('resume')).toBeGreaterThan(kinds.indexOf('freeze'));
    expect(kinds).toContain('eof');
  });

  it('decodes the same from any chunking of the two streams', () => {
    const s = session();
    const chunks = [];
    for (let i = 0; i < Math.max(s.c2s.length, s.s2c.length); i += 7) {
      chunks.push({ dir: 'c2s' as const, bytes: s.c2s.subarray(i, i + 7) });
      chunks.push({ dir: 's2c' as const, bytes: s.s2c.subarray(i, i + 7) });
    }
    const r = decodeSession({ chunks, keylog: parseKeyLog(s.keylog), engine });
    expect(r.summary.problems).toEqual([]);
    expect(new TextDecoder().decode(r.data.c2s)).toBe('GET / HTTP/1.1 after rekey');
  });

  it('streams: chunks from a generator, events handed out and data not kept, the same summary', () => {
    const s = session();
    const whole = decodeSession({
      chunks: [
        { dir: 'c2s', bytes: s.c2s },
        { dir: 's2c', bytes: s.s2c },
      ],
      keylog: parseKeyLog(s.keylog),
      engine,
    });
    function* pieces() {
      for (let i = 0; i < Math.max(s.c2s.length, s.s2c.length); i += 5) {
        yield { dir: 'c2s' as const, bytes: s.c2s.subarray(i, i + 5) };
        yield { dir: 's2c' as const, bytes: s.s2c.subarray(i, i + 5) };
      }
    }
    const seen: TraceEvent[] = [];
    const streamed = decodeSession({
      chunks: pieces(),
      keylog: parseKeyLog(s.keylog),
      engine,
      onEvent: (e) => seen.push(e),
      keepData: false,
    });
    expect(streamed.events).toEqual([]);
    expect(streamed.data.c2s.length + streamed.data.s2c.length).toBe(0);
    expect(streamed.summary.problems).toEqual([]);
    expect(streamed.summary.c2s.applicationSha256).toBe(whole.summary.c2s.applicationSha256);
    expect(streamed.summary.s2c.applicationBytes).toBe(6);
    // The chunking interleaves the directions differently, so compare what happened, not when.
    const what = (es: TraceEvent[]) => es.map((e) => `${e.ep} ${e.kind} ${e.seq ?? ''}`).sort();
    expect(what(seen)).toEqual(what(whole.events));
  });

  it('names the missing secret and the client random', () => {
    const s = session();
    const keylog = s.keylog
      .split('\n')
      .filter((l) => !l.startsWith('SERVER_TRAFFIC'))
      .join('\n');
    const r = decodeSession({
      chunks: [
        { dir: 'c2s', bytes: s.c2s },
        { dir: 's2c', bytes: s.s2c },
      ],
      keylog: parseKeyLog(keylog),
      engine,
    });
    expect(r.summary.problems.join()).toContain(
      `no SERVER_TRAFFIC_SECRET_0 for client random ${toHex(random)}`,
    );
  });

  it('says when the capture does not start at the beginning, and where a truncated one stops', () => {
    const s = session();
    const late = decodeSession({
      chunks: [
        { dir: 'c2s', bytes: s.c2s.subarray(60) },
        { dir: 's2c', bytes: s.s2c },
      ],
      keylog: parseKeyLog(s.keylog),
      engine,
    });
    expect(late.summary.problems.join()).toMatch(/does not start at the beginning/);
    const cut = decodeSession({
      chunks: [
        { dir: 'c2s', bytes: s.c2s.subarray(0, s.c2s.length - 3) },
        { dir: 's2c', bytes: s.s2c },
      ],
      keylog: parseKeyLog(s.keylog),
      engine,
    });
    expect(cut.summary.c2s.stopped).toMatch(
      /truncated: \d+ bytes of an incomplete record at stream offset \d+/,
    );
    expect(new TextDecoder().decode(cut.data.c2s)).toBe('GET / HTTP/1.1 after rekey');
  });

  it('rejects malformed key logs with the line number', () => {
    expect(() => parseKeyLog('# comment\nCLIENT_RANDOM zz 00')).toThrow(KeyLogError);
    expect(() => parseKeyLog('CLIENT_RANDOM 00')).toThrow(/line 1/);
  });

  it('reads tshark follow,tcp,raw output', () => {
    const text =
      '\n===================================================================\nFollow: tcp,raw\nFilter: tcp.stream eq 0\nNode 0: 127.0.0.1:5000\nNode 1: 127.0.0.1:443\n160301\n\t160303\n00ff\n===================================================================\n';
    expect(parseTsharkFollowRaw(text)).toEqual([
      { dir: 'c2s', bytes: Uint8Array.of(0x16, 3, 1) },
      { dir: 's2c', bytes: Uint8Array.of(0x16, 3, 3) },
      { dir: 'c2s', bytes: Uint8Array.of(0, 0xff) },
    ]);
    expect(() => parseTsharkFollowRaw('hello')).toThrow(/not tshark/);
    // CR-only line ends read like LF; a bad line is named by its number.
    expect(parseTsharkFollowRaw('Node 0: a\r1603\r\t0a0b\r')).toHaveLength(2);
    expect(() => parseTsharkFollowRaw('Node 0: a\n1603\nabc\n')).toThrow(
      /line 3: expected hex bytes \(an even number of digits\), got "abc"/,
    );
  });
});
