/** A run row of a run folder's index.json (packages/cli writes them) for tests: one held run of
 * a correct design, with `over` changing what the test is about. */
export const runRow = (over: Record<string, unknown>) => ({
  design: 'linux-ktls',
  scenario: 'bulk-both-ways',
  kind: 'correct',
  verdict: 'held',
  repro: null,
  invariant: null,
  trace: null,
  ...over,
});
