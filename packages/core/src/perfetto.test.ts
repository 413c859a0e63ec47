import { describe, expect, it } from 'vitest';
import {
  laneTid,
  PERFETTO_JSON_START,
  type PerfettoEvent,
  type PerfettoItem,
  PerfettoStream,
  type PerfettoTrace,
  perfettoJsonEnd,
  toPerfetto,
} from './perfetto.js';
import { LANES, type TraceEvent, type TraceHeader } from './trace.js';
import { parseTrace, serializeTrace } from './traceCodec.js';

const header: TraceHeader = {
  format: 'ktls-lab-trace',
  version: 1,
  world: 'sim',
  design: 'linux-ktls',
  scenario: 'key-update-one-way',
  seed: '3',
  repro: 'ktls1:key-update-one-way:linux-ktls:random:3:',
  engine: 'model',
  endpoints: ['client', 'server'],
  suite: 'TLS_AES_128_GCM_SHA256',
};

const KEY = { key: 'aa', nonce: 'bb', aad: 'cc' } as const;

// A KeyUpdate on the server's RX: two crypto requests completing out of order, a freeze at t=8
// resumed at t=10, and a violation at the end.
const events: TraceEvent[] = [
  {
    t: 1,
    ep: 'client',
    lane: 'dp-tx',
    kind: 'seal-request',
    seq: '0',
    epoch: 1,
    type: 23,
    size: 300,
    req: 1,
    key: 'aa',
    nonce: 'bb',
    aad: 'cc',
    header: '1703030120',
    preview: '',
  },
  { t: 1, ep: 'client', lane: 'dp-tx', kind: 'seal-done', seq: '0', epoch: 1, req: 1 },
  { t: 6, ep: 'server', lane: 'dp-rx', kind: 'open-request', seq: '0', epoch: 1, req: 1, ...KEY },
  { t: 7, ep: 'server', lane: 'dp-rx', kind: 'open-request', seq: '1', epoch: 1, req: 2, ...KEY },
  { t: 8, ep: 'server', lane: 'dp-rx', kind: 'open-done', seq: '1', epoch: 1, size: 6, req: 2 },
  { t: 8, ep: 'server', lane: 'dp-rx', kind: 'freeze', epoch: 1, reason: 'key-update' },
  { t: 9, ep: 'server', lane: 'dp-rx', kind: 'open-done', seq: '0', epoch: 1, size: 301, req: 1 },
  { t: 10, ep: 'server', lane: 'dp-rx', kind: 'resume', epoch: 2, reason: 'key-installed' },
  {
    t: 12,
    ep: 'server',
    lane: 'dp-rx',
    kind: 'violation',
    violation: { invariant: 2, name: 'stream-intact', message: 'record #1 before record #0' },
  },
];

const byPh = (out: { traceEvents: readonly PerfettoEvent[] }, ph: string) =>
  out.traceEvents.filter((e) => e.ph === ph);

describe('toPerfetto', () => {
  it('names one process per endpoint and one thread per lane', () => {
    const out = toPerfetto(header, events);
    const meta = byPh(out, 'M');
    const processes = meta.filter((e) => e.name === 'process_name');
    expect(processes.map((e) => [e.pid, e.args.name])).toEqual([
      [1, 'client'],
      [2, 'server'],
    ]);
    for (const pid of [1, 2]) {
      const threads = meta.filter((e) => e.name === 'thread_name' && e.pid === pid && e.tid < 100);
      expect(threads.map((e) => [e.tid, e.args.name])).toEqual(LANES.map((l, i) => [i + 1, l]));
    }
    expect(out.displayTimeUnit).toBe('ms');
    expect(out.metadata).toEqual({ ...header });
  });

  it('writes every event as an instant on its endpoint and lane, in µs of logical time', () => {
    const out = toPerfetto(header, events);
    const instants = byPh(out, 'i');
    expect(instants).toHaveLength(events.length);
    const seal = instants.find((e) => e.name === 'seal-request application_data')!;
    expect(seal).toMatchObject({ pid: 1, tid: laneTid('dp-tx'), ts: 1000, s: 't' });
    expect(seal.args).toMatchObject({ kind: 'seal-request', req: 1, size: 300, seq: '0' });
    const freeze = instants.find((e) => e.name === 'freeze key-update')!;
    expect(freeze).toMatchObject({ pid: 2, tid: laneTid('dp-rx'), ts: 8000 });
  });

  it('turns a freeze/resume pair into one complete span with the right ts and dur', () => {
    const out = toPerfetto(header, events);
    const frozen = byPh(out, 'X').filter((e) => e.name.startsWith('frozen'));
    expect(frozen).toHaveLength(1);
    expect(frozen[0]).toMatchObject({
      name: 'frozen: key-update',
      pid: 2,
      tid: laneTid('dp-rx'),
      ts: 8000,
      dur: 2000,
    });
  });

  it('lasts an unresumed freeze to the end of the trace', () => {
    const out = toPerfetto(
      header,
      events.filter((e) => e.kind !== 'resume'),
    );
    const frozen = byPh(out, 'X').filter((e) => e.name.startsWith('frozen'));
    expect(frozen).toHaveLength(1);
    expect(frozen[0]).toMatchObject({
      ts: 8000,
      dur: 4000,
      name: 'frozen: key-update (never resumed)',
    });
  });

  it('pairs crypto requests with their completions by req, overlapping ones on separate threads', () => {
    const out = toPerfetto(header, events);
    const crypto = byPh(out, 'X').filter((e) => e.cat === 'crypto');
    expect(crypto.map((e) => [e.name, e.pid, e.ts, e.dur])).toEqual([
      ['seal #1', 1, 1000, 0],
      ['open #1', 2, 6000, 3000],
      ['open #2', 2, 7000, 1000],
    ]);
    const open1 = crypto.find((e) => e.name === 'open #1')!;
    const open2 = crypto.find((e) => e.name === 'open #2')!;
    // open #2 starts inside open #1 and ends before it: different slots, both named.
    expect(open1.tid).not.toBe(open2.tid);
    const names = byPh(out, 'M').filter(
      (e) => e.name === 'thread_name' && e.pid === 2 && e.tid > 100,
    );
    expect(names.map((e) => e.args.name)).toEqual(['dp-rx crypto 1', 'dp-rx crypto 2']);
  });

  it('makes a violation a global instant', () => {
    const out = toPerfetto(header, events);
    const v = byPh(out, 'i').find((e) => e.name.startsWith('violation'))!;
    expect(v).toMatchObject({ s: 'g', ts: 12000, name: 'violation: invariant 2 (stream-intact)' });
  });

  it('is deterministic and survives a JSON round trip', () => {
    const a = JSON.stringify(toPerfetto(header, events));
    // The same events built with keys in another order and read back from NDJSON.
    const shuffled = events.map(
      (e) => Object.fromEntries(Object.entries(e).reverse()) as unknown as TraceEvent,
    );
    const parsed = parseTrace(serializeTrace(header, shuffled));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(JSON.stringify(toPerfetto(parsed.header, parsed.events))).toBe(a);
    expect(JSON.stringify(JSON.parse(a))).toBe(a);
    // Timed events are sorted by ts.
    const ts = JSON.parse(a)
      .traceEvents.filter((e: PerfettoEvent) => e.ph !== 'M')
      .map((e: PerfettoEvent) => e.ts);
    expect(ts).toEqual([...ts].sort((x: number, y: number) => x - y));
  });
});

describe('PerfettoStream', () => {
  it('streams the same events toPerfetto sorts, as JSON of the same shape, holding none of them', () => {
    const items: PerfettoItem[] = [];
    const stream = new PerfettoStream(header, (item) => items.push(item));
    const withoutResume = events.filter((e) => e.kind !== 'resume');
    for (const e of withoutResume) stream.push(e);
    // Instants come out as their events go in; the unresumed freeze only at the end.
    expect(items.filter((i) => i.ev.ph === 'i')).toHaveLength(withoutResume.length);
    expect(items.some((i) => i.ev.name.startsWith('frozen'))).toBe(false);
    stream.end();
    const json = `${PERFETTO_JSON_START}${items.map((i) => JSON.stringify(i.ev)).join(',')}${perfettoJsonEnd(header)}`;
    const streamed = JSON.parse(json) as PerfettoTrace;
    const sorted = toPerfetto(header, withoutResume);
    const key = (e: PerfettoEvent) => JSON.stringify(e);
    expect(streamed.traceEvents.map(key).sort()).toEqual(sorted.traceEvents.map(key).sort());
    expect({ ...streamed, traceEvents: [] }).toEqual({ ...sorted, traceEvents: [] });
  });

  it('never puts overlapping crypto spans on one thread', () => {
    // Requests at t = 0..39, each completing 0..5 steps later, so that they interleave.
    const evs: TraceEvent[] = [];
    const until = (req: number) => req + ((req * 7) % 6);
    const done = (t: number, req: number): TraceEvent => ({
      t,
      ep: 'server',
      lane: 'dp-rx',
      kind: 'open-done',
      seq: String(req),
      epoch: 1,
      req,
    });
    for (let t = 0; t < 46; t++) {
      for (let req = Math.max(0, t - 5); req < Math.min(t, 40); req++)
        if (until(req) === t) evs.push(done(t, req));
      if (t >= 40) continue;
      evs.push({
        t,
        ep: 'server',
        lane: 'dp-rx',
        kind: 'open-request',
        seq: String(t),
        epoch: 1,
        req: t,
        ...KEY,
      });
      if (until(t) === t) evs.push(done(t, t));
    }
    const spans = byPh(toPerfetto(header, evs), 'X').filter((e) => e.cat === 'crypto');
    expect(spans).toHaveLength(40);
    const byTid = new Map<number, PerfettoEvent[]>();
    for (const s of spans) byTid.set(s.tid, [...(byTid.get(s.tid) ?? []), s]);
    for (const list of byTid.values()) {
      list.sort((a, b) => a.ts! - b.ts!);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1]!;
        const cur = list[i]!;
        expect(prev.ts! + prev.dur!, `${prev.name} then ${cur.name}`).toBeLessThanOrEqual(cur.ts!);
        if (prev.ts! + prev.dur! === cur.ts!) expect(prev.dur! > 0 || cur.dur! > 0).toBe(true);
      }
    }
  });
});
