#!/usr/bin/env node
// The README's library example must be the code of examples/src/readme.ts between its markers,
// line for line, so that what the README shows is what CI type-checks and runs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(here, 'src', 'readme.ts'), 'utf8');
const begin = source.indexOf('// README:begin\n');
const end = source.indexOf('// README:end');
if (begin < 0 || end < 0) {
  console.error('examples/src/readme.ts: README:begin / README:end markers missing');
  process.exit(1);
}
const code = source.slice(begin + '// README:begin\n'.length, end).trimEnd();
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
if (!readme.includes(`\`\`\`ts\n${code}\n\`\`\``)) {
  console.error(
    'README.md: the library example differs from examples/src/readme.ts (between README:begin and README:end); copy it over',
  );
  process.exit(1);
}
console.log('README example matches examples/src/readme.ts');
