/**
 * Invariants 6 and 8 on injected bugs: a world stepped by hand, with one thing done wrong the way a
 * buggy library would, must be caught by the invariant that names it.
 */
import { ContentType, openRecord } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { RandomChooser } from '../choices.js';
import { findSimDesign } from '../designs.js';
import { findScenario } from '../scenario/catalog.js';
import { WorldContext } from './context.js';
import { installInitialKeys, runControlPlane } from './controlPlane.js';
import { rxRun, txRun } from './dataPlane.js';
import { enabled, run, runAction } from './scheduler.js';

function world(scenario: string, design: string, seed = 1): WorldContext {
  const w = new WorldContext({
    scenario: findScenario(scenario)!,
    design: findSimDesign(design)!,
    chooser: new RandomChooser(seed),
    segmentation: 'any',
    trace: false,
    maxSteps: 5000,
  });
  installInitialKeys(w);
  return w;
}

describe('invariant 6 (end-is-final) on an injected bug', () => {
  it('a library that puts the RX state back after a held close_notify is caught delivering after it', () => {
    // The bug fixed in controlPlane.ts (handleHeld): open the held record, report it, put the next
    // state back, whatever it was. The broken peer keeps sending after its close_notify.
    const w = world('close-notify-then-records', 'rfc-2015');
    const server = w.ep('server');
    let injected = 0;
    for (let step = 0; step < 5000 && !w.monitor.violation; step++) {
      const actors = enabled(w);
      if (actors.length === 0) break;
      const item = server.inbox[0];
      if (item?.kind === 'held' && actors.includes('cp:server')) {
        server.inbox.shift();
        const exported = rxRun(w, server, { type: 'export-state' }).state!;
        const opened = openRecord(w.engine, exported, item.record, w.importKey(exported));
        if (!opened.ok) throw new Error('the held record should open');
        expect(opened.value.contentType).toBe(ContentType.alert);
        w.monitor.consumed('server', item.offset, 'cp', opened.value.content);
        const next = opened.value.next;
        rxRun(w, server, { type: 'import-state', state: next, key: w.importKey(next) });
        injected++;
      } else runAction(w, actors[w.options.chooser.pick(actors)]!);
      w.step++;
      w.monitor.step = w.step;
    }
    expect(injected).toBe(1);
    expect(w.monitor.violation?.invariant).toBe(6);
    expect(w.monitor.violation?.message).toContain('after close_notify');
  });

  it('the fixed library, on the same schedule, delivers nothing after it', () => {
    const w = world('close-notify-then-records', 'rfc-2015');
    expect(run(w).violation).toBeNull();
  });
});

describe('invariant 8 (liveness) for a TX stall', () => {
  it('sends queued behind a TX state userspace never puts back are reported stuck', () => {
    const w = world('close-notify-then-records', 'rfc-2015');
    // Let both control planes set TLS_RX, then take the client's TX state out and never return it
    // (the injected bug), while the app sends.
    while (w.ep('client').inbox.length > 0) runControlPlane(w, w.ep('client'));
    while (w.ep('server').inbox.length > 0) runControlPlane(w, w.ep('server'));
    const client = w.ep('client');
    expect(txRun(w, client, { type: 'export-state' }).state).not.toBeNull();
    txRun(w, client, { type: 'send', data: new Uint8Array(100), more: false });
    expect(client.tx.queued).toHaveLength(1);
    client.pc = client.script.length;
    const result = run(w);
    expect(result.violation?.invariant).toBe(8);
    expect(result.violation?.message).toMatch(
      /client TX holds 1 queued sends while its state is out/,
    );
  });
});
