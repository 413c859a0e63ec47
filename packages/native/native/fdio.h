// Pipes, splice(2), vmsplice(2), sendfile(2), memfd files, epoll and socket addressing: what the
// splice, sendfile, epoll, IPv6 and shutdown cases of the kernel's tls.c selftests call around a
// kernel TLS socket (docs/kernel-tls.md §10). Every call is the raw syscall; errors are thrown
// with their errno (errors.h).
#ifndef KTLS_NATIVE_FDIO_H_
#define KTLS_NATIVE_FDIO_H_

#include <napi.h>

namespace ktls_native {

// pipe(nonblock) -> [readFd, writeFd]
Napi::Value Pipe(const Napi::CallbackInfo& info);
// setPipeSize(fd, bytes) -> the size the kernel gave (fcntl F_SETPIPE_SZ)
Napi::Value SetPipeSize(const Napi::CallbackInfo& info);
// fdWrite(fd, bytes) -> n
Napi::Value FdWrite(const Napi::CallbackInfo& info);
// fdRead(fd, max) -> Buffer
Napi::Value FdRead(const Napi::CallbackInfo& info);
// lseekSet(fd, offset)
Napi::Value LseekSet(const Napi::CallbackInfo& info);
// splice(in, out, len, flags) -> n
Napi::Value Splice(const Napi::CallbackInfo& info);
// vmsplice(pipeWriteFd, bytes, flags) -> n
Napi::Value Vmsplice(const Napi::CallbackInfo& info);
// sendfile(out, in, offset (-1: NULL, the file position), count) -> [n, offset after]
Napi::Value Sendfile(const Napi::CallbackInfo& info);
// memfdWith(bytes) -> fd of an anonymous file holding bytes, positioned at 0
Napi::Value MemfdWith(const Napi::CallbackInfo& info);
// epollCreate() -> fd; epollAdd(ep, fd, events); epollWait(ep, timeoutMs) -> ready count
Napi::Value EpollCreate(const Napi::CallbackInfo& info);
Napi::Value EpollAdd(const Napi::CallbackInfo& info);
Napi::Value EpollWait(const Napi::CallbackInfo& info);
// getsockname(fd) -> Buffer (the raw sockaddr)
Napi::Value GetSockName(const Napi::CallbackInfo& info);
// bindAny4(fd): bind to 0.0.0.0:0; listenOn(fd, backlog); connectAny4(fd): connect to 0.0.0.0:0
Napi::Value BindAny4(const Napi::CallbackInfo& info);
Napi::Value ListenOn(const Napi::CallbackInfo& info);
Napi::Value ConnectAny4(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_FDIO_H_
