import { loadNative, type NativeBinding } from './binding.js';

/**
 * A syscall the kernel refused, with the errno by name: what kernel TLS and AF_ALG report
 * (docs/kernel-tls.md §3–§7, §11). `code` and `errno` are both the errno name (`'EBADMSG'`), so
 * callers can switch on either; `errnoNumber` is the raw value on this architecture.
 */
export class NativeSyscallError extends Error {
  override readonly name = 'NativeSyscallError';
  readonly code: string;
  readonly errno: string;
  readonly errnoNumber: number;
  readonly syscall: string;
  constructor(syscall: string, errno: string, errnoNumber: number, message?: string) {
    super(message ?? `${syscall}: ${errno}`);
    this.code = errno;
    this.errno = errno;
    this.errnoNumber = errnoNumber;
    this.syscall = syscall;
  }
}

/** The addon could not be loaded (not Linux, or not built); `reason` says which. */
export class NativeUnavailableError extends Error {
  override readonly name = 'NativeUnavailableError';
  readonly code = 'ERR_NATIVE_UNAVAILABLE';
  readonly reason: 'unsupported-platform' | 'load-failed';
  constructor(reason: 'unsupported-platform' | 'load-failed', message: string) {
    super(message);
    this.reason = reason;
  }
}

interface RawNativeError {
  code?: unknown;
  errno?: unknown;
  errnoName?: unknown;
  syscall?: unknown;
  message?: unknown;
}

/** Turns an addon error (`ERR_NATIVE_SYSCALL`) into a `NativeSyscallError`; others pass through. */
export function toTypedError(error: unknown): unknown {
  const e = error as RawNativeError | null;
  if (e !== null && typeof e === 'object' && e.code === 'ERR_NATIVE_SYSCALL') {
    return new NativeSyscallError(
      String(e.syscall),
      String(e.errnoName),
      Number(e.errno),
      String(e.message),
    );
  }
  return error;
}

/** Calls into the addon; its errors come out typed. */
export function native<T>(fn: (b: NativeBinding) => T): T {
  const loaded = loadNative();
  if (!loaded.ok) throw new NativeUnavailableError(loaded.reason, loaded.message);
  try {
    return fn(loaded.binding);
  } catch (error) {
    throw toTypedError(error);
  }
}

/** True when `error` is a `NativeSyscallError` with this errno name. */
export function isErrno(error: unknown, errno: string): error is NativeSyscallError {
  return error instanceof NativeSyscallError && error.errno === errno;
}
