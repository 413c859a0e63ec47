#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "errors.h"

namespace ktls_native {

namespace {

// vmsplice maps the caller's pages into the pipe; they must stay valid and unchanged until the
// pipe is drained, so the bytes go into a static area, not a JS buffer the GC may move or reuse.
// The selftest (splice_short) vmsplices one byte at a time, each into a pipe buffer of its own.
alignas(4096) uint8_t g_vmsplice_area[65536];
size_t g_vmsplice_used = 0;

int64_t Int64Arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw ArgError(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int64Value();
}

}  // namespace

Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool nonblock = info.Length() > 0 && info[0].ToBoolean();
  int p[2];
  if (pipe2(p, O_CLOEXEC | (nonblock ? O_NONBLOCK : 0)) < 0) throw SysError(env, "pipe2", errno);
  auto arr = Napi::Array::New(env, 2);
  arr.Set(0u, Napi::Number::New(env, p[0]));
  arr.Set(1u, Napi::Number::New(env, p[1]));
  return arr;
}

Napi::Value SetPipeSize(const Napi::CallbackInfo& info) {
  int rc = fcntl(IntArg(info, 0, "fd"), F_SETPIPE_SZ, IntArg(info, 1, "bytes"));
  if (rc < 0) throw SysError(info.Env(), "fcntl(F_SETPIPE_SZ)", errno);
  return Napi::Number::New(info.Env(), rc);
}

Napi::Value FdWrite(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  auto b = BytesArg(info, 1, "bytes");
  ssize_t n = write(fd, b.Data(), b.ByteLength());
  if (n < 0) throw SysError(info.Env(), "write", errno);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value FdRead(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  int max = IntArg(info, 1, "max");
  std::vector<uint8_t> buf(max > 0 ? max : 1);
  ssize_t n = read(fd, buf.data(), max > 0 ? max : 0);
  if (n < 0) throw SysError(info.Env(), "read", errno);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), buf.data(), n);
}

Napi::Value LseekSet(const Napi::CallbackInfo& info) {
  if (lseek(IntArg(info, 0, "fd"), Int64Arg(info, 1, "offset"), SEEK_SET) < 0)
    throw SysError(info.Env(), "lseek", errno);
  return info.Env().Undefined();
}

Napi::Value Splice(const Napi::CallbackInfo& info) {
  ssize_t n = splice(IntArg(info, 0, "in"), nullptr, IntArg(info, 1, "out"), nullptr,
                     static_cast<size_t>(Int64Arg(info, 2, "len")),
                     static_cast<unsigned>(IntArg(info, 3, "flags")));
  if (n < 0) throw SysError(info.Env(), "splice", errno);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value Vmsplice(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  auto b = BytesArg(info, 1, "bytes");
  int flags = IntArg(info, 2, "flags");
  if (b.ByteLength() > sizeof g_vmsplice_area) throw ArgError(info.Env(), "bytes too long");
  if (g_vmsplice_used + b.ByteLength() > sizeof g_vmsplice_area) g_vmsplice_used = 0;
  uint8_t* at = g_vmsplice_area + g_vmsplice_used;
  std::memcpy(at, b.Data(), b.ByteLength());
  g_vmsplice_used += b.ByteLength();
  iovec iov{at, b.ByteLength()};
  ssize_t n = vmsplice(fd, &iov, 1, static_cast<unsigned>(flags));
  if (n < 0) throw SysError(info.Env(), "vmsplice", errno);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value Sendfile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int out = IntArg(info, 0, "out");
  int in = IntArg(info, 1, "in");
  int64_t off = Int64Arg(info, 2, "offset");
  size_t count = static_cast<size_t>(Int64Arg(info, 3, "count"));
  off_t o = static_cast<off_t>(off);
  ssize_t n = sendfile(out, in, off < 0 ? nullptr : &o, count);
  if (n < 0) throw SysError(env, "sendfile", errno);
  auto arr = Napi::Array::New(env, 2);
  arr.Set(0u, Napi::Number::New(env, static_cast<double>(n)));
  arr.Set(1u, Napi::Number::New(env, static_cast<double>(off < 0 ? -1 : o)));
  return arr;
}

Napi::Value MemfdWith(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto b = BytesArg(info, 0, "bytes");
  int fd = memfd_create("ktls-lab-sendfile", MFD_CLOEXEC);
  if (fd < 0) throw SysError(env, "memfd_create", errno);
  size_t done = 0;
  while (done < b.ByteLength()) {
    ssize_t n = write(fd, b.Data() + done, b.ByteLength() - done);
    if (n <= 0) {
      int err = errno;
      close(fd);
      throw SysError(env, "write(memfd)", err);
    }
    done += n;
  }
  lseek(fd, 0, SEEK_SET);
  return Napi::Number::New(env, fd);
}

Napi::Value EpollCreate(const Napi::CallbackInfo& info) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw SysError(info.Env(), "epoll_create1", errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value EpollAdd(const Napi::CallbackInfo& info) {
  epoll_event ev{};
  int fd = IntArg(info, 1, "fd");
  ev.events = static_cast<uint32_t>(IntArg(info, 2, "events"));
  ev.data.fd = fd;
  if (epoll_ctl(IntArg(info, 0, "ep"), EPOLL_CTL_ADD, fd, &ev) < 0)
    throw SysError(info.Env(), "epoll_ctl", errno);
  return info.Env().Undefined();
}

Napi::Value EpollWait(const Napi::CallbackInfo& info) {
  epoll_event events[10];
  int n = epoll_wait(IntArg(info, 0, "ep"), events, 10, IntArg(info, 1, "timeoutMs"));
  if (n < 0) throw SysError(info.Env(), "epoll_wait", errno);
  return Napi::Number::New(info.Env(), n);
}

Napi::Value GetSockName(const Napi::CallbackInfo& info) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(IntArg(info, 0, "fd"), reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    throw SysError(info.Env(), "getsockname", errno);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<uint8_t*>(&ss), len);
}

Napi::Value BindAny4(const Napi::CallbackInfo& info) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (bind(IntArg(info, 0, "fd"), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
    throw SysError(info.Env(), "bind", errno);
  return info.Env().Undefined();
}

Napi::Value ListenOn(const Napi::CallbackInfo& info) {
  if (listen(IntArg(info, 0, "fd"), IntArg(info, 1, "backlog")) < 0)
    throw SysError(info.Env(), "listen", errno);
  return info.Env().Undefined();
}

Napi::Value ConnectAny4(const Napi::CallbackInfo& info) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (connect(IntArg(info, 0, "fd"), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
    throw SysError(info.Env(), "connect", errno);
  return info.Env().Undefined();
}

}  // namespace ktls_native
