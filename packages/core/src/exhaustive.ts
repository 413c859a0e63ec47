/**
 * The exhaustiveness check of every `switch` over a closed union (effects, inputs, trace kinds,
 * phases, error codes, designs): with every member handled, the value left for `default` has type
 * `never`, so a member added to the union without a case is a compile error here instead of an
 * effect that is silently dropped. At run time it is reached only by a value from outside the
 * type system (a cast, untyped JavaScript), and says what it got.
 */
export function assertNever(value: never, what = 'value'): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new TypeError(`unexpected ${what}: ${shown}`);
}
