// Readiness of a socket on Node's own libuv loop: a uv_poll_t (level-triggered epoll) on a dup()
// of the fd, so a fd whose reads libuv no longer makes (a kernel TLS socket after the hand-off:
// packages/node-ktls) wakes JavaScript when it becomes readable or writable instead of being
// polled on timers. What epoll and kTLS's poll do for such a reader: docs/kernel-tls.md §5.7.
#ifndef KTLS_NATIVE_FD_WATCHER_H_
#define KTLS_NATIVE_FD_WATCHER_H_

#include <napi.h>

namespace ktls_native {

// The FdWatcher class: new FdWatcher(fd, callback(error | null, events)), with startReading,
// stopReading, startWriting, stopWriting, ref, unref, close and the `closed` and `fd` accessors.
Napi::Function FdWatcherClass(Napi::Env env);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_FD_WATCHER_H_
