import { describe, expect, it } from 'vitest';
import { firstFailing, parseRunIndex } from './runIndex';
import { runRow as run } from './runIndex.fixtures';

describe('parseRunIndex', () => {
  it('reads the index written by explore --out and picks the first failing run', () => {
    const text = JSON.stringify({
      format: 'ktls-lab-index',
      version: 1,
      strategy: 'random',
      verdict: { ok: true, summary: 'all good' },
      runs: [
        run({}),
        run({ design: 'mutant-a', kind: 'mutant', verdict: 'violated', trace: 'traces/a.ndjson' }),
        run({ design: 'mutant-b', kind: 'mutant', verdict: 'violated', trace: 'traces/b.ndjson' }),
      ],
    });
    const r = parseRunIndex(text);
    if (!r.ok) throw new Error(r.message);
    expect(r.index.summary).toBe('all good');
    expect(firstFailing(r.index)).toBe(1);
  });

  it('prefers an unexpected failure of a correct design', () => {
    const r = parseRunIndex(
      JSON.stringify({
        runs: [
          run({ design: 'm', kind: 'mutant', verdict: 'violated', trace: 'traces/m.ndjson' }),
          run({ verdict: 'violated', trace: 'traces/c.ndjson' }),
        ],
      }),
    );
    expect(r.ok && firstFailing(r.index)).toBe(1);
  });

  it('says what is wrong with a bad index', () => {
    expect(parseRunIndex('{')).toMatchObject({ ok: false });
    expect(parseRunIndex('{"format":"x","runs":[]}')).toMatchObject({
      ok: false,
      message: expect.stringContaining('"format"'),
    });
    expect(parseRunIndex('{"runs":[{"design":1}]}')).toMatchObject({
      ok: false,
      message: 'runs[0]: field "design" must be a string',
    });
    expect(
      parseRunIndex(JSON.stringify({ runs: [run({ trace: '../../etc/passwd' })] })),
    ).toMatchObject({
      ok: false,
    });
  });
});
