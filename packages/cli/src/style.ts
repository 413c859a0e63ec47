/**
 * Terminal styling. Colour only when stdout is a terminal and NO_COLOR is not set
 * (https://no-color.org): piped output and logs stay plain text.
 */
export interface Style {
  readonly colour: boolean;
  readonly tty: boolean;
  /** Columns available for tables. */
  readonly width: number;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function styleFor(stream: NodeJS.WriteStream = process.stdout, env = process.env): Style {
  const tty = stream.isTTY === true;
  const colour = tty && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  const wrap = (open: number, close: number) => (s: string) =>
    colour ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    colour,
    tty,
    width: tty && stream.columns ? Math.max(80, stream.columns) : 160,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

export const PLAIN: Style = {
  colour: false,
  tty: false,
  width: 160,
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
};

/** Visible length of a string that may contain colour codes. */
export function visibleLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape codes is the point
  return s.replace(/\u001b\[\d+m/g, '').length;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

export function truncate(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}
