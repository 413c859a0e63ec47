/** Text helpers of the trace reader: JSON lines, blank lines, UTF-8 sizes, values in messages. */

type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string; readonly column?: number };

export function parseJson(line: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    // V8 echoes the whole input (`Unexpected token 'x', "<line>" is not valid JSON`); a trace
    // line can be long, so keep only the diagnosis.
    const reason = raw.replace(/,\s*".*" is not valid JSON$/s, '').slice(0, 160);
    // V8: "... in JSON at position N"; SpiderMonkey: "... at line L column C of the JSON data".
    const position = /at position (\d+)/.exec(raw);
    const column = /line \d+ column (\d+)/.exec(raw);
    const col = position ? Number(position[1]) + 1 : column ? Number(column[1]) : undefined;
    return col === undefined ? { ok: false, reason } : { ok: false, reason, column: col };
  }
}

/** JSON white space only (space, tab, CR; LF cannot occur inside a line). */
export function isBlank(line: string): boolean {
  return /^[ \t\r]*$/.test(line);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function show(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    // A value nested deeper than the stack (RangeError) or otherwise unprintable.
    s = kindOf(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const NON_ASCII_RUN = /[^\0-\x7f]+/g;

/**
 * Bytes of `text` as UTF-8 (TextEncoder's: a lone surrogate is U+FFFD, 3 bytes), without encoding
 * it. A high surrogate counts 3 and a low one right after it 1, so a pair split between two pushes
 * (`afterHigh`: the previous push ended in a high surrogate) still counts 4. ASCII runs are skipped
 * by a regular expression, several times faster than a loop over a 12 MB trace that is all ASCII.
 */
export function utf8Bytes(text: string, afterHigh: boolean): number {
  let bytes = text.length;
  NON_ASCII_RUN.lastIndex = 0;
  for (let m = NON_ASCII_RUN.exec(text); m !== null; m = NON_ASCII_RUN.exec(text)) {
    const end = m.index + m[0].length;
    let high = m.index === 0 && afterHigh;
    for (let i = m.index; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x800) bytes += 1;
      else if (!(high && c >= 0xdc00 && c <= 0xdfff)) bytes += 2;
      high = c >= 0xd800 && c <= 0xdbff;
    }
  }
  return bytes;
}
