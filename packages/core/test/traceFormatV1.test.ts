/**
 * Traces written by ktls-lab 0.1 (trace format version 1, committed in test/fixtures/) still load
 * now that the vocabulary is closed: the simulator's round-trip byte for byte, and the kernel
 * world's free-text reasons are read in today's spelling with the old text kept in `note`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRACE_VERSION } from '../src/trace.js';
import { isTraceEvent } from '../src/traceCheck.js';
import { parseTrace, serializeTrace } from '../src/traceCodec.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function load(name: string) {
  const text = fixture(name);
  const r = parseTrace(text);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return { text, ...r };
}

describe('trace format version 1, as 0.1 wrote it', () => {
  it('is still the version this reader writes', () => {
    expect(TRACE_VERSION).toBe(1);
  });

  for (const name of ['v1-sim-rfc-2015-heartbeat.ndjson', 'v1-sim-key-update.ndjson']) {
    it(`${name}: loads and writes back byte for byte`, () => {
      const { text, header, events } = load(name);
      expect(header.world).toBe('sim');
      expect(events).toHaveLength(text.trimEnd().split('\n').length - 1);
      expect(serializeTrace(header, events)).toBe(text);
    });
  }

  it('a 0.1 kernel trace with a KeyUpdate: reasons read in the closed vocabulary', () => {
    const { text, events } = load('v1-kernel-key-update.ndjson');
    const lines = text.trimEnd().split('\n').slice(1);
    expect(events).toHaveLength(lines.length);
    // The raw lines are not valid today; the upgraded events are.
    expect(lines.some((l) => !isTraceEvent(JSON.parse(l)))).toBe(true);
    for (const e of events) expect(isTraceEvent(e)).toBe(true);
    const installs = events.filter((e) => e.kind === 'key-install');
    expect(installs.map((e) => [e.ep, e.epoch, e.note])).toEqual([
      ['client', 0, 'tx ok'],
      ['client', 0, 'rx ok'],
      ['server', 0, 'tx ok'],
      ['server', 0, 'rx ok'],
      ['client', 1, 'tx rekey'],
      ['server', 1, 'rx rekey'],
    ]);
    const freeze = events.find((e) => e.kind === 'freeze');
    expect(freeze).toMatchObject({
      reason: 'key-update',
      note: 'KeyUpdate: EKEYEXPIRED until TLS_RX',
    });
    expect(events.find((e) => e.kind === 'resume')).toMatchObject({
      reason: 'key-installed',
      note: 'TLS_RX installed',
    });
  });

  it('a 0.1 kernel trace ended by a fatal alert: eof reason fatal-alert', () => {
    const { events } = load('v1-kernel-fatal-alert.ndjson');
    expect(events.filter((e) => e.kind === 'eof')).toEqual([
      expect.objectContaining({ reason: 'fatal-alert', note: 'alert 80' }),
    ]);
  });

  it('a legacy spelling outside a known rule is still refused, with the field named', () => {
    const { text } = load('v1-kernel-key-update.ndjson');
    const bad = text.replace('"reason":"TLS_RX installed"', '"reason":"TLS_RX set"');
    const r = parseTrace(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'bad-event', path: 'reason' });
  });

  it('the renamed error code record_open reads as record_pending', () => {
    const { text } = load('v1-sim-key-update.ndjson');
    const header = text.split('\n')[0];
    const line =
      '{"t":1,"ep":"client","lane":"dp-tx","kind":"error","error":{"code":"record_open","errno":"EBUSY","alert":null,"fatal":false,"message":"a MSG_MORE record is open"}}';
    const r = parseTrace(`${header}\n${line}\n`);
    expect(r.ok && r.events[0]).toMatchObject({ error: { code: 'record_pending' } });
  });
});
