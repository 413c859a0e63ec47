import { type Cell, invariantName, type Results, verdict } from '@ktls-lab/sim';
import { PLAIN, padEnd, type Style, truncate } from './style.js';
import { untrusted } from './untrusted.js';

/**
 * The verdict table: one row per design (correct designs first, then mutants), one column per
 * scenario. A column header is the scenario's name when all of them fit the width, else S1, S2,
 * ... with a legend. A cell reads `held`, `inv N` (the invariant its first failure violated),
 * `held?` (dfs that did not finish the tree), `–` (no runs: the budget ran out first) or `·` (not
 * in the results, e.g. a large scenario under dfs).
 */
export function verdictTable(results: Results, style: Style = PLAIN): string[] {
  const { designs, scenarios, cell } = grid(results);
  if (designs.length === 0) return ['(no cells)'];
  const kinds = new Map(results.cells.map((c) => [c.design, c.kind]));
  const caught = new Set(results.cells.filter((c) => c.failures > 0).map((c) => c.design));
  const nameWidth = Math.max(...designs.map((d) => d.length), 'design'.length) + 2;
  const kindWidth = 9;
  const runsOf = (d: string) =>
    results.cells.filter((c) => c.design === d).reduce((sum, c) => sum + c.runs, 0);
  const runsWidth = Math.max(4, ...designs.map((d) => String(runsOf(d)).length)) + 2;
  const fixed = nameWidth + kindWidth + runsWidth;
  const fullWidths = scenarios.map((s) => Math.max(s.length, 6) + 2);
  const full = fixed + fullWidths.reduce((a, b) => a + b, 0) <= style.width;
  const headers = full ? scenarios : scenarios.map((_, i) => `S${i + 1}`);
  // Compact columns are as wide as their header or their widest cell (plain text), plus a space.
  const widths = full
    ? fullWidths
    : headers.map(
        (h, i) =>
          Math.max(
            h.length,
            ...designs.map((d) => cellText(cell(d, scenarios[i]!), PLAIN).length),
          ) + 1,
      );

  const lines: string[] = [];
  if (!full) lines.push(...legend(scenarios, style.width));
  lines.push(
    style.bold(
      padEnd('design', nameWidth) +
        padEnd('kind', kindWidth) +
        headers.map((h, i) => padEnd(h, widths[i]!)).join('') +
        'runs'.padStart(runsWidth),
    ),
  );
  for (const d of designs) {
    const kind = kinds.get(d)!;
    const escaped = kind === 'mutant' && !caught.has(d);
    const name = escaped ? style.red(d) : d;
    const row = scenarios.map((s, i) => padEnd(cellText(cell(d, s), style), widths[i]!)).join('');
    lines.push(
      padEnd(name, nameWidth) +
        padEnd(kind, kindWidth) +
        row +
        String(runsOf(d)).padStart(runsWidth),
    );
  }
  return lines;
}

function legend(scenarios: readonly string[], width: number): string[] {
  const items = scenarios.map((s, i) => `S${i + 1} ${s}`);
  const lines: string[] = [];
  let line = 'scenarios:';
  for (const item of items) {
    if (line.length + 2 + item.length > width) {
      lines.push(line);
      line = '          ';
    }
    line += `  ${item}`;
  }
  lines.push(line, '');
  return lines;
}

function cellText(c: Cell | undefined, style: Style): string {
  if (!c) return style.dim('·');
  if (c.failures > 0) {
    const inv = (c.shrunk ?? c.first)?.invariant;
    const text = `inv ${inv}`;
    return c.kind === 'correct' ? style.red(style.bold(text)) : style.green(text);
  }
  if (c.runs === 0) return style.dim('–');
  const text = c.exhaustive === false ? 'held?' : 'held';
  return c.kind === 'correct' ? style.green(text) : style.dim(text);
}

/** Designs (correct first, in order of appearance), scenarios, and a cell lookup. */
export function grid(results: Results) {
  const designs: string[] = [];
  const scenarios: string[] = [];
  const byKey = new Map<string, Cell>();
  for (const c of results.cells) {
    if (!designs.includes(c.design)) designs.push(c.design);
    if (!scenarios.includes(c.scenario)) scenarios.push(c.scenario);
    byKey.set(`${c.design}\u0000${c.scenario}`, c);
  }
  const kind = new Map(results.cells.map((c) => [c.design, c.kind]));
  const ordered = [
    ...designs.filter((d) => kind.get(d) === 'correct'),
    ...designs.filter((d) => kind.get(d) !== 'correct'),
  ];
  return {
    designs: ordered,
    scenarios,
    cell: (d: string, s: string) => byKey.get(`${d}\u0000${s}`),
  };
}

/** Failing cells in table order. */
export function failingCells(results: Results): Cell[] {
  const { designs, scenarios, cell } = grid(results);
  return designs.flatMap((d) =>
    scenarios.map((s) => cell(d, s)).filter((c): c is Cell => c !== undefined && c.failures > 0),
  );
}

/**
 * Two lines per failing cell: what failed, and the shortest repro found. Results can come from a
 * file (merge): names, messages and repros are printed escaped (untrusted.ts).
 */
export function failureLines(results: Results, style: Style = PLAIN): string[] {
  const lines: string[] = [];
  for (const c of failingCells(results)) {
    const f = c.shrunk ?? c.first!;
    const label = c.kind === 'correct' ? style.red('VIOLATED') : style.green('caught');
    const head = `${untrusted(c.design)} × ${untrusted(c.scenario)}: ${label} invariant ${f.invariant} (${invariantName(f.invariant)}) — `;
    const where =
      c.exhaustive !== undefined
        ? ` after ${c.runs} schedules`
        : `, ${c.failures}/${c.runs} runs failed`;
    lines.push(
      `  ${head}${truncate(untrusted(f.message), Math.max(30, style.width - head.length - 4))}`,
    );
    const size = c.shrunk
      ? `shrunk to ${c.shrunk.steps} steps, ${c.shrunk.choices} choices (from ${c.first!.steps} steps, ${c.first!.choices} choices)`
      : `${f.steps} steps, ${f.choices} choices${c.first ? ' (not shrunk)' : ''}`;
    lines.push(style.dim(`      ${size}${where}`));
    lines.push(`      ${untrusted(f.repro)}`);
  }
  return lines;
}

/**
 * The verdict a run exits with. A shard sees only its share of the tasks, so a mutant it did not
 * catch may be caught by another shard: in a sharded result only correct designs decide, and the
 * mutant verdict waits for `ktls-lab merge`.
 */
export function finalVerdict(results: Results) {
  const v = verdict(results);
  const sharded = results.shard !== null;
  const kinds = new Map(results.cells.map((c) => [c.design, c.kind]));
  const mutants = [...kinds.values()].filter((k) => k === 'mutant').length;
  const correct = [...kinds.values()].filter((k) => k === 'correct').length;
  const ok = v.unexpected.length === 0 && (sharded || v.uncaught.length === 0);
  return { ...v, ok, sharded, mutants, correct };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The closing sentence, and whether it is good news. */
export function verdictSentence(results: Results): { ok: boolean; text: string } {
  const v = finalVerdict(results);
  const parts: string[] = [];
  if (v.unexpected.length === 0) {
    parts.push(
      v.correct > 0
        ? 'all correct designs held on every scenario'
        : 'no correct designs in the selection',
    );
  } else {
    const broken = new Map<string, string[]>();
    for (const c of v.unexpected)
      broken.set(c.design, [...(broken.get(c.design) ?? []), c.scenario]);
    for (const [d, ss] of broken) parts.push(`correct design ${d} VIOLATED on ${ss.join(', ')}`);
  }
  if (v.mutants === 0) {
    parts.push('no mutants in the selection');
  } else if (v.uncaught.length === 0) {
    parts.push(v.mutants === 1 ? 'the mutant was caught' : `all ${v.mutants} mutants caught`);
  } else if (v.sharded) {
    parts.push(
      `${v.mutants - v.uncaught.length} of ${plural(v.mutants, 'mutant')} caught in shard ${results.shard} (merge all shards for the mutant verdict)`,
    );
  } else {
    parts.push(
      `${v.uncaught.length} of ${plural(v.mutants, 'mutant')} NOT caught on the selected scenarios: ${v.uncaught.join(', ')}`,
    );
  }
  const text = parts.join('; ');
  return { ok: v.ok, text: v.ok ? text : `FAILED: ${text}` };
}

/** Verdict as JSON (cells named, not copied). */
export function verdictJson(results: Results) {
  const v = finalVerdict(results);
  return {
    ok: v.ok,
    sharded: v.sharded,
    unexpected: v.unexpected.map((c) => ({
      design: c.design,
      scenario: c.scenario,
      invariant: (c.shrunk ?? c.first)?.invariant ?? null,
    })),
    uncaught: v.uncaught,
    summary: verdictSentence(results).text,
  };
}
