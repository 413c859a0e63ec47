import { ReproError, ResultsError, SelectionError } from '@ktls-lab/sim';

export { EXIT } from './exitCodes.js';

/** A problem with what the user asked for; the message says what and how to fix it (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Errors whose message is meant for the user as is and that mean "exit 2". */
export function isUsageError(e: unknown): e is Error {
  return (
    e instanceof UsageError ||
    e instanceof SelectionError ||
    e instanceof ReproError ||
    e instanceof ResultsError
  );
}

/** `code` of a Node system error (ENOENT, EACCES, ...), if it is one. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Explains a file-system failure in one line: "cannot write /x/y: not a directory (ENOTDIR)". */
export function fsMessage(action: string, path: string, e: unknown): string {
  const code = errnoCode(e);
  const why: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a component of the path is not a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EEXIST: 'exists and is not a directory',
    EISDIR: 'is a directory',
    ENOSPC: 'no space left on device',
  };
  const text = code ? (why[code] ?? (e as Error).message) : String(e);
  return `cannot ${action} ${path}: ${text}${code ? ` (${code})` : ''}`;
}
