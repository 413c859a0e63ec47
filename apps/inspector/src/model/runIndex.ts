/**
 * The run folder written by `ktls-lab explore --out DIR`: DIR/index.json lists every design ×
 * scenario cell with its verdict, its repro and, for failing cells, a trace path relative to DIR.
 * Checked by hand (it is small) so that a wrong file says which field is wrong.
 */
export interface RunEntry {
  readonly design: string;
  readonly scenario: string;
  readonly kind: 'correct' | 'mutant';
  readonly verdict: string;
  readonly repro: string | null;
  readonly invariant: number | null;
  readonly invariantName: string | null;
  readonly message: string | null;
  readonly trace: string | null;
}

export interface RunIndex {
  readonly summary: string | null;
  readonly strategy: string | null;
  readonly runs: readonly RunEntry[];
}

export type RunIndexResult =
  | { readonly ok: true; readonly index: RunIndex }
  | { readonly ok: false; readonly message: string };

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function parseRunIndex(text: string): RunIndexResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      message: `index.json is not valid JSON: ${e instanceof Error ? e.message.slice(0, 120) : e}`,
    };
  }
  const obj = json as Record<string, unknown> | null;
  const runs = Array.isArray(json) ? json : obj && typeof obj === 'object' ? obj.runs : undefined;
  if (!Array.isArray(runs)) {
    return {
      ok: false,
      message:
        'index.json has no "runs" list: is it the index.json that `ktls-lab explore --out` writes?',
    };
  }
  if (obj && !Array.isArray(obj) && obj.format !== undefined && obj.format !== 'ktls-lab-index') {
    return {
      ok: false,
      message: `index.json "format" is ${JSON.stringify(obj.format)}, expected "ktls-lab-index"`,
    };
  }
  const out: RunEntry[] = [];
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i] as Record<string, unknown> | null;
    if (!r || typeof r !== 'object') return { ok: false, message: `runs[${i}] is not an object` };
    const design = str(r.design);
    const scenario = str(r.scenario);
    if (design === null)
      return { ok: false, message: `runs[${i}]: field "design" must be a string` };
    if (scenario === null)
      return { ok: false, message: `runs[${i}]: field "scenario" must be a string` };
    const trace = str(r.trace);
    if (
      trace !== null &&
      (trace.includes('..') || /^[a-z]+:/i.test(trace) || trace.startsWith('/'))
    ) {
      return {
        ok: false,
        message: `runs[${i}]: field "trace" must be a path inside the run folder, got ${JSON.stringify(trace)}`,
      };
    }
    out.push({
      design,
      scenario,
      kind: r.kind === 'mutant' ? 'mutant' : 'correct',
      verdict: str(r.verdict) ?? 'unknown',
      repro: str(r.repro),
      invariant: typeof r.invariant === 'number' ? r.invariant : null,
      invariantName: str(r.invariantName),
      message: str(r.message),
      trace,
    });
  }
  const verdict =
    obj && !Array.isArray(obj) ? (obj.verdict as Record<string, unknown> | undefined) : undefined;
  return {
    ok: true,
    index: {
      runs: out,
      summary: str(verdict?.summary),
      strategy: obj && !Array.isArray(obj) ? str(obj.strategy) : null,
    },
  };
}

export function isFailing(run: RunEntry): boolean {
  return run.verdict === 'violated' || run.verdict === 'stuck';
}

/**
 * The run to open first: an unexpected failure (a correct design violated) if there is one, since
 * that is the bug; otherwise the first failing run with a trace; otherwise the first run.
 */
export function firstFailing(index: RunIndex): number {
  const withTrace = (r: RunEntry) => isFailing(r) && r.trace !== null;
  const unexpected = index.runs.findIndex((r) => withTrace(r) && r.kind === 'correct');
  if (unexpected >= 0) return unexpected;
  const any = index.runs.findIndex(withTrace);
  if (any >= 0) return any;
  return index.runs.findIndex((r) => r.trace !== null);
}
