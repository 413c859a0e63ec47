import { describe, expect, it } from 'vitest';
import type { AeadEngine } from '../aead.js';
import { TlsRecordLayer } from '../driver.js';
import {
  defaultAeadEngine,
  defaultAeadEngineProvider,
  setDefaultAeadEngineProvider,
} from './default.js';
import { ModelAeadEngine } from './model.js';
import { NodeCryptoAeadEngine } from './nodeCrypto.js';

describe('the default engine provider', () => {
  it('without a provider: node:crypto', () => {
    expect(defaultAeadEngineProvider()).toBeUndefined();
    expect(defaultAeadEngine().name).toBe('node:crypto');
  });

  it('a registered provider makes the engines of record layers created without one', () => {
    const provider = { name: 'model', create: (): AeadEngine => new ModelAeadEngine() };
    expect(setDefaultAeadEngineProvider(provider)).toBeUndefined();
    try {
      expect(defaultAeadEngineProvider()).toBe(provider);
      expect(new TlsRecordLayer().traceHeader().engine).toBe('model');
      // An engine passed by the caller still wins.
      const explicit = new TlsRecordLayer({ engine: new NodeCryptoAeadEngine() });
      expect(explicit.traceHeader().engine).toBe('node:crypto');
    } finally {
      expect(setDefaultAeadEngineProvider(undefined)).toBe(provider);
    }
    expect(new TlsRecordLayer().traceHeader().engine).toBe('node:crypto');
  });

  it('a provider that cannot make an engine here falls back to node:crypto', () => {
    setDefaultAeadEngineProvider({
      name: 'broken',
      create: () => {
        throw new Error('addon missing');
      },
    });
    try {
      expect(defaultAeadEngine().name).toBe('node:crypto');
    } finally {
      setDefaultAeadEngineProvider(undefined);
    }
  });
});
