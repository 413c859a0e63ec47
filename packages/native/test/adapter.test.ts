/**
 * The kernel-path adapter's core side runs anywhere: the same script on core's TlsRecordLayer,
 * deterministic, and the designs differ exactly where the kernels do. (The kernel side runs in
 * the VM: test/kernel/differential.ts.)
 */
import { LINUX_KTLS, LINUX_KTLS_PRE_REKEY, parseTrace, toHex } from '@ktls-lab/core';
import { findScenario, keyUpdateMessage, SCENARIOS, TICKET_MESSAGE } from '@ktls-lab/sim';
import { describe, expect, it } from 'vitest';
import {
  compareRuns,
  kernelCapability,
  runScenarioOnCore,
  runScenarioOnKernel,
} from '../src/index.js';

const capable = SCENARIOS.filter((s) => kernelCapability(s).ok);

describe('kernel-path adapter, core side', () => {
  it('takes the kernel-capable subset of the catalog and names why the rest is sim only', () => {
    expect(capable.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'bulk-both-ways',
        'key-update-one-way',
        'ticket-between-data',
        'close-notify-mid-stream',
        'fatal-alert',
        'bad-mac',
        'oversize-record',
        'zero-length-records',
      ]),
    );
    const rds = SCENARIOS.find((s) => s.name === 'rds-framed-control-inside')!;
    expect(kernelCapability(rds)).toEqual({ ok: false, reason: 'upper-layer framer (sim only)' });
  });

  it('is deterministic and writes a valid trace', () => {
    for (const s of capable) {
      const a = runScenarioOnCore(s);
      const b = runScenarioOnCore(s);
      expect(a.trace).toBe(b.trace);
      expect(parseTrace(a.trace).ok).toBe(true);
    }
  });

  it('linux-ktls and linux-ktls-pre-rekey differ only on KeyUpdate', () => {
    for (const s of capable) {
      const d = compareRuns(
        runScenarioOnCore(s, { design: LINUX_KTLS }),
        runScenarioOnCore(s, { design: LINUX_KTLS_PRE_REKEY }),
      );
      // A kernel before 6.14 refuses the second TLS_TX/TLS_RX (EBUSY): every scenario with a
      // KeyUpdate differs there, and only those.
      const rekeys = [...s.client, ...s.server].some((a) => a.do === 'key-update');
      if (rekeys) expect(d.length, s.name).toBeGreaterThan(0);
      else expect(d, s.name).toEqual([]);
    }
  });

  it("sends the vocabulary's control messages (sim's scenario/messages.ts)", () => {
    const ticket = runScenarioOnCore(findScenario('ticket-between-data')!);
    expect(ticket.client.control).toEqual([`22:${toHex(TICKET_MESSAGE)}`]);
    const keyUpdate = runScenarioOnCore(findScenario('key-update-one-way')!);
    expect(keyUpdate.server.control).toEqual([`22:${toHex(keyUpdateMessage(false))}`]);
  });

  it('refuses a sim-only action instead of skipping it', () => {
    const heartbeat = findScenario('tls12-userspace-heartbeat')!;
    expect(kernelCapability(heartbeat)).toEqual({
      ok: false,
      reason: 'action heartbeat (sim only)',
    });
    const rds = findScenario('rds-framed-control-inside')!;
    expect(() => runScenarioOnCore(rds)).toThrow(/action message is sim only/);
  });

  it('the script sends heartbeats and a HelloRequest as control records of the library', () => {
    const hb = runScenarioOnCore(findScenario('tls12-userspace-heartbeat')!);
    expect(hb.server.control).toHaveLength(2);
    expect(hb.server.control.every((c) => c.startsWith('24:01'))).toBe(true);
    expect(hb.server.dataLength).toBe(6000);
    const hello = runScenarioOnCore(findScenario('async-depth-8-control-behind-data')!);
    expect(hello.client.control).toEqual(['22:00000000']);
    expect(hello.client.dataLength).toBe(12 * 120);
  });

  it('the kernel side refuses a sim-only scenario, and needs the kernel for the rest', () => {
    const rds = SCENARIOS.find((s) => s.name === 'rds-framed-control-inside')!;
    expect(() => runScenarioOnKernel(rds)).toThrow(/not kernel-capable/);
  });
});
