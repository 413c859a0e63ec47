import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('@ktls-lab/core/testing runs anywhere', () => {
  it('imports neither vitest nor node:* nor a node-only module, directly or through core', () => {
    const here = import.meta.dirname;
    const seen = new Set<string>();
    const bare: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        if (spec!.startsWith('.')) walk(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
        else bare.push(`${relative(here, file)}: ${spec}`);
      }
    };
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? files(join(dir, e.name))
          : e.name.endsWith('.test.ts')
            ? []
            : [join(dir, e.name)],
      );
    for (const f of files(here)) walk(f);
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].some((f) => f.endsWith('nodeCrypto.ts') || f.endsWith('node.ts'))).toBe(false);
    // What the browser-safe core entry already depends on, and nothing else.
    for (const b of bare) expect(b).toMatch(/: @noble\/hashes\//);
  });
});
