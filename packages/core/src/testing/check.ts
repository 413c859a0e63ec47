import { toHex } from '../bytes.js';

/**
 * The few assertions the conformance cases need, without a test framework: each throws an Error
 * that says what was checked and what came back, so the same cases run under vitest, the VM's
 * plain-node kernel runner and a browser.
 */

/** A conformance check that did not hold. */
export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
}

export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new ConformanceError(what);
}

/** Hex of at most the first 48 bytes, for messages. */
function short(hex: string): string {
  return hex.length > 96 ? `${hex.slice(0, 96)}… (${hex.length / 2} bytes)` : hex || '(empty)';
}

/** `actual` is exactly the bytes `expected` (hex): same length, same bytes. */
export function checkBytes(actual: Uint8Array | null, expected: string, what: string): void {
  if (actual === null) throw new ConformanceError(`${what}: got null, want ${short(expected)}`);
  const got = toHex(actual);
  if (got === expected) return;
  let at = 0;
  while (at < got.length && got[at] === expected[at]) at++;
  throw new ConformanceError(
    `${what}: ${actual.length} bytes, want ${expected.length / 2}; first difference at byte ` +
      `${at >> 1}\n  got  ${short(got)}\n  want ${short(expected)}`,
  );
}

/**
 * `open` refused the input by returning null: a forgery is not an exception (aead.ts `open`,
 * RFC 5116 §2.2), so a throw fails the check as much as a plaintext does.
 */
export function checkRejected(open: () => Uint8Array | null, what: string): void {
  let opened: Uint8Array | null;
  try {
    opened = open();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConformanceError(`${what}: open threw (${message}), want null`);
  }
  if (opened !== null) {
    throw new ConformanceError(`${what}: open returned ${short(toHex(opened))}, want null`);
  }
}

/** What `f` threw, or undefined. */
function thrown(f: () => unknown): { readonly error: unknown } | undefined {
  try {
    f();
    return undefined;
  } catch (error) {
    return { error };
  }
}

/** The `code` of a RecordLayerError-like value. */
function codeOf(e: unknown): unknown {
  return typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
}

/**
 * `f` throws the kind of error `reference` throws: the same class and the same `code`. The
 * reference is aead.ts's own check (`checkAeadKey`, `checkAeadNonce`) on the same input, so the
 * contract is read from the code that defines it rather than restated here.
 */
export function checkThrowsLike(f: () => unknown, reference: () => unknown, what: string): void {
  const want = thrown(reference);
  if (want === undefined) throw new ConformanceError(`${what}: the reference check did not throw`);
  const got = thrown(f);
  if (got === undefined) throw new ConformanceError(`${what}: did not throw`);
  const wantClass = (want.error as object).constructor;
  if (!(got.error instanceof wantClass) || codeOf(got.error) !== codeOf(want.error)) {
    const describe = (e: unknown) =>
      e instanceof Error ? `${e.constructor.name}(${String(codeOf(e))}): ${e.message}` : String(e);
    throw new ConformanceError(
      `${what}: threw ${describe(got.error)}, want ${describe(want.error)}`,
    );
  }
}

/** `f` does not throw. */
export function checkNoThrow(f: () => unknown, what: string): void {
  const got = thrown(f);
  if (got !== undefined) {
    const message = got.error instanceof Error ? got.error.message : String(got.error);
    throw new ConformanceError(`${what}: threw ${message}`);
  }
}
