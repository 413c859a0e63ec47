import { MAX_PLAINTEXT, suiteByName, TLS_1_3 } from '@ktls-lab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeChoices, ReproError } from '../repro.js';
import { ACTION_KINDS, type AppAction, type Scenario } from './actions.js';
import { SCENARIOS } from './catalog.js';
import { decodeScenario, ENCODED_PREFIX, encodeScenario, scenarioNumbers } from './codec.js';
import { generatedSeed, generateScenario } from './generate.js';
import { scenarioNamed } from './lookup.js';
import { scenarioCandidates, scenarioSize } from './shrinkScenario.js';
import { scenarioProblems } from './validate.js';

const seed = fc.integer({ min: 0, max: 0xffff_ffff });
// What the codec carries: everything but the name, the summary and the DFS flag `small`.
const content = (s: Scenario) => ({ ...s, name: '', summary: '', small: false });

describe('generated scenarios', () => {
  it('are valid inputs for every seed', () => {
    fc.assert(
      fc.property(seed, (n) => {
        expect(scenarioProblems(generateScenario(n))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('are a function of the seed, named by it', () => {
    fc.assert(
      fc.property(seed, (n) => {
        const s = generateScenario(n);
        expect(s.name).toBe(`gen-${n}`);
        expect(generatedSeed(s.name)).toBe(n);
        expect(scenarioNamed(s.name)).toEqual(s);
        expect(JSON.stringify(generateScenario(n))).toBe(JSON.stringify(s));
      }),
      { numRuns: 300 },
    );
  });

  it('cover the vocabulary: every action, both versions, both alert levels, every size limit', () => {
    const seen = new Set<string>();
    const mark = (s: Scenario, a: AppAction, after: readonly AppAction[]) => {
      seen.add(a.do);
      if (a.do === 'send') {
        if ([0, 1, 2, MAX_PLAINTEXT - 1, MAX_PLAINTEXT, MAX_PLAINTEXT + 1].includes(a.bytes))
          seen.add(`size ${a.bytes}`);
        if (a.more) seen.add('MSG_MORE');
      }
      if (a.do === 'key-update') seen.add(`key-update requested=${a.requestUpdate}`);
      if (a.do === 'alert') seen.add(a.alert === 'user_canceled' ? 'warning alert' : 'fatal alert');
      if (a.do === 'close' && after.length > 0) seen.add('close then more');
      if (a.do === 'message' && a.upto !== undefined) seen.add('message cut short');
      if (a.do === 'garbage') seen.add(`oversize header on ${s.suite}`);
    };
    for (let n = 1; n <= 2000; n++) {
      const s = generateScenario(n);
      seen.add(suiteByName(s.suite).version === TLS_1_3 ? 'TLS 1.3' : 'TLS 1.2');
      seen.add(`profile ${s.profile.name}`);
      seen.add(`framer ${s.framer ?? 'none'}`);
      if (s.asyncDepth > 1) seen.add('async');
      for (const script of [s.client, s.server])
        for (const [i, a] of script.entries()) mark(s, a, script.slice(i + 1));
    }
    const want = [
      ...ACTION_KINDS,
      'size 0',
      'size 1',
      'size 2',
      `size ${MAX_PLAINTEXT - 1}`,
      `size ${MAX_PLAINTEXT}`,
      `size ${MAX_PLAINTEXT + 1}`,
      'MSG_MORE',
      'key-update requested=true',
      'key-update requested=false',
      'warning alert',
      'fatal alert',
      'close then more',
      'message cut short',
      'TLS 1.2',
      'TLS 1.3',
      'profile full',
      'profile aes-gcm-only',
      'framer rds',
      'framer kcm',
      'framer none',
      'async',
    ];
    expect(want.filter((w) => !seen.has(w))).toEqual([]);
    // An oversize header for every suite the kernel reads (each has its own limit).
    expect([...seen].filter((x) => x.startsWith('oversize header')).length).toBeGreaterThanOrEqual(
      6,
    );
  });
});

describe('scenarios carried in their name (scn-)', () => {
  it('round-trip generated and catalog scenarios byte for byte', () => {
    const check = (s: Scenario) => {
      const name = encodeScenario(s);
      expect(name.startsWith(ENCODED_PREFIX)).toBe(true);
      const back = decodeScenario(name);
      expect(back.name).toBe(name);
      expect(content(back)).toEqual(content(s));
      expect(encodeScenario(back)).toBe(name);
    };
    for (const s of SCENARIOS) check(s);
    // A TLS 1.2 key-exchange variant has its own code point (its records are those of its AEAD).
    check({ ...generateScenario(3), suite: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256' });
    fc.assert(
      fc.property(seed, (n) => check(generateScenario(n))),
      { numRuns: 300 },
    );
  });

  it('refuse a damaged name with a ReproError that says what is wrong', () => {
    const name = encodeScenario(generateScenario(7));
    expect(() => decodeScenario(name.slice(0, name.length - 3))).toThrow(ReproError);
    expect(() => decodeScenario(`${name}AA`)).toThrow(/after its end|ends inside/);
    expect(() => decodeScenario(`${ENCODED_PREFIX}!!`)).toThrow(/not base64url/);
    expect(() => decodeScenario(`${ENCODED_PREFIX}Aw`)).toThrow(/format 3 is not supported/);
    const numbers = scenarioNumbers(generateScenario(7));
    const edited = (i: number, v: number) =>
      `${ENCODED_PREFIX}${encodeChoices(numbers.map((x, j) => (j === i ? v : x)))}`;
    expect(() => decodeScenario(edited(1, 0x9999))).toThrow(/no suite has code 0x9999/);
    expect(() => decodeScenario(edited(3, 0))).toThrow(/async depth 0/);
    expect(() => decodeScenario(edited(4, 7))).toThrow(/framer 7 is above 2/);
    expect(() => decodeScenario(edited(5, 99_999))).toThrow(/client action count 99999/);
    const negative = { ...generateScenario(7), client: [{ do: 'send', bytes: -1 } as const] };
    expect(() => encodeScenario(negative)).toThrow(/-1 cannot be written/);
    expect(scenarioProblems(negative)).toEqual(['client action 0: send of -1 bytes']);
    expect(() => scenarioNamed(`${ENCODED_PREFIX}AQ`)).toThrow(/ends before its suite code/);
  });
});

describe('scenario shrinking candidates', () => {
  it('are valid, strictly smaller in some way, and named by their content', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (n) => {
        const s = generateScenario(n);
        const size = scenarioSize(s);
        for (const c of scenarioCandidates(s)) {
          expect(scenarioProblems(c)).toEqual([]);
          expect(decodeScenario(c.name)).toEqual(c);
          const cs = scenarioSize(c);
          const smaller =
            cs.actions < size.actions ||
            cs.bytes < size.bytes ||
            c.asyncDepth < s.asyncDepth ||
            c.profile.name !== s.profile.name ||
            (c.framer === undefined && s.framer !== undefined) ||
            JSON.stringify(c.client) !== JSON.stringify(s.client) ||
            JSON.stringify(c.server) !== JSON.stringify(s.server);
          expect(smaller).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});
