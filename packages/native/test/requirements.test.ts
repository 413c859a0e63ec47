/**
 * The VM's requirement rows (test/kernel/requirements.ts) fail when they should: a kernel run
 * without AF_ALG, the TLS ULP, rekey on the newest kernel, or with a module that did not load
 * must not go green as a column of "not applicable".
 */
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../src/index.js';
import { checkRequirements, type HarnessEnv } from './kernel/requirements.js';

const yes = { available: true, explanation: 'ok' };
const full: ProbeResult = {
  addon: yes,
  kernel: '7.2.13+deb14-amd64',
  afAlg: yes,
  aead: { 'gcm(aes)': yes, 'ccm(aes)': yes, 'rfc7539(chacha20,poly1305)': yes },
  tlsUlp: yes,
  tlsTx: [],
  rekey: yes,
  maxPayloadLen: yes,
  userspaceEngine: { name: 'openssl-evp', explanation: 'ok' },
  missing: [],
};
const env: HarnessEnv = { channel: 'sid', insmodFailed: '', modulesWanted: '17' };
const failures = (p: ProbeResult, e = env) =>
  checkRequirements(p, e)
    .filter((r) => r.failure !== null)
    .map((r) => r.row);

describe('the VM run requirements', () => {
  it('a complete VM passes every requirement', () => {
    expect(failures(full)).toEqual([]);
  });
  it('fails without AF_ALG, or with an AEAD that does not bind', () => {
    const noAlg = { available: false, errno: 'EAFNOSUPPORT', explanation: 'no AF_ALG' };
    expect(failures({ ...full, afAlg: noAlg })).toEqual(['harness.afalg']);
    const noCcm = { ...full, aead: { ...full.aead, 'ccm(aes)': noAlg } };
    expect(failures(noCcm)).toEqual(['harness.afalg']);
  });
  it('fails without the TLS ULP', () => {
    expect(failures({ ...full, tlsUlp: { available: false, explanation: 'ENOENT' } })).toEqual([
      'harness.tls_ulp',
    ]);
  });
  it('fails when the newest kernel lacks rekey, not when Debian 12 does', () => {
    const noRekey = { ...full, rekey: { available: false, explanation: 'EBUSY' } };
    expect(failures(noRekey)).toEqual(['harness.rekey_on_newest']);
    expect(failures(noRekey, { ...env, channel: 'bookworm' })).toEqual([]);
  });
  it('fails when a module did not load, or when none was loaded at all', () => {
    expect(failures(full, { ...env, insmodFailed: ' tls kcm' })).toEqual([
      'harness.modules_loaded',
    ]);
    expect(failures(full, { ...env, modulesWanted: '0' })).toEqual(['harness.modules_loaded']);
    expect(
      failures(full, { channel: 'sid', insmodFailed: undefined, modulesWanted: undefined }),
    ).toEqual(['harness.modules_loaded']);
  });
});
