/**
 * Regression scenarios for the two rfc-2015 bugs of issue 12 that the explorer never reached
 * (scenario/catalog.ts): every schedule of each (exhaustive DFS) holds on every correct design,
 * and each scenario does reach the path the bug was on.
 */
import { ContentType } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { exploreDfs, findScenario, findSimDesign, runSeed, SIM_DESIGNS } from '../src/index.js';

const REGRESSIONS = [
  'close-notify-then-records',
  'fatal-alert-then-records',
  'msg-more-then-key-update',
];
const correct = SIM_DESIGNS.filter((d) => d.kind === 'correct');
const rfc2015 = findSimDesign('rfc-2015')!;

function delivered(scenario: string, seed: number, ep: 'client' | 'server'): number {
  const run = runSeed(findScenario(scenario)!, rfc2015, 'random', seed, { trace: true });
  expect(run.violation).toBeNull();
  return run.events
    .filter((e) => e.ep === ep && e.kind === 'deliver-data')
    .reduce((n, e) => n + ('size' in e ? Number(e.size) : 0), 0);
}

describe('issue 12 regressions', () => {
  for (const name of REGRESSIONS) {
    it(`${name}: every schedule holds on every correct design`, () => {
      const scenario = findScenario(name)!;
      expect(scenario.small).toBe(true);
      for (const design of correct) {
        const r = exploreDfs(scenario, design, { maxRuns: 2000 });
        expect(r.exhaustive, design.name).toBe(true);
        expect(
          r.failures.map((f) => f.violation?.message),
          design.name,
        ).toEqual([]);
      }
    });
  }

  it('after a close_notify or fatal alert held for userspace, the records behind it are not delivered', () => {
    // The peer did write them (it keeps sending); the receiver delivers only what came before.
    for (let seed = 1; seed <= 10; seed++) {
      expect(delivered('close-notify-then-records', seed, 'server')).toBe(400);
      expect(delivered('fatal-alert-then-records', seed, 'client')).toBe(300);
    }
    const run = runSeed(findScenario('close-notify-then-records')!, rfc2015, 'random', 1, {
      trace: true,
    });
    // The close_notify is the one control record: held for userspace (its outer type is 23).
    const held = run.events.filter((e) => e.ep === 'server' && e.kind === 'punt');
    expect(held).toHaveLength(1);
    const written = run.events.filter((e) => e.ep === 'client' && e.kind === 'record-out');
    expect(written.length).toBeGreaterThanOrEqual(2);
  });

  it('a KeyUpdate behind an open MSG_MORE record: the open bytes leave first, under the old key', () => {
    const run = runSeed(findScenario('msg-more-then-key-update')!, rfc2015, 'random', 1, {
      trace: true,
    });
    expect(run.violation).toBeNull();
    const sent = run.events.filter(
      (e) => e.ep === 'client' && (e.kind === 'record-out' || e.kind === 'control-send'),
    );
    // The 300 open bytes (application data), then the KeyUpdate, then the rest.
    expect(sent.map((e) => ('type' in e ? e.type : null))).toEqual([
      ContentType.applicationData,
      ContentType.handshake,
      ContentType.applicationData,
    ]);
  });
});
