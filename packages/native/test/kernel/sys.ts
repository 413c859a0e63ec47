/**
 * The addon's raw calls for the selftest ports that go past KtlsSocket (pipes, splice, sendfile,
 * epoll, native threads: native/fdio.cc, native/jobs.cc), with its errors turned into
 * NativeSyscallError so `throwsErrno` reads them like a socket call's.
 */
import { NativeSyscallError } from '../../src/index.js';
import {
  loadNative,
  type NativeBinding,
  type NativeJobResult,
  type NativeJobSpec,
} from '../../src/binding.js';

export function sys<T>(fn: (b: NativeBinding) => T): T {
  const l = loadNative();
  if (!l.ok) throw new Error(l.message);
  try {
    return fn(l.binding);
  } catch (e) {
    const err = e as { code?: string; errnoName?: string; errno?: number; syscall?: string };
    if (err.code !== 'ERR_NATIVE_SYSCALL') throw e;
    throw new NativeSyscallError(String(err.syscall), String(err.errnoName), Number(err.errno));
  }
}

/** Fds a test opened outside KtlsSocket (pipes, files, epoll), closed at the end. */
export function withFds<T>(fn: (keep: (...fds: number[]) => void) => T): T {
  const all: number[] = [];
  try {
    return fn((...fds) => {
      all.push(...fds);
    });
  } finally {
    for (const fd of all) {
      try {
        sys((b) => b.close(fd));
      } catch {}
    }
  }
}

/** Blocks this thread for `ms` (the selftests' sleep/usleep while a child waits). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const pending = new Set<number>();

/** Starts a native thread's loop (native/jobs.cc); `withJobs` joins it if the test does not. */
export function startJob(spec: NativeJobSpec): number {
  const id = sys((b) => b.jobStart(spec));
  pending.add(id);
  return id;
}

/** Joins a native job and returns its result, errors included. */
export function joinJob(id: number): NativeJobResult {
  pending.delete(id);
  return sys((b) => b.jobJoin(id));
}

/** Joins a native job and checks it ended without an error. */
export function joined(id: number, what: string): NativeJobResult {
  const r = joinJob(id);
  if (r.errno !== '') throw new Error(`${what}: ${r.errno} after ${r.bytes} bytes`);
  return r;
}

/**
 * Runs a test that starts jobs; a job the test did not join (it failed first) is joined before
 * its sockets close, so no thread outlives its test and reads a later test's socket that got the
 * same fd number. Such a join ends within the pair's SO_RCVTIMEO (5 s).
 */
export function withJobs<T>(fn: () => T): T {
  try {
    return fn();
  } finally {
    for (const id of [...pending]) {
      try {
        joinJob(id);
      } catch {}
    }
  }
}
