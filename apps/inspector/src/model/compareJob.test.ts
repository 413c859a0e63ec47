import { describe, expect, it } from 'vitest';
import { compareJob } from './compareJob';
import { TEST_HEADER } from './testHeader';

const header = { ...TEST_HEADER, scenario: 'key-update-one-way', seed: '42' };

describe('compareJob', () => {
  it('runs the same scenario and seed under the other design', () => {
    expect(compareJob(header, 'linux-ktls')).toEqual({
      kind: 'seed',
      scenario: 'key-update-one-way',
      design: 'linux-ktls',
      strategy: 'random',
      seed: 42,
    });
  });

  it('keeps the PCT strategy of the repro string', () => {
    const repro = 'ktls1:key-update-one-way:mutant-no-freeze-on-key-update:pct:42:';
    expect(compareJob({ ...header, repro }, 'linux-ktls')?.strategy).toBe('pct');
  });

  it('falls back to the random strategy for a repro it cannot read', () => {
    expect(compareJob({ ...header, repro: 'ktls9:x' }, 'linux-ktls')?.strategy).toBe('random');
  });

  it('has nothing to run without a scenario and a seed', () => {
    expect(compareJob(TEST_HEADER, 'linux-ktls')).toBeNull();
    const { seed: _seed, ...noSeed } = header;
    expect(compareJob(noSeed, 'linux-ktls')).toBeNull();
  });
});
