import { describe, expect, it } from 'vitest';
import { AEAD_KEY_LENGTH, type AeadEngine, type AeadKey } from '../aead.js';
import { toHex } from '../bytes.js';
import { ModelAeadEngine } from '../engines/model.js';
import { NodeCryptoAeadEngine } from '../engines/nodeCrypto.js';
import { RecordLayerError } from '../errors.js';
import { AEAD_ALGORITHMS, probeAlgorithms } from './algorithms.js';
import { ConformanceError } from './check.js';
import { aeadConformanceCases } from './conformance.js';

/** An engine made from node:crypto's with one part changed. */
function mutant(name: string, change: (base: NodeCryptoAeadEngine) => Partial<AeadEngine>) {
  const base = new NodeCryptoAeadEngine();
  return {
    name,
    importKey: (a, k) => base.importKey(a, k),
    seal: (r) => base.seal(r),
    open: (r) => base.open(r),
    ...change(base),
  } satisfies AeadEngine as AeadEngine;
}

/** The names of the cases the engine fails, after checking each failure is a ConformanceError. */
async function failures(engine: AeadEngine, knownAnswers = true): Promise<string[]> {
  const failed: string[] = [];
  for (const c of aeadConformanceCases({ knownAnswers })) {
    try {
      await c.run(engine);
    } catch (e) {
      expect(e, c.name).toBeInstanceOf(ConformanceError);
      expect((e as Error).message.length).toBeGreaterThan(10);
      failed.push(c.name);
    }
  }
  return failed;
}

describe('the conformance suite fails engines that break the contract', () => {
  const EMPTY = new Uint8Array(0);

  it('the unchanged engine passes every case', async () => {
    expect(await failures(mutant('unchanged', () => ({})))).toEqual([]);
  });

  it('an engine that ignores the AAD', async () => {
    const e = mutant('ignores-aad', (b) => ({
      seal: (r) => b.seal({ ...r, aad: EMPTY }),
      open: (r) => b.open({ ...r, aad: EMPTY }),
    }));
    const failed = await failures(e);
    expect(failed).toContain('aes-128-gcm: known answer, GCM spec test case 4');
    expect(failed).toContain(
      'chacha20-poly1305: tampered records do not open (RFC 8439 §2.8.2 input)',
    );
    expect(failed).not.toContain('aes-128-gcm: known answer, GCM spec test case 3');
  });

  it('an engine that throws on a forgery instead of returning null', async () => {
    const e = mutant('throws', (b) => ({
      open: (r) => {
        const p = b.open(r);
        if (p === null) throw new Error('EBADMSG');
        return p;
      },
    }));
    const failed = await failures(e);
    for (const a of AEAD_ALGORITHMS) {
      expect(failed.filter((n) => n.startsWith(`${a}: tampered`)).length).toBeGreaterThan(0);
      expect(failed).toContain(`${a}: an empty plaintext seals to a tag alone and opens to empty`);
    }
  });

  it('an engine that opens an empty plaintext to null (the CCM NULL-pointer trap)', async () => {
    const e = mutant('empty-null', (b) => ({
      open: (r) => (r.ciphertext.length === 16 ? null : b.open(r)),
    }));
    const failed = await failures(e);
    expect(failed).toContain('aes-128-ccm: known answer, kernel selftest zero_len id0_ctrl_l0');
    expect(failed).toContain(
      'aes-128-ccm: an empty plaintext seals to a tag alone and opens to empty',
    );
    expect(failed).toContain('aes-256-gcm: known answer, GCM spec test case 13');
  });

  it('an engine that drops the trailer or the prefix', async () => {
    const noTrailer = await failures(
      mutant('no-trailer', (b) => ({ seal: (r) => b.seal({ ...r, trailer: undefined }) })),
    );
    expect(noTrailer.filter((n) => n.includes('a trailer seals as if appended')).length).toBe(4);
    expect(noTrailer).toContain('aes-128-gcm: known answer, GCM spec test case 2');
    const prefixDropped = mutant('no-prefix', (b) => ({
      seal: ({ prefix: _prefix, ...r }) => b.seal(r),
    }));
    const noPrefix = await failures(prefixDropped);
    expect(noPrefix.filter((n) => n.includes('a prefix stands in front')).length).toBe(4);
  });

  it('an engine that does not check the nonce, or throws the wrong kind of error for a key', async () => {
    const pad = (n: Uint8Array) => Uint8Array.from({ length: 12 }, (_, i) => n[i] ?? 0);
    const noNonce = await failures(
      mutant('no-nonce-check', (b) => ({
        seal: (r) => b.seal({ ...r, nonce: pad(r.nonce) }),
        open: (r) => b.open({ ...r, nonce: pad(r.nonce) }),
      })),
    );
    expect(noNonce.filter((n) => n.includes('nonces of')).length).toBe(4);
    const typeError = await failures(
      mutant('type-error', (b) => ({
        importKey: (a, k) => {
          if (k.length !== AEAD_KEY_LENGTH[a]) throw new TypeError('bad key');
          return b.importKey(a, k);
        },
      })),
    );
    expect(typeError.filter((n) => n.includes('keys of')).length).toBe(4);
    expect(typeError).toContain('an unknown algorithm is refused as checkAeadKey refuses it');
  });

  it('an engine whose handle shows the key, or that reads the caller key array later', async () => {
    const base = new NodeCryptoAeadEngine();
    const handles = new WeakMap<AeadKey, { raw: Uint8Array; key: AeadKey }>();
    const unwrap = (k: AeadKey) => {
      const h = handles.get(k);
      if (h === undefined) throw RecordLayerError.of('invalid_argument', 'foreign');
      return h;
    };
    const leaky: AeadEngine = {
      name: 'leaky',
      importKey(a, k) {
        const key = base.importKey(a, k);
        const handle = { algorithm: a, fingerprint: key.fingerprint, raw: toHex(k) };
        handles.set(handle, { raw: k, key });
        return handle;
      },
      seal: (r) => base.seal({ ...r, key: unwrap(r.key).key }),
      open: (r) => base.open({ ...r, key: unwrap(r.key).key }),
    };
    expect((await failures(leaky)).filter((n) => n.includes('key handle shows')).length).toBe(4);
    const late: AeadEngine = {
      ...leaky,
      name: 'late',
      importKey(a, k) {
        const key = base.importKey(a, k);
        const handle = Object.freeze({ algorithm: a, fingerprint: key.fingerprint });
        handles.set(handle, { raw: k, key });
        return handle;
      },
      seal: (r) => base.seal({ ...r, key: base.importKey(r.key.algorithm, unwrap(r.key).raw) }),
    };
    const failed = await failures(late);
    expect(failed.filter((n) => n.includes('key handle shows')).length).toBe(4);
  });

  it('the model engine is held to all but the published bytes, which it does not make', async () => {
    const model = new ModelAeadEngine();
    expect(await failures(model, false)).toEqual([]);
    const failed = await failures(model, true);
    expect(failed).toEqual(
      aeadConformanceCases()
        .filter((c) => c.name.includes('known answer'))
        .map((c) => c.name),
    );
  });
});

describe('aeadConformanceCases options and probeAlgorithms', () => {
  it('lists cases only for the claimed algorithms, each naming its algorithm', () => {
    const all = aeadConformanceCases();
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    const gcm = aeadConformanceCases({ algorithms: ['aes-128-gcm'] });
    expect(gcm.every((c) => c.algorithm === 'aes-128-gcm' || c.algorithm === null)).toBe(true);
    expect(gcm.filter((c) => c.name.includes('known answer')).length).toBe(11);
    expect(
      aeadConformanceCases({ knownAnswers: false }).some((c) => c.name.includes('known answer')),
    ).toBe(false);
  });

  it('probeAlgorithms asks the engine, and gives its reason for what it lacks', () => {
    const base = new NodeCryptoAeadEngine();
    const noCcm: AeadEngine = {
      name: 'no-ccm',
      importKey(a, k) {
        if (a === 'aes-128-ccm') throw new Error('bind: ENOENT');
        return base.importKey(a, k);
      },
      seal: (r) => base.seal(r),
      open: (r) => base.open(r),
    };
    expect(probeAlgorithms(base).supported).toEqual(AEAD_ALGORITHMS);
    const p = probeAlgorithms(noCcm);
    expect(p.supported).toEqual(AEAD_ALGORITHMS.filter((a) => a !== 'aes-128-ccm'));
    expect(p.missing).toEqual([
      { algorithm: 'aes-128-ccm', reason: 'no-ccm cannot import a aes-128-ccm key: bind: ENOENT' },
    ]);
  });
});
