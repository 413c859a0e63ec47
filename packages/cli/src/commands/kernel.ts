import { formatProbe, kernelCapability, probe, runScenarioOnKernel } from '@ktls-lab/native';
import { findScenario, SCENARIOS, suggest } from '@ktls-lab/sim';
import { EXIT, UsageError } from '../errors.js';
import { writeText } from '../files.js';

/** `ktls-lab probe`: what the running kernel offers (AF_ALG AEADs, the TLS ULP, ciphers, rekey). */
export function probeCommand(o: { json?: boolean }): number {
  const p = probe();
  process.stdout.write(o.json ? `${JSON.stringify(p, null, 2)}\n` : `${formatProbe(p)}\n`);
  return p.missing.length === 0 ? EXIT.ok : EXIT.finding;
}

/**
 * `ktls-lab kernel run <scenario>`: runs a kernel-capable scenario of the simulator's catalog on
 * real kernel TLS sockets over loopback and writes the trace in the standard format.
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
  const p = probe();
  if (p.missing.some((m) => m.startsWith('TLS') || m.includes('ULP'))) {
    process.stderr.write(
      `this kernel cannot run kernel TLS:\n${p.missing.map((m) => `  ${m}`).join('\n')}\n`,
    );
    process.stderr.write(
      'run it inside the VM harness: pnpm test:kernel (boots Debian kernels under qemu)\n',
    );
    return EXIT.usage;
  }
  const r = runScenarioOnKernel(scenario, o.userspacePeer ? { clientPeer: 'userspace' } : {});
  const data = (e: typeof r.client) => JSON.stringify(e);
  process.stdout.write(
    `${name} on ${r.where}\n  client: ${data(r.client)}\n  server: ${data(r.server)}\n`,
  );
  if (o.trace !== undefined) writeText(o.trace, r.trace);
  return EXIT.ok;
}
