import { describe, expect, it } from 'vitest';
import { readUrlState, writeUrlState } from './urlState';

describe('url state', () => {
  it('round-trips a shared position', () => {
    const s = readUrlState('?trace=%2Fdata%2Fa.ndjson&step=42&compare=b.ndjson');
    expect(s).toMatchObject({ trace: '/data/a.ndjson', step: 42, compare: 'b.ndjson', run: null });
    expect(readUrlState(writeUrlState(s))).toEqual(s);
  });
  it('keeps the run folder and the selected run, not the trace inside it', () => {
    const s = readUrlState('?run=/data/index.json&sel=3&trace=x');
    expect(writeUrlState(s)).toBe('?run=%2Fdata%2Findex.json&sel=3');
  });
  it('ignores malformed numbers', () => {
    expect(readUrlState('?step=-1&sel=abc').step).toBeNull();
  });
});
