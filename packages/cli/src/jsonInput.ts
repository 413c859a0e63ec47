import * as v from 'valibot';
import { InputError } from './errors.js';
import { readText } from './files.js';

/**
 * Reading a JSON file the user gave (results.json, a capture's index.json): a parse error names
 * the line and column, a value the schema refuses names its JSON path and what was expected, and a
 * document nested deeper than any of ours is refused before `JSON.parse` (no stack overflow in
 * whatever walks it next).
 */

/** Deeper than any file ktls-lab writes (results: 4 levels) by a wide margin. */
export const MAX_JSON_DEPTH = 64;

/** Byte offset where nesting first passes `max` (brackets inside strings do not count), or -1. */
export function tooDeepAt(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/** Parses `text`, read from `file`, as JSON; every failure is an `InputError` saying where. */
export function parseJsonInput(file: string, text: string, what: string): unknown {
  if (text.trim() === '') throw new InputError(file, null, `empty: expected ${what}`);
  const deep = tooDeepAt(text);
  if (deep >= 0)
    throw new InputError(
      file,
      lineColumn(text, deep),
      `nested more than ${MAX_JSON_DEPTH} levels deep: expected ${what}`,
    );
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const raw = (e as Error).message;
    const position = /at position (\d+)/.exec(raw);
    const place = position ? lineColumn(text, Number(position[1])) : null;
    const end = /Unexpected end of JSON input/.test(raw);
    throw new InputError(
      file,
      place ?? (end ? `byte ${Buffer.byteLength(text)}` : null),
      end
        ? `cut off: the JSON ends early (truncated?): expected ${what}`
        : `not valid JSON (${raw.replace(/,\s*".*" is not valid JSON$/s, '').slice(0, 80)}): expected ${what}`,
    );
  }
}

/** Checks a parsed value against a schema; the first issue becomes an `InputError` with its path. */
export function validateInput<S extends v.GenericSchema>(
  file: string,
  schema: S,
  value: unknown,
): v.InferOutput<S> {
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = v.getDotPath(issue);
  return failAt(file, path === null ? null : `at ${path}`, issue.message);
}

function failAt(file: string, place: string | null, message: string): never {
  throw new InputError(file, place, message);
}

/** Reads, parses and validates a JSON input file. */
export function readJsonInput<S extends v.GenericSchema>(
  file: string,
  schema: S,
  what: string,
): v.InferOutput<S> {
  return validateInput(file, schema, parseJsonInput(file, readText(file), what));
}
