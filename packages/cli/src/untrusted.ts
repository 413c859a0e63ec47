/**
 * Text from input files (names in a results file, messages in a trace, strings a peer sent)
 * printed to a terminal: C0 and C1 control characters, DEL and the Unicode line and bidi controls
 * are shown as escapes (`\x1b`, `\u202e`), so a file cannot move the cursor, retitle the window,
 * hide text or reorder a line (ECMA-48 §5: ESC and CSI, 0x9b, start control sequences). Every
 * place that prints input-derived text goes through `untrusted`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

export function untrusted(value: unknown): string {
  return String(value).replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
