import { INVARIANTS, SCENARIOS, SIM_DESIGNS } from '@ktls-lab/sim';
import { EXIT } from '../errors.js';
import { writeOut } from '../output.js';
import { EXPLORE_STRATEGIES } from '../explore.js';
import { styleFor } from '../style.js';

/** Everything a selection can name: scenarios, designs (and mutants), invariants, strategies. */
export function catalog() {
  return {
    scenarios: SCENARIOS.map((s) => ({
      name: s.name,
      suite: s.suite,
      summary: s.summary,
      small: s.small,
      asyncDepth: s.asyncDepth,
      ...(s.framer ? { framer: s.framer } : {}),
    })),
    designs: SIM_DESIGNS.map((d) => ({
      name: d.name,
      kind: d.kind,
      summary: d.summary,
      ...(d.caughtBy ? { caughtBy: [...d.caughtBy] } : {}),
      ...(d.limitations.length > 0 ? { limitations: [...d.limitations] } : {}),
    })),
    invariants: INVARIANTS.map((i) => ({ id: i.id, name: i.name, text: i.text })),
    strategies: [...EXPLORE_STRATEGIES],
  };
}

export function listCommand(o: { json?: boolean }): number {
  const c = catalog();
  if (o.json) {
    writeOut(`${JSON.stringify(c, null, 2)}\n`);
    return EXIT.ok;
  }
  const style = styleFor(process.stdout);
  const out: string[] = [];
  const w =
    Math.max(...c.scenarios.map((s) => s.name.length), ...c.designs.map((d) => d.name.length)) + 2;
  out.push(
    style.bold(`scenarios (${c.scenarios.length}; "small" ones are explored exhaustively by dfs)`),
  );
  for (const s of c.scenarios) {
    out.push(`  ${s.name.padEnd(w)}${s.suite.padEnd(40)}${s.small ? 'small' : ''}`.trimEnd());
    out.push(style.dim(`  ${''.padEnd(w)}${s.summary}`));
  }
  out.push('', style.bold(`designs (${c.designs.length})`));
  for (const d of c.designs) {
    const caught = d.caughtBy
      ? `  caught by ${d.caughtBy.map((i) => `${i} (${INVARIANTS[i - 1]?.name})`).join(', ')}`
      : '';
    out.push(`  ${d.name.padEnd(w)}${d.kind}${caught}`);
    out.push(style.dim(`  ${''.padEnd(w)}${d.summary}`));
  }
  out.push('', style.bold(`invariants (${c.invariants.length})`));
  for (const i of c.invariants)
    out.push(`  ${String(i.id).padStart(2)} ${i.name.padEnd(20)}${i.text}`);
  out.push('', `${style.bold('strategies')}  ${c.strategies.join(', ')}`);
  writeOut(`${out.join('\n')}\n`);
  return EXIT.ok;
}
