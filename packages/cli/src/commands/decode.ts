import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DecodeInput,
  type DecodeResult,
  type StreamDirection,
  type DirectionSummary,
  decodeSession,
  KeyLogError,
  parseKeyLog,
  parseTsharkFollowRaw,
} from '@ktls-lab/core';
import { NodeCryptoAeadEngine } from '@ktls-lab/core/node';
import { EXIT, UsageError } from '../errors.js';
import { readBytes, readText } from '../files.js';
import { StreamedTrace } from '../streamedTrace.js';

/**
 * `ktls-lab decode`: opens every record of a captured session with an NSS key log and writes the
 * standard trace, with where `linux-ktls` would freeze, hand a record to userspace, or fail.
 */
export interface DecodeOptions {
  readonly keylog: string;
  readonly dir?: string;
  readonly c2s?: string;
  readonly s2c?: string;
  readonly tshark?: string;
  readonly trace?: string;
  readonly json?: boolean;
}

type Chunks = { dir: StreamDirection; bytes: Uint8Array }[];

export function loadChunks(o: DecodeOptions): Chunks {
  const sources = [
    o.dir !== undefined,
    o.c2s !== undefined || o.s2c !== undefined,
    o.tshark !== undefined,
  ].filter(Boolean).length;
  if (sources !== 1)
    throw new UsageError('give exactly one of --dir DIR, --c2s FILE --s2c FILE, or --tshark FILE');
  if (o.tshark !== undefined) {
    try {
      return parseTsharkFollowRaw(readText(o.tshark));
    } catch (e) {
      if (e instanceof TypeError) throw new UsageError(`${o.tshark}: ${e.message}`);
      throw e;
    }
  }
  if (o.dir !== undefined) {
    const c2s = readBytes(join(o.dir, 'c2s.bin'));
    const s2c = readBytes(join(o.dir, 's2c.bin'));
    const indexFile = join(o.dir, 'index.json');
    if (!existsSync(indexFile))
      return [
        { dir: 'c2s', bytes: c2s },
        { dir: 's2c', bytes: s2c },
      ];
    // Replays the chunks in the order the relay saw them.
    const index = JSON.parse(readText(indexFile)) as {
      chunks?: { dir: StreamDirection; offset: number; length: number }[];
    };
    if (!Array.isArray(index.chunks))
      throw new UsageError(`${indexFile}: not a ktls-lab capture index`);
    return index.chunks.map((c) => ({
      dir: c.dir,
      bytes: (c.dir === 'c2s' ? c2s : s2c).subarray(c.offset, c.offset + c.length),
    }));
  }
  if (o.c2s === undefined || o.s2c === undefined)
    throw new UsageError('--c2s and --s2c go together');
  return [
    { dir: 'c2s', bytes: readBytes(o.c2s) },
    { dir: 's2c', bytes: readBytes(o.s2c) },
  ];
}

export function decodeFiles(
  o: DecodeOptions,
  stream: Pick<DecodeInput, 'onEvent' | 'keepData'> = {},
): DecodeResult {
  const chunks = loadChunks(o);
  let keylog: ReturnType<typeof parseKeyLog>;
  try {
    keylog = parseKeyLog(readText(o.keylog));
  } catch (e) {
    if (e instanceof KeyLogError) throw new UsageError(`${o.keylog}: ${e.message}`);
    throw e;
  }
  return decodeSession({ chunks, keylog, engine: new NodeCryptoAeadEngine(), ...stream });
}

function directionLines(name: string, d: DirectionSummary): string[] {
  const records = Object.entries(d.records)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const messages = Object.entries(d.handshakeMessages)
    .map(([k, v]) => (v > 1 ? `${k}×${v}` : k))
    .join(', ');
  return [
    `${name}: ${d.bytes} bytes, records: ${records || 'none'}`,
    `    handshake: ${messages || 'none'}`,
    `    key epochs: ${d.epochs}, KeyUpdates: ${d.keyUpdates}${d.keyUpdates > 0 ? ' (linux-ktls: RX freezes at each until TLS_RX is set again; before 6.14: EBADMSG from there)' : ''}`,
    `    application data: ${d.applicationBytes} bytes, sha256 ${d.applicationSha256}`,
    ...(d.alerts.length > 0 ? [`    alerts: ${d.alerts.join(', ')}`] : []),
    ...(d.stopped ? [`    stopped: ${d.stopped}`] : []),
  ];
}

export function decodeCommand(o: DecodeOptions): number {
  // Events go to the trace file as they are made and application data is only hashed, so memory
  // does not grow with the session (the trace is not built as one string).
  const trace = o.trace !== undefined ? new StreamedTrace(o.trace) : null;
  let result: DecodeResult;
  try {
    result = decodeFiles(o, { keepData: false, ...(trace ? { onEvent: trace.push } : {}) });
    trace?.finish(result.header);
  } catch (e) {
    trace?.abandon();
    throw e;
  }
  const s = result.summary;
  if (o.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  } else {
    const lines = [
      `${s.version}, ${s.suite ?? 'suite unknown'}, client random ${s.clientRandom ?? 'unknown'}`,
      ...directionLines('client → server', s.c2s),
      ...directionLines('server → client', s.s2c),
      ...s.problems.map((p) => `problem: ${p}`),
      ...(trace ? [`trace: ${o.trace} (${trace.count} events)`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return s.problems.length === 0 ? EXIT.ok : EXIT.finding;
}
