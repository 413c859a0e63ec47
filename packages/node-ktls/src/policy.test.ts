import { suiteByName } from '@ktls-lab/core';
import type { CipherProbe } from '@ktls-lab/native';
import { describe, expect, it } from 'vitest';
import { decideOffload, type OffloadProbe } from './policy.js';

/** Synthetic probe results: each cell of README.md's policy table, as a kernel would answer. */
const yes = { available: true, explanation: 'ok' } as const;
const cipher = (
  version: 'TLS 1.2' | 'TLS 1.3',
  name: string,
  cipherType: number,
  ok: boolean,
): CipherProbe =>
  ok
    ? { version, cipher: name, cipherType, available: true, explanation: 'TLS_TX accepted' }
    : {
        version,
        cipher: name,
        cipherType,
        available: false,
        errno: 'EINVAL',
        explanation: 'TLS_TX refused with EINVAL',
      };
const ALL: CipherProbe[] = (['TLS 1.2', 'TLS 1.3'] as const).flatMap((v) => [
  cipher(v, 'AES_GCM_128', 51, true),
  cipher(v, 'AES_GCM_256', 52, true),
  cipher(v, 'AES_CCM_128', 53, true),
  cipher(v, 'CHACHA20_POLY1305', 54, true),
]);
/** Linux 7.x: every cipher, TLS 1.3 rekey. */
const NEW_KERNEL: OffloadProbe = { addon: yes, tlsUlp: yes, tlsTx: ALL, rekey: yes };
/** Linux 6.1: every cipher, no rekey (a second TLS_TX gives EBUSY). */
const OLD_KERNEL: OffloadProbe = {
  ...NEW_KERNEL,
  rekey: { available: false, errno: 'EBUSY', explanation: 'a second TLS_TX on TLS 1.3 gave EBUSY' },
};
const TLS13 = suiteByName('TLS_AES_128_GCM_SHA256');
const TLS13_CHACHA = suiteByName('TLS_CHACHA20_POLY1305_SHA256');
const TLS12 = suiteByName('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');

describe('decideOffload: the policy table', () => {
  it('userspace on request, whatever the kernel offers', () => {
    const d = decideOffload(NEW_KERNEL, TLS13.version, TLS13, { dataPlane: 'userspace' });
    expect(d.tx.plane).toBe('userspace');
    expect(d.rx.plane).toBe('userspace');
    expect(d.rx.reason).toMatch(/asked for the userspace/);
  });

  it('no addon: userspace, with the loader reason', () => {
    const probe: OffloadProbe = {
      ...NEW_KERNEL,
      addon: { available: false, explanation: 'addon not loaded (load-failed)' },
    };
    const d = decideOffload(probe, TLS12.version, TLS12);
    expect([d.tx.plane, d.rx.plane]).toEqual(['userspace', 'userspace']);
    expect(d.tx.reason).toMatch(/addon not loaded/);
  });

  it('no TLS ULP (this host; CONFIG_TLS off): userspace, with the errno explanation', () => {
    const probe: OffloadProbe = {
      ...NEW_KERNEL,
      tlsUlp: {
        available: false,
        errno: 'ENOENT',
        explanation: 'setsockopt(TCP_ULP, "tls") gave ENOENT',
      },
      tlsTx: [],
    };
    const d = decideOffload(probe, TLS13.version, TLS13);
    expect([d.tx.plane, d.rx.plane]).toEqual(['userspace', 'userspace']);
    expect(d.rx.reason).toMatch(/ENOENT/);
  });

  it('a cipher the kernel refuses stays in userspace, with the reason', () => {
    const probe: OffloadProbe = {
      ...NEW_KERNEL,
      tlsTx: ALL.map((c) =>
        c.cipherType === 54 && c.version === 'TLS 1.3'
          ? cipher('TLS 1.3', 'CHACHA20_POLY1305', 54, false)
          : c,
      ),
    };
    const d = decideOffload(probe, TLS13_CHACHA.version, TLS13_CHACHA);
    expect([d.tx.plane, d.rx.plane]).toEqual(['userspace', 'userspace']);
    expect(d.tx.reason).toMatch(
      /does not offload TLS_CHACHA20_POLY1305_SHA256 .*cipher_type 54.*EINVAL/,
    );
    // The same kernel still offloads the other ciphers.
    expect(decideOffload(probe, TLS13.version, TLS13).tx.plane).toBe('kernel');
  });

  it('a cipher the probe did not try stays in userspace', () => {
    const d = decideOffload({ ...NEW_KERNEL, tlsTx: [] }, TLS12.version, TLS12);
    expect(d.rx.plane).toBe('userspace');
    expect(d.rx.reason).toMatch(/was not probed/);
  });

  for (const [name, probe] of [
    ['6.1', OLD_KERNEL],
    ['7.x', NEW_KERNEL],
  ] as const) {
    it(`TLS 1.2 on ${name}: both directions on the kernel (no KeyUpdate in TLS 1.2)`, () => {
      const d = decideOffload(probe, TLS12.version, TLS12);
      expect([d.tx.plane, d.rx.plane]).toEqual(['kernel', 'kernel']);
      expect(d.tx.reason).toMatch(/TLS 1\.2 has no KeyUpdate/);
    });
  }

  it('TLS 1.3 with kernel rekey (6.14+): both directions on the kernel', () => {
    const d = decideOffload(NEW_KERNEL, TLS13.version, TLS13);
    expect([d.tx.plane, d.rx.plane]).toEqual(['kernel', 'kernel']);
  });

  it('TLS 1.3 without rekey (6.1): both directions stay in userspace, each with its reason', () => {
    const d = decideOffload(OLD_KERNEL, TLS13.version, TLS13);
    expect([d.tx.plane, d.rx.plane]).toEqual(['userspace', 'userspace']);
    expect(d.rx.reason).toMatch(/KeyUpdate could not be followed.*EBADMSG/);
    expect(d.tx.reason).toMatch(/update_requested.*could not be answered/);
  });

  it('TLS 1.3 without rekey, TX offload asked for: TX on the kernel, RX in userspace', () => {
    const d = decideOffload(OLD_KERNEL, TLS13.version, TLS13, { tls13TxWithoutRekey: true });
    expect([d.tx.plane, d.rx.plane]).toEqual(['kernel', 'userspace']);
    expect(d.tx.reason).toMatch(/ERR_KTLS_REKEY_UNSUPPORTED/);
  });

  it('AES-CCM where the kernel has it: offloaded like the others', () => {
    const ccm = suiteByName('TLS_AES_128_CCM_SHA256');
    expect(decideOffload(NEW_KERNEL, ccm.version, ccm).rx.plane).toBe('kernel');
  });
});
