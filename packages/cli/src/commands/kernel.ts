import {
  compareRuns,
  designForKernel,
  formatProbe,
  kernelCapability,
  probe,
  runScenarioOnCore,
  runScenarioOnKernel,
} from '@ktls-lab/native';
import { LINUX_KTLS } from '@ktls-lab/core';
import { findScenario, SCENARIOS, suggest } from '@ktls-lab/sim';
import { EnvironmentError, EXIT, UsageError } from '../errors.js';
import { checkOutputFile, writeText } from '../files.js';
import { writeOut } from '../output.js';

/** `ktls-lab probe`: what the running kernel offers (AF_ALG AEADs, the TLS ULP, ciphers, rekey). */
export function probeCommand(o: { json?: boolean }): number {
  const p = probe();
  writeOut(o.json ? `${JSON.stringify(p, null, 2)}\n` : `${formatProbe(p)}\n`);
  return p.missing.length === 0 ? EXIT.ok : EXIT.finding;
}

/**
 * `ktls-lab kernel run <scenario>`: runs a kernel-capable scenario of the simulator's catalog on
 * real kernel TLS sockets over loopback, writes the trace in the standard format, and compares
 * what the apps and control planes observed with core's model of this kernel (the differential
 * check of packages/native/test/kernel/differential.ts): exit 0 only when they agree.
 */
export function kernelRunCommand(
  name: string,
  o: { trace?: string; userspacePeer?: boolean },
): number {
  const scenario = findScenario(name);
  if (!scenario)
    throw new UsageError(
      `unknown scenario "${name}"${suggest(
        name,
        SCENARIOS.map((s) => s.name),
      )}`,
    );
  const cap = kernelCapability(scenario);
  if (!cap.ok) throw new UsageError(`${name} cannot run on a kernel: ${cap.reason}`);
  if (o.trace !== undefined) checkOutputFile(o.trace, '--trace');
  const p = probe();
  if (p.missing.some((m) => m.startsWith('TLS') || m.includes('ULP'))) {
    throw new EnvironmentError(
      `this kernel cannot run kernel TLS (${p.missing.join('; ')}); run it inside the VM harness: pnpm test:kernel (boots Debian kernels under qemu)`,
    );
  }
  const userspace = o.userspacePeer === true;
  const k = runScenarioOnKernel(scenario, userspace ? { clientPeer: 'userspace' } : {});
  const design = designForKernel(p.rekey.available);
  const model = runScenarioOnCore(scenario, {
    design,
    ...(userspace ? { clientDesign: LINUX_KTLS } : {}),
  });
  const diffs = compareRuns(k, model);
  const data = (e: typeof k.client) => JSON.stringify(e);
  const lines = [
    `${name} on ${k.where}`,
    `  client: ${data(k.client)}`,
    `  server: ${data(k.server)}`,
    diffs.length === 0
      ? `agrees with core's ${design.name} model`
      : `DIFFERS from core's ${design.name} model:`,
    ...diffs.map((d) => `  ${d}`),
  ];
  if (o.trace !== undefined) writeText(o.trace, k.trace);
  writeOut(`${lines.join('\n')}\n`);
  return diffs.length === 0 ? EXIT.ok : EXIT.finding;
}
