import { describe, expect, it } from 'vitest';
import { cryptoStateFromKeyIv } from '../src/cryptoState.js';
import { TlsRecordLayer } from '../src/driver.js';
import { RecordLayerError } from '../src/errors.js';
import { parseKeyLog, KeyLogError } from '../src/decode/keylog.js';
import { suiteByName } from '../src/suites.js';
import { parseTrace, TraceReader } from '../src/traceReader.js';
import { traceHash } from '../src/traceHash.js';

/** Library misuse from JavaScript (no type checker): a typed EINVAL, never a TypeError inside. */
const state = cryptoStateFromKeyIv(
  suiteByName('TLS_AES_128_GCM_SHA256'),
  new Uint8Array(16),
  new Uint8Array(12),
);
const withTx = () => {
  const l = new TlsRecordLayer();
  l.installTxKey(state);
  return l;
};
const withRx = () => {
  const l = new TlsRecordLayer();
  l.installRxKey(state);
  return l;
};
// biome-ignore lint/suspicious/noExplicitAny: the point is calls a type checker would refuse.
type Loose = any;

const MISUSES: readonly [string, () => unknown][] = [
  ['sendControl(0)', () => (withTx() as Loose).sendControl(0)],
  ['sendControl(0, "abc")', () => (withTx() as Loose).sendControl(0, 'abc')],
  ['sendControl(256, bytes)', () => withTx().sendControl(256 as Loose, new Uint8Array(1))],
  ['sendControl(1.5, bytes)', () => withTx().sendControl(1.5 as Loose, new Uint8Array(1))],
  ['send(null)', () => (withTx() as Loose).send(null)],
  ['send("text")', () => (withTx() as Loose).send('text')],
  ['receive(null)', () => (withRx() as Loose).receive(null)],
  ['receive([1,2])', () => (withRx() as Loose).receive([1, 2])],
  ['recv(null)', () => (withRx() as Loose).recv(null)],
  ['installTxKey(null)', () => (new TlsRecordLayer() as Loose).installTxKey(null)],
  ['installRxKey({})', () => (new TlsRecordLayer() as Loose).installRxKey({})],
  [
    'installTxKey(short key)',
    () => new TlsRecordLayer().installTxKey({ ...state, key: new Uint8Array(3) }),
  ],
  ['sendKeyUpdate(undefined)', () => (withTx() as Loose).sendKeyUpdate(undefined)],
  ['parseTrace(null)', () => (parseTrace as Loose)(null)],
  ['parseTrace(5)', () => (parseTrace as Loose)(5)],
  ['TraceReader.push({})', () => (new TraceReader() as Loose).push({})],
  ['traceHash(null)', () => (traceHash as Loose)(null)],
];

describe('library misuse gives typed errors', () => {
  for (const [name, call] of MISUSES) {
    it(`${name}: RecordLayerError invalid_argument (EINVAL)`, () => {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RecordLayerError);
      expect(thrown).toMatchObject({ code: 'invalid_argument', errno: 'EINVAL', alert: null });
    });
  }
});

describe('key logs', () => {
  const random = '01'.repeat(32);
  const line = (label: string, bytes: number) => `${label} ${random} ${'ab'.repeat(bytes)}`;

  it('accepts LF, CRLF and CR-only line ends alike', () => {
    const lines = [
      line('CLIENT_HANDSHAKE_TRAFFIC_SECRET', 32),
      line('SERVER_HANDSHAKE_TRAFFIC_SECRET', 32),
      line('CLIENT_TRAFFIC_SECRET_0', 32),
    ];
    const sizes = ['\n', '\r\n', '\r'].map(
      (eol) => parseKeyLog(lines.join(eol) + eol).sessions.get(random)?.size,
    );
    expect(sizes).toEqual([3, 3, 3]);
  });

  it.each([
    ['CLIENT_RANDOM', 32, /CLIENT_RANDOM secret is 32 bytes, expected 48/],
    ['CLIENT_TRAFFIC_SECRET_0', 5, /CLIENT_TRAFFIC_SECRET_0 secret is 5 bytes, expected 32 or 48/],
    ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 64, /expected 32 or 48/],
  ])('refuses a %s secret of %i bytes, naming the line', (label, bytes, message) => {
    const text = `# comment\r${line(label, bytes)}\r`;
    expect(() => parseKeyLog(text)).toThrow(KeyLogError);
    expect(() => parseKeyLog(text)).toThrow(/^key log line 2: /);
    expect(() => parseKeyLog(text)).toThrow(message);
  });
});
