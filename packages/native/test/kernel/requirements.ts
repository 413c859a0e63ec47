/**
 * What the VM must have for its run to count (docs/vm-harness.md §7): AF_ALG with every AEAD the
 * suite uses, the TLS ULP, TLS 1.3 rekey on the newest kernel (channel `sid`), and every module of
 * vm/modules.want loaded. Without these every test of the feature would be "not applicable" and the
 * job green while testing nothing, so each is a row of its own that fails. "Not applicable" stays
 * for what a kernel genuinely lacks (rekey on 6.1, SM4/ARIA), with the probe's reason.
 */
import { AEAD_NAMES, type ProbeResult } from '../../src/index.js';

/** The harness's hand-over to the job (vm/guest-init.sh). */
export interface HarnessEnv {
  /** `bookworm` (Debian 12) or `sid` (the newest kernel). */
  readonly channel: string | undefined;
  /** Modules that failed to load, space-separated (empty: none). */
  readonly insmodFailed: string | undefined;
  /** How many module files the guest tried to load. */
  readonly modulesWanted: string | undefined;
}

export interface Requirement {
  readonly row: string;
  /** null when met; otherwise why the run does not count. */
  readonly failure: string | null;
}

export function harnessEnv(env: NodeJS.ProcessEnv): HarnessEnv {
  return {
    channel: env.KTLS_KERNEL_CHANNEL,
    insmodFailed: env.KTLS_INSMOD_FAILED,
    modulesWanted: env.KTLS_MODULES_WANTED,
  };
}

export function checkRequirements(p: ProbeResult, env: HarnessEnv): Requirement[] {
  const missingAead = AEAD_NAMES.filter((n) => p.aead[n]?.available !== true);
  const afalg = !p.afAlg.available
    ? p.afAlg.explanation
    : missingAead.length > 0
      ? `AF_ALG cannot bind ${missingAead.join(', ')}: ${missingAead.map((n) => p.aead[n]?.explanation ?? 'not probed').join('; ')}`
      : null;
  const failed = (env.insmodFailed ?? '').trim();
  const wanted = Number(env.modulesWanted ?? '0');
  const modules =
    failed !== ''
      ? `modules that failed to load: ${failed}`
      : !(wanted > 0)
        ? `the harness reported no modules loaded (KTLS_MODULES_WANTED=${env.modulesWanted ?? 'unset'})`
        : null;
  const newest = env.channel === 'sid';
  return [
    { row: 'harness.modules_loaded', failure: modules },
    { row: 'harness.afalg', failure: afalg },
    { row: 'harness.tls_ulp', failure: p.tlsUlp.available ? null : p.tlsUlp.explanation },
    {
      row: 'harness.rekey_on_newest',
      failure:
        !newest || p.rekey.available
          ? null
          : `the newest kernel (${p.kernel ?? '?'}) has no TLS 1.3 rekey: ${p.rekey.explanation}`,
    },
  ];
}
