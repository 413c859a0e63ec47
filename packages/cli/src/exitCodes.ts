/**
 * The exit codes of every `ktls-lab` command: one table, as data. `ktls-lab --help` prints it
 * (`exitCodeHelp`), packages/cli/README.md shows it (`exitCodeMarkdown`; a test holds the README's
 * table equal to this), and the commands return `EXIT.<name>`.
 */
export const EXIT_CODES = [
  {
    code: 0,
    name: 'ok',
    meaning:
      'everything held: every correct design held on every scenario and every selected mutant was caught (replay: the run holds; decode: every record was decoded; probe: the kernel has everything)',
  },
  {
    code: 1,
    name: 'finding',
    meaning:
      'a finding: a correct design failed, a selected mutant was not caught on any selected scenario, or a failure did not replay deterministically (replay: the repro violates an invariant; decode: something could not be decoded; probe: something is missing)',
  },
  {
    code: 2,
    name: 'usage',
    meaning:
      'usage error: bad arguments, unknown scenario/design names (the message names the closest ones), a bad repro string, an unreadable or invalid input file, an --out that cannot be written (shrink: the repro does not fail; kernel run: this kernel has no kernel TLS)',
  },
  {
    code: 3,
    name: 'internal',
    meaning: 'internal error: a bug in ktls-lab (the stack trace is printed)',
  },
] as const;

type ExitEntry = (typeof EXIT_CODES)[number];
export type ExitName = ExitEntry['name'];

/** The codes by name: `EXIT.ok`, `EXIT.finding`, `EXIT.usage`, `EXIT.internal`. */
export const EXIT = Object.freeze(Object.fromEntries(EXIT_CODES.map((e) => [e.name, e.code]))) as {
  readonly [E in ExitEntry as E['name']]: E['code'];
};

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The table as `--help` prints it, lines of at most `width` columns. */
export function exitCodeHelp(width = 100): string {
  const nameWidth = Math.max(...EXIT_CODES.map((e) => e.name.length));
  const indent = 2 + 1 + 2 + nameWidth + 2;
  const rows = EXIT_CODES.flatMap((e) => {
    const [first = '', ...rest] = wrap(e.meaning, width - indent);
    return [
      `  ${e.code}  ${e.name.padEnd(nameWidth)}  ${first}`,
      ...rest.map((l) => `${' '.repeat(indent)}${l}`),
    ];
  });
  return ['Exit codes:', ...rows].join('\n');
}

/** The table as packages/cli/README.md shows it. */
export function exitCodeMarkdown(): string {
  return [
    '| code | name | meaning |',
    '| ---- | ---- | ------- |',
    ...EXIT_CODES.map((e) => `| ${e.code} | \`${e.name}\` | ${e.meaning} |`),
  ].join('\n');
}
