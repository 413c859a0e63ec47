import { KeyLogError, RecordLayerError } from '@ktls-lab/core';
import { ReproError, ResultsError, SelectionError } from '@ktls-lab/sim';
import type { ExitName } from './exitCodes.js';

export { EXIT } from './exitCodes.js';

/**
 * The errors a command throws for the user, one class per row of the exit-code table
 * (src/exitCodes.ts). Each message is one line that says what is wrong and where.
 */

/** A problem with what the user asked for; the message says what and how to fix it (exit 2). */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/**
 * A file the user gave is malformed (exit 4): the message names the file, the place in it (line,
 * byte offset or JSON path) and what was expected.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly place: string | null,
    readonly expected: string,
  ) {
    super(`${file}${place === null ? '' : `: ${place}`}: ${expected}`);
  }
}

/** The machine cannot do what was asked: kernel features, permissions, ports, disk (exit 5). */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/** SIGINT or SIGTERM ended the command (exit 130). */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** The row of the exit-code table an error that escaped a command belongs to, if it is ours. */
export function exitNameOf(e: unknown): ExitName | null {
  if (e instanceof InputError || e instanceof ResultsError || e instanceof KeyLogError)
    return 'input';
  if (e instanceof EnvironmentError) return 'environment';
  if (e instanceof InterruptedError) return 'interrupted';
  // A repro string or a selection typed on the command line; library misuse reaching the CLI
  // through an argument (a typed EINVAL from core) is the user's too.
  if (
    e instanceof UsageError ||
    e instanceof SelectionError ||
    e instanceof ReproError ||
    (e instanceof RecordLayerError && e.code === 'invalid_argument')
  )
    return 'usage';
  return null;
}

/** Errors whose message is meant for the user as is. */
export function isUsageError(e: unknown): e is Error {
  return exitNameOf(e) !== null;
}

/** `code` of a Node system error (ENOENT, EACCES, ...), if it is one. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const WHY: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'exists and is not a directory',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  ECONNREFUSED: 'connection refused',
};

/** Errnos that say the machine, not the command line, is the problem (exit 5). */
const ENVIRONMENT_ERRNOS = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
  'EADDRINUSE',
  'EADDRNOTAVAIL',
  'EIO',
]);

/** Explains a file-system failure in one line: "cannot write /x/y: not a directory (ENOTDIR)". */
export function fsMessage(action: string, path: string, e: unknown): string {
  const code = errnoCode(e);
  const text = code ? (WHY[code] ?? (e as Error).message) : String(e);
  return `cannot ${action} ${path}: ${text}${code ? ` (${code})` : ''}`;
}

/** A file-system failure as the error of its row: environment for EACCES and the like, else usage. */
export function fsError(action: string, path: string, e: unknown, prefix = ''): Error {
  const message = `${prefix}${fsMessage(action, path, e)}`;
  const code = errnoCode(e);
  return code !== undefined && ENVIRONMENT_ERRNOS.has(code)
    ? new EnvironmentError(message)
    : new UsageError(message);
}
