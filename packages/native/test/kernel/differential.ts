/**
 * The differential test: each kernel-capable scenario of the simulator's catalog runs on the real
 * kernel (runScenarioOnKernel) and on core's TlsRecordLayer in the design that kernel implements
 * (`linux-ktls` with TLS 1.3 rekey, `linux-ktls-pre-rekey` before 6.14); what the apps and control
 * planes observed must be the same. Every known difference is a documented divergence, asserted
 * here exactly (DIVERGENCES), so a new one fails. The rows `differential.sim.<scenario>` set the
 * simulator's World beside the kernel the same way (src/kernelRun/simWorld.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINUX_KTLS, parseTrace } from '@ktls-lab/core';
import { SCENARIOS } from '@ktls-lab/sim';
import {
  appSequencesOfRun,
  compareRuns,
  compareWithSim,
  designForKernel,
  kernelCapability,
  probe,
  runScenarioOnCore,
  runScenarioOnKernel,
  runScenarioOnSim,
} from '../../src/index.js';
import { kernelTest } from './framework.js';

const traceDir = process.env.HARNESS_OUT ? join(process.env.HARNESS_OUT, 'traces') : undefined;

for (const s of SCENARIOS) {
  const cap = kernelCapability(s);
  if (!cap.ok) continue;
  kernelTest('differential', `differential.${s.name}`, '', ['ktls'], () => {
    const p = probe();
    const design = designForKernel(p.rekey.available);
    const k = runScenarioOnKernel(s, { seed: 'differential' });
    const c = runScenarioOnCore(s, { design });
    const parsed = parseTrace(k.trace);
    assert.ok(parsed.ok, `kernel trace must parse: ${JSON.stringify(parsed).slice(0, 300)}`);
    if (traceDir) {
      mkdirSync(traceDir, { recursive: true });
      writeFileSync(join(traceDir, `${s.name}.kernel.ndjson`), k.trace);
      writeFileSync(join(traceDir, `${s.name}.${design.name}.ndjson`), c.trace);
    }
    assert.deepEqual(compareRuns(k, c), [], `kernel ${k.where} vs core ${design.name}`);
    // The apps got something, so the comparison is not vacuous.
    assert.ok(k.client.dataLength + k.server.dataLength + k.server.control.length > 0);
    if (s.name === 'zero-length-records') {
      // Divergence (documented, measured on 6.1 and 7.2): kernel TX never puts an empty record on
      // the wire, not even for sendmsg with an explicit TLS_SET_RECORD_TYPE of application_data
      // and no payload (tls_sw_sendmsg has nothing to push; it returns 0). Core seals one (17
      // bytes: inner type + tag). The apps see the same bytes: the kernel RX skips empty data
      // records anyway (selftest zero_len), which tests zero_len.test[*] check with raw records.
      const empty = (w: readonly string[]) => w.filter((r) => r === '23/17').length;
      assert.equal(empty(k.wire.c2s), 0);
      assert.equal(empty(c.wire.c2s), 3);
      assert.deepEqual(
        k.wire.c2s,
        c.wire.c2s.filter((r) => r !== '23/17'),
      );
    } else {
      assert.deepEqual(k.wire, c.wire, 'records on the wire (outer type / length)');
    }
  });
}

// The simulator's World against the real kernel (issue 15): the same scenario on the sim, in the
// design this kernel implements and the quiet schedule (src/kernelRun/simWorld.ts), gives the app
// and control plane the same sequence (bytes read, record boundaries, control records, errnos,
// end), or exactly a documented divergence (SIM_DIVERGENCES). The host test
// test/simWorld.test.ts holds the World to core's driver in ordinary CI.
for (const s of SCENARIOS) {
  if (!kernelCapability(s).ok) continue;
  kernelTest('differential', `differential.sim.${s.name}`, '', ['ktls'], () => {
    const design = designForKernel(probe().rekey.available);
    const k = runScenarioOnKernel(s, { seed: 'differential' });
    const sim = runScenarioOnSim(s, design);
    if (traceDir) {
      mkdirSync(traceDir, { recursive: true });
      writeFileSync(join(traceDir, `${s.name}.sim.${design.name}.ndjson`), sim.trace);
    }
    const seq = appSequencesOfRun(k);
    assert.deepEqual(compareWithSim(sim, seq), [], `kernel ${k.where} vs sim ${design.name}`);
    // The kernel's app read every byte the sequence counts, so the comparison is not vacuous.
    const read = (xs: readonly string[]) =>
      xs.reduce((n, x) => n + (x.startsWith('data ') ? Number(x.slice(5)) : 0), 0);
    assert.equal(read(seq.client), k.client.dataLength);
    assert.equal(read(seq.server), k.server.dataLength);
    assert.ok(seq.client.length + seq.server.length > 0);
  });
}

kernelTest(
  'differential',
  'differential.key-update-one-way.vs-linux-ktls',
  '',
  ['no-rekey'],
  () => {
    // On a kernel before 6.14, against today's design: the documented divergence, exactly.
    const s = SCENARIOS.find((x) => x.name === 'key-update-one-way')!;
    const k = runScenarioOnKernel(s);
    const c = runScenarioOnCore(s, { design: LINUX_KTLS });
    assert.deepEqual(k.client.events, ['tx rekey: EBUSY']);
    assert.deepEqual(c.client.events, ['tx rekey: ok']);
    assert.deepEqual(k.server.events, ['after KeyUpdate: data', 'rx rekey: EBUSY']);
    assert.deepEqual(c.server.events, ['after KeyUpdate: EKEYEXPIRED', 'rx rekey: ok']);
    // Both ends being kernels, the sender could not switch keys either, so the data still arrives.
    assert.equal(k.server.dataLength, 600);
  },
);

kernelTest('differential', 'differential.key-update-one-way.userspace-peer', '', ['ktls'], () => {
  // A userspace client that does switch keys on KeyUpdate (core, linux-ktls) against the
  // kernel's RX. With rekey (6.14+): freeze (EKEYEXPIRED), TLS_RX, resume, all data. Before 6.14:
  // no freeze, TLS_RX rekey refused with EBUSY, and the next record, sealed under the new key,
  // fails with EBADMSG: the documented divergence (docs/kernel-tls.md §7, rustls/ktls#75), exactly
  // as core's linux-ktls-pre-rekey design predicts for that server.
  const s = SCENARIOS.find((x) => x.name === 'key-update-one-way')!;
  const rekey = probe().rekey.available;
  const k = runScenarioOnKernel(s, { clientPeer: 'userspace', clientDesign: LINUX_KTLS });
  const c = runScenarioOnCore(s, { design: designForKernel(rekey), clientDesign: LINUX_KTLS });
  assert.deepEqual(compareRuns(k, c), []);
  assert.deepEqual(k.client.events, ['tx rekey: ok']);
  if (rekey) {
    assert.deepEqual(k.server.events, ['after KeyUpdate: EKEYEXPIRED', 'rx rekey: ok']);
    assert.equal(k.server.dataLength, 600);
    assert.equal(k.server.end, null);
  } else {
    assert.deepEqual(k.server.events, ['after KeyUpdate: EBADMSG', 'rx rekey: EBUSY']);
    assert.equal(k.server.dataLength, 300);
    assert.equal(k.server.end, 'EBADMSG');
  }
});
