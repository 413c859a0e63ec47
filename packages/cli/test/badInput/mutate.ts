import fc from 'fast-check';

/**
 * Malformed inputs, made from valid ones: JSON documents with one value replaced, removed or
 * added at a random path, and texts cut, spliced, or given other line ends. Each is a fast-check
 * arbitrary, so a failure shrinks to the smallest breaking change.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

function pathsOf(value: Json, at: Path = []): Path[] {
  const here = [at];
  if (Array.isArray(value)) return here.concat(value.flatMap((v, i) => pathsOf(v, [...at, i])));
  if (value !== null && typeof value === 'object')
    return here.concat(Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k])));
  return here;
}

/** Text with what terminals act on: ESC sequences, BEL, CR, bidi overrides, NUL. */
export const hostileText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '\u001b[2J\u001b[H',
    '\u001b]0;owned\u0007',
    'a\rb',
    '\u202eevil',
    'x\u0000y',
    '\u009b31m',
    'line\nbreak',
  ),
);

/** Values no field of ours accepts everywhere: wrong types, out of range, absurd nesting. */
export const garbage: fc.Arbitrary<Json> = fc.oneof(
  hostileText,
  fc.integer({ min: -1000, max: -1 }),
  fc.constantFrom(1e300, 0.5, -0, 2 ** 53 + 2, 4294967296),
  fc.constant(null),
  fc.boolean(),
  fc.constant<Json>({}),
  fc.constant<Json>([]),
  fc.constant<Json>({ a: [[[[[[[[[[1]]]]]]]]]] }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

export type JsonEdit =
  | { readonly op: 'replace'; readonly at: number; readonly value: Json }
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'add'; readonly at: number; readonly key: string; readonly value: Json };

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: garbage }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.constantFrom('extra', '__proto__', 'constructor', 'runs'),
    value: garbage,
  }),
);

/** Applies an edit to a copy of `doc` (the path is `at` modulo the number of paths). */
export function applyEdit(doc: Json, edit: JsonEdit): Json {
  const copy = structuredClone(doc);
  const paths = pathsOf(copy);
  const path = paths[edit.at % paths.length]!;
  if (path.length === 0) return edit.op === 'replace' ? edit.value : copy;
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k]!, copy);
  const key = path.at(-1)!;
  const p = parent as Record<string | number, Json>;
  switch (edit.op) {
    case 'replace':
      p[key] = edit.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
      break;
    case 'add': {
      const target = p[key];
      if (target !== null && typeof target === 'object' && !Array.isArray(target))
        Object.defineProperty(target, edit.key, { value: edit.value, enumerable: true });
      else p[key] = edit.value;
      break;
    }
  }
  return copy;
}

export type TextEdit =
  | { readonly op: 'cut'; readonly at: number }
  | { readonly op: 'splice'; readonly at: number; readonly text: string }
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'line-ends'; readonly eol: '\r' | '\r\n' }
  | { readonly op: 'nest'; readonly at: number; readonly depth: number };

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('splice' as const),
    at: fc.nat(),
    text: fc.oneof(hostileText, fc.constantFrom('\n', '{', '}', ']', '"', '\n\n', ',')),
  }),
  fc.record({
    op: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 6 }),
  }),
  fc.record({
    op: fc.constant('line-ends' as const),
    eol: fc.constantFrom('\r' as const, '\r\n' as const),
  }),
  fc.record({
    op: fc.constant('nest' as const),
    at: fc.nat(),
    depth: fc.constantFrom(100, 5000, 200_000),
  }),
);

/** Applies an edit to `text` (positions modulo its length). */
export function applyTextEdit(text: string, edit: TextEdit): string {
  const at = text.length === 0 ? 0 : ('at' in edit ? edit.at : 0) % text.length;
  switch (edit.op) {
    case 'cut':
      return text.slice(0, at);
    case 'splice':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'flip':
      return (
        text.slice(0, at) +
        String.fromCharCode(text.charCodeAt(at) ^ (1 << edit.bit)) +
        text.slice(at + 1)
      );
    case 'line-ends':
      return text.replace(/\n/g, edit.eol);
    case 'nest':
      return `${text.slice(0, at)}${'['.repeat(edit.depth)}${']'.repeat(edit.depth)}${text.slice(at)}`;
    default:
      return edit satisfies never;
  }
}
