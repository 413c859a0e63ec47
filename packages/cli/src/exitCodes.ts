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
      'success: everything held (explore, merge: every correct design held on every scenario and every selected mutant was caught; replay: the run holds; decode: the session was decoded completely; probe: the kernel has everything; kernel run: the kernel behaved as the core model of it)',
  },
  {
    code: 1,
    name: 'finding',
    meaning:
      'a finding, or data missing: a correct design failed, a selected mutant was not caught, a failure did not replay deterministically (replay: the repro violates an invariant; decode: records could not be decoded, or with --strict a direction ended without close_notify; probe: something is missing; kernel run: the kernel differs from the core model; capture: the connection failed before a byte was relayed, e.g. refused)',
  },
  {
    code: 2,
    name: 'usage',
    meaning:
      'usage error: bad arguments or options, unknown scenario/design names (the message names the closest ones), a bad repro string, a file that does not exist, an output path that cannot be written (shrink: the repro does not fail)',
  },
  {
    code: 3,
    name: 'internal',
    meaning: 'internal error: a bug in ktls-lab (the stack trace is printed)',
  },
  {
    code: 4,
    name: 'input',
    meaning:
      'input error: a file you gave is malformed or truncated (trace, repro file, results.json, capture index.json, key log); the message names the file, the place and what was expected',
  },
  {
    code: 5,
    name: 'environment',
    meaning:
      'environment error: the machine cannot do it: missing kernel features (kernel run: no kernel TLS), permission denied, a port in use, a full disk',
  },
  {
    code: 130,
    name: 'interrupted',
    meaning:
      'interrupted by SIGINT or SIGTERM (explore writes the failures found so far before it exits)',
  },
] as const;

type ExitEntry = (typeof EXIT_CODES)[number];
export type ExitName = ExitEntry['name'];

/** The codes by name: `EXIT.ok`, `EXIT.finding`, `EXIT.usage`, `EXIT.input`, ... */
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
  const codeWidth = Math.max(...EXIT_CODES.map((e) => String(e.code).length));
  const indent = 2 + codeWidth + 2 + nameWidth + 2;
  const rows = EXIT_CODES.flatMap((e) => {
    const [first = '', ...rest] = wrap(e.meaning, width - indent);
    return [
      `  ${String(e.code).padStart(codeWidth)}  ${e.name.padEnd(nameWidth)}  ${first}`,
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
