// Background jobs: a native thread blocked in recv, send, sendfile or poll on a socket while the
// JavaScript thread acts on the same socket. This is how the suite runs the tls.c cases that fork
// a child (blocking, mutliproc_*, rekey_poll_delay, poll_partial_rec_async, timeo, data_steal):
// the child's loop runs on a thread of this process on the same fd, without the ~1 s a Node
// process costs under TCG (docs/vm-harness.md §5). The kernel sees the same thing it sees from
// a child process: several tasks in syscalls on one socket.
#ifndef KTLS_NATIVE_JOBS_H_
#define KTLS_NATIVE_JOBS_H_

#include <napi.h>

namespace ktls_native {

// jobStart({ kind: 'recv'|'send'|'sendfile'|'poll', fd, total?, chunk?, flags?, fill?,
//            retryEagain?, fileFd?, fileSize?, events?, timeoutMs? }) -> id
Napi::Value JobStart(const Napi::CallbackInfo& info);
// jobJoin(id) -> { bytes, calls, errno, eagain, mismatched, revents }: waits for the thread.
Napi::Value JobJoin(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_JOBS_H_
