#include "ktls_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "uapi.h"

namespace ktls_native {

namespace {

void SetTimeouts(int fd, int ms) {
  if (ms <= 0) return;
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

// tcpPair(timeoutMs, family?) -> [client, server]: a loopback connection, as the selftests'
// ulp_sock_pair makes it (bind the loopback address, port 0, listen, connect, accept); family 6
// gives an IPv6 pair (selftest tls_v6ops). Only loopback is touched.
Napi::Value TcpPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int timeoutMs =
      info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  bool v6 = info.Length() > 1 && info[1].IsNumber() && info[1].As<Napi::Number>().Int32Value() == 6;
  int family = v6 ? AF_INET6 : AF_INET;
  int ls = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0) throw SysError(env, v6 ? "socket(AF_INET6)" : "socket(AF_INET)", errno);
  sockaddr_storage ss{};
  socklen_t len = v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (v6) {
    auto* sa6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sa6->sin6_family = AF_INET6;
    sa6->sin6_addr = in6addr_loopback;
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  auto* addr = reinterpret_cast<sockaddr*>(&ss);
  if (bind(ls, addr, len) < 0 || listen(ls, 1) < 0 || getsockname(ls, addr, &len) < 0) {
    int err = errno;
    close(ls);
    throw SysError(env, "bind/listen(loopback)", err);
  }
  int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0 || connect(c, addr, len) < 0) {
    int err = errno;
    if (c >= 0) close(c);
    close(ls);
    throw SysError(env, "connect(loopback)", err);
  }
  int s = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
  int err = errno;
  close(ls);
  if (s < 0) {
    close(c);
    throw SysError(env, "accept", err);
  }
  SetTimeouts(c, timeoutMs);
  SetTimeouts(s, timeoutMs);
  auto arr = Napi::Array::New(env, 2);
  arr.Set(0u, Napi::Number::New(env, c));
  arr.Set(1u, Napi::Number::New(env, s));
  return arr;
}

// tcpSocket(listen) -> fd: an unconnected TCP socket, or a listener on 127.0.0.1 (selftest
// non_established).
Napi::Value TcpSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool doListen = info.Length() > 0 && info[0].ToBoolean();
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SysError(env, "socket(AF_INET)", errno);
  if (doListen) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || listen(fd, 1) < 0) {
      int err = errno;
      close(fd);
      throw SysError(env, "bind/listen(127.0.0.1)", err);
    }
  }
  return Napi::Number::New(env, fd);
}

// setUlp(fd): setsockopt(IPPROTO_TCP, TCP_ULP, "tls", sizeof "tls"). ENOENT: no CONFIG_TLS (or the
// module is not loaded and cannot be); ENOTCONN: the socket is not ESTABLISHED (tls_init,
// net/tls/tls_main.c); EEXIST: a ULP is already attached (tcp_set_ulp, net/ipv4/tcp_ulp.c).
Napi::Value SetUlp(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  if (setsockopt(fd, IPPROTO_TCP, k::TCP_ULP_, "tls", sizeof "tls") < 0)
    throw SysError(info.Env(), "setsockopt(TCP_ULP, tls)", errno);
  return info.Env().Undefined();
}

// setsockopt(fd, level, name, bytes|null, optlen?): the raw call, for crypto_info (TLS_TX/TLS_RX),
// TLS_TX_MAX_PAYLOAD_LEN, TLS_RX_EXPECT_NO_PAD and the malformed calls the selftests make. The
// copy handed to the kernel is wiped afterwards: it may hold a key.
Napi::Value SetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0, "fd");
  int level = IntArg(info, 1, "level");
  int name = IntArg(info, 2, "name");
  std::vector<uint8_t> buf;
  bool null = info.Length() < 4 || info[3].IsNull() || info[3].IsUndefined();
  if (!null) {
    auto b = BytesArg(info, 3, "value");
    buf.assign(b.Data(), b.Data() + b.ByteLength());
  }
  socklen_t optlen = info.Length() > 4 && info[4].IsNumber()
                         ? info[4].As<Napi::Number>().Uint32Value()
                         : static_cast<socklen_t>(buf.size());
  if (!null && optlen > buf.size()) buf.resize(optlen, 0);
  int rc = setsockopt(fd, level, name, null ? nullptr : buf.data(), optlen);
  int err = errno;
  Wipe(buf);
  if (rc < 0)
    throw SysError(env, "setsockopt(" + std::to_string(level) + ", " + std::to_string(name) + ")",
                   err);
  return env.Undefined();
}

// getsockopt(fd, level, name, len) -> Buffer of the length the kernel returned. For TLS_TX/TLS_RX
// this is "get the state out": the kernel copies the CURRENT iv and rec_seq
// (do_tls_getsockopt_conf).
Napi::Value GetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0, "fd");
  int level = IntArg(info, 1, "level");
  int name = IntArg(info, 2, "name");
  int want = IntArg(info, 3, "len");
  std::vector<uint8_t> buf(want > 0 ? want : 1, 0);
  socklen_t len = static_cast<socklen_t>(want);
  if (getsockopt(fd, level, name, buf.data(), &len) < 0) {
    int err = errno;
    Wipe(buf);
    throw SysError(env, "getsockopt(" + std::to_string(level) + ", " + std::to_string(name) + ")",
                   err);
  }
  auto out = Napi::Buffer<uint8_t>::Copy(env, buf.data(), len);
  Wipe(buf);
  return out;
}

// send(fd, chunks: Uint8Array[], flags, recordType?) -> bytes sent. With a record type, the
// sendmsg carries cmsg (SOL_TLS, TLS_SET_RECORD_TYPE, 1 byte): the kernel seals it as a record of
// that type, alone (tls_process_cmsg pushes any open MSG_MORE data record first).
Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsArray())
    throw ArgError(env, "chunks must be an array of Uint8Array");
  auto arr = info[1].As<Napi::Array>();
  int flags = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  bool typed = info.Length() > 3 && info[3].IsNumber();
  std::vector<iovec> iov(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    if (v.IsNull()) {
      // A NULL iovec base with length 0 (selftest recv_efault uses the receive-side analogue).
      iov[i] = {nullptr, 0};
      continue;
    }
    if (!v.IsTypedArray()) throw ArgError(env, "chunks must be Uint8Arrays");
    auto b = v.As<Napi::Uint8Array>();
    iov[i] = {b.Data(), b.ByteLength()};
  }
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  uint8_t control[CMSG_SPACE(1)] = {};
  if (typed) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = k::SOL_TLS_;
    c->cmsg_type = k::TLS_SET_RECORD_TYPE;
    c->cmsg_len = CMSG_LEN(1);
    *CMSG_DATA(c) = static_cast<uint8_t>(info[3].As<Napi::Number>().Uint32Value());
  }
  ssize_t n = sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
  if (n < 0) throw SysError(env, "sendmsg", errno);
  return Napi::Number::New(env, static_cast<double>(n));
}

// recv(fd, sizes: number[], flags, cmsg: boolean) -> { data, chunks?, recordType, flags }.
// With `cmsg`, a CMSG_SPACE(1) control buffer is passed: the kernel puts TLS_GET_RECORD_TYPE in it
// (for data records too); without it a control record at the head gives EIO and stays queued
// (tls_record_content_type, net/tls/tls_sw.c). `flags` is msg_flags: MSG_EOR when a record was
// fully consumed, MSG_CTRUNC when the cmsg did not fit. A size of -1 passes a NULL iovec base.
// recv(fd, sizes, flags, cmsg, fill) also returns `iovBytes`, every iovec's bytes.
// recv(fd, sizes, flags, cmsg, undefined, true) returns null for EAGAIN instead of throwing: an
// event loop drains until EAGAIN once per wake-up, and two error objects per drain (this one and
// the JS NativeSyscallError) cost more than the read of a small record.
Napi::Value Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsArray())
    throw ArgError(env, "sizes must be an array of numbers");
  auto sizes = info[1].As<Napi::Array>();
  int flags = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  bool cmsg = info.Length() > 3 && info[3].ToBoolean();
  // fill: the iovecs start as this byte, and the result carries all of them (`iovBytes`), so a
  // caller sees what the kernel wrote past the bytes it reported (recvmsg_nopad_retry_iov).
  bool withFill = info.Length() > 4 && info[4].IsNumber();
  uint8_t fill = withFill ? static_cast<uint8_t>(info[4].As<Napi::Number>().Uint32Value()) : 0;
  size_t total = 0;
  std::vector<long> lens(sizes.Length());
  for (uint32_t i = 0; i < sizes.Length(); i++) {
    lens[i] = sizes.Get(i).As<Napi::Number>().Int64Value();
    if (lens[i] > 0) total += lens[i];
  }
  // Left uninitialised unless a fill byte is asked for: a reader passes a 64 KiB buffer on every
  // wake-up, and zeroing it each time (a std::vector's value-initialisation) is wasted work when
  // the answer is EAGAIN or a small record.
  std::unique_ptr<uint8_t[]> buf(new uint8_t[total > 0 ? total : 1]);
  if (withFill) std::memset(buf.get(), fill, total > 0 ? total : 1);
  std::vector<iovec> iov(lens.size());
  size_t off = 0;
  for (size_t i = 0; i < lens.size(); i++) {
    if (lens[i] < 0) {
      iov[i] = {nullptr, 1};
    } else {
      iov[i] = {buf.get() + off, static_cast<size_t>(lens[i])};
      off += lens[i];
    }
  }
  uint8_t control[CMSG_SPACE(1)] = {};
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  if (cmsg) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  bool nullOnWouldBlock = info.Length() > 5 && info[5].ToBoolean();
  ssize_t n = recvmsg(fd, &msg, flags);
  if (n < 0 && nullOnWouldBlock && (errno == EAGAIN || errno == EWOULDBLOCK)) return env.Null();
  if (n < 0) throw SysError(env, "recvmsg", errno);
  auto res = Napi::Object::New(env);
  res.Set("data",
          Napi::Buffer<uint8_t>::Copy(env, buf.get(), static_cast<size_t>(n) <= total ? n : total));
  int type = -1;
  if (cmsg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == k::SOL_TLS_ && c->cmsg_type == k::TLS_GET_RECORD_TYPE)
        type = *CMSG_DATA(c);
    }
  }
  if (withFill) res.Set("iovBytes", Napi::Buffer<uint8_t>::Copy(env, buf.get(), total));
  res.Set("recordType", Napi::Number::New(env, type));
  res.Set("flags", Napi::Number::New(env, msg.msg_flags));
  return res;
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  if (close(fd) < 0) throw SysError(info.Env(), "close", errno);
  return info.Env().Undefined();
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  if (shutdown(IntArg(info, 0, "fd"), IntArg(info, 1, "how")) < 0)
    throw SysError(info.Env(), "shutdown", errno);
  return info.Env().Undefined();
}

Napi::Value SetNonblock(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  bool on = info.Length() > 1 && info[1].ToBoolean();
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)) < 0)
    throw SysError(info.Env(), "fcntl(O_NONBLOCK)", errno);
  return info.Env().Undefined();
}

// setIntOpt(fd, level, name, value): SO_RCVLOWAT, SO_SNDBUF, SO_RCVTIMEO in ms (as timeval).
Napi::Value SetIntOpt(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  int level = IntArg(info, 1, "level");
  int name = IntArg(info, 2, "name");
  int value = IntArg(info, 3, "value");
  int rc;
  if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
    timeval tv{value / 1000, (value % 1000) * 1000};
    rc = setsockopt(fd, level, name, &tv, sizeof tv);
  } else {
    rc = setsockopt(fd, level, name, &value, sizeof value);
  }
  if (rc < 0) throw SysError(info.Env(), "setsockopt", errno);
  return info.Env().Undefined();
}

// poll(fd, events, timeoutMs) -> revents (0 on timeout). kTLS overrides sk_poll: POLLIN only for a
// full record, and masked while a KeyUpdate is pending (tls_sk_poll, net/tls/tls_main.c).
Napi::Value Poll(const Napi::CallbackInfo& info) {
  pollfd p{IntArg(info, 0, "fd"), static_cast<short>(IntArg(info, 1, "events")), 0};
  int rc = poll(&p, 1, IntArg(info, 2, "timeoutMs"));
  if (rc < 0) throw SysError(info.Env(), "poll", errno);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : p.revents);
}

// sendfile(outFd, inFd, offset, count) -> bytes sent (-1 for EAGAIN on a non-blocking socket).
// On a socket with TLS_TX the kernel seals the file's pages into records (tls_sw_sendmsg with
// MSG_SPLICE_PAGES; docs/kernel-tls.md §4).
Napi::Value SendFile(const Napi::CallbackInfo& info) {
  int out = IntArg(info, 0, "outFd");
  int in = IntArg(info, 1, "inFd");
  off_t offset = static_cast<off_t>(info[2].As<Napi::Number>().Int64Value());
  size_t count = static_cast<size_t>(IntArg(info, 3, "count"));
  ssize_t n = sendfile(out, in, &offset, count);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(info.Env(), -1);
  if (n < 0) throw SysError(info.Env(), "sendfile", errno);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// connectUnspec(fd): connect(AF_UNSPEC), a disconnect; a TLS socket refuses it with EOPNOTSUPP
// (tls_disconnect, selftest tls_basic.disconnect).
Napi::Value ConnectUnspec(const Napi::CallbackInfo& info) {
  sockaddr sa{};
  sa.sa_family = AF_UNSPEC;
  if (connect(IntArg(info, 0, "fd"), &sa, sizeof sa) < 0)
    throw SysError(info.Env(), "connect(AF_UNSPEC)", errno);
  return info.Env().Undefined();
}

// connectTo(fd, listenerFd): connects fd to the loopback address a listener is bound to.
Napi::Value ConnectTo(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  int lfd = IntArg(info, 1, "listener");
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (getsockname(lfd, reinterpret_cast<sockaddr*>(&sa), &len) < 0)
    throw SysError(info.Env(), "getsockname", errno);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), len) < 0)
    throw SysError(info.Env(), "connect", errno);
  return info.Env().Undefined();
}

Napi::Value Accept(const Napi::CallbackInfo& info) {
  int s = accept4(IntArg(info, 0, "fd"), nullptr, nullptr, SOCK_CLOEXEC);
  if (s < 0) throw SysError(info.Env(), "accept", errno);
  return Napi::Number::New(info.Env(), s);
}

}  // namespace ktls_native
