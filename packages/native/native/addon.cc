// ktls_native: the real kernel path for ktls-lab.
//
//  - AF_ALG AEAD (crypto/algif_aead.c): a transform socket bound to "gcm(aes)", "ccm(aes)" or
//    "rfc7539(chacha20,poly1305)", the key and the tag size set on it, and ONE op socket accept()ed
//    from it and reused for every record sealed or opened under that key.
//  - kernel TLS (net/tls/): TCP_ULP "tls", SOL_TLS TLS_TX/TLS_RX with struct tls12_crypto_info_*,
//    getsockopt to read the state back, sendmsg with a TLS_SET_RECORD_TYPE cmsg, recvmsg that
//    reports TLS_GET_RECORD_TYPE and MSG_EOR.
//
// Every failing syscall becomes a JS Error with `code: 'ERR_NATIVE_SYSCALL'`, `errno` (number),
// `errnoName` ("EBADMSG") and `syscall`; the TypeScript side turns it into a typed error. Keys are
// never kept in this addon's memory: each copy made to hand a key to the kernel is wiped
// (explicit_bzero) as soon as the setsockopt returns, and closing a handle closes the sockets, on
// which the kernel frees its key schedule with kfree_sensitive (crypto_destroy_tfm / tls_ctx_free
// memzero_explicit the crypto_info).

#include <napi.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

// Constants are spelled out rather than taken from <linux/if_alg.h> / <linux/tls.h>: the build host's
// headers (Debian 12: linux-libc-dev 6.1) predate some of them (TLS_TX_MAX_PAYLOAD_LEN), and the
// values are UAPI, fixed forever (ktls-facts §2, §11).
namespace k {
constexpr int AF_ALG_ = 38;
constexpr int SOL_ALG_ = 279;
constexpr int ALG_SET_KEY = 1;
constexpr int ALG_SET_IV = 2;
constexpr int ALG_SET_OP = 3;
constexpr int ALG_SET_AEAD_ASSOCLEN = 4;
constexpr int ALG_SET_AEAD_AUTHSIZE = 5;
constexpr uint32_t ALG_OP_DECRYPT = 0;
constexpr uint32_t ALG_OP_ENCRYPT = 1;
constexpr int SOL_TLS_ = 282;
constexpr int TCP_ULP_ = 31;
constexpr int TLS_SET_RECORD_TYPE = 1;
constexpr int TLS_GET_RECORD_TYPE = 2;
}  // namespace k

struct sockaddr_alg_ {
  uint16_t salg_family;
  uint8_t salg_type[14];
  uint32_t salg_feat;
  uint32_t salg_mask;
  uint8_t salg_name[64];
};

// ---------------------------------------------------------------------------------------------
// errors

static std::string ErrnoName(int err) {
  const char* n = strerrorname_np(err);
  return n ? std::string(n) : ("E" + std::to_string(err));
}

static Napi::Error SysError(Napi::Env env, const std::string& syscall, int err) {
  Napi::Error e = Napi::Error::New(env, syscall + ": " + ErrnoName(err) + " (" + strerror(err) + ")");
  e.Set("code", Napi::String::New(env, "ERR_NATIVE_SYSCALL"));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("errnoName", Napi::String::New(env, ErrnoName(err)));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

static Napi::Error ArgError(Napi::Env env, const std::string& message) {
  Napi::Error e = Napi::TypeError::New(env, message);
  e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG"));
  return e;
}

static int IntArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw ArgError(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

static Napi::Uint8Array BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsTypedArray()) throw ArgError(info.Env(), std::string(what) + " must be a Uint8Array");
  auto ta = info[i].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) throw ArgError(info.Env(), std::string(what) + " must be a Uint8Array");
  return info[i].As<Napi::Uint8Array>();
}

// ---------------------------------------------------------------------------------------------
// AF_ALG AEAD

// Opens the transform socket and binds it. socket() fails with EAFNOSUPPORT when the kernel has no
// AF_ALG (CONFIG_CRYPTO_USER_API); bind() fails with ENOENT when the "aead" type
// (CONFIG_CRYPTO_USER_API_AEAD, algif_aead) or the algorithm itself is not available.
static int AlgBind(const std::string& name, std::string* failedCall) {
  int fd = socket(k::AF_ALG_, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *failedCall = "socket(AF_ALG)";
    return -errno;
  }
  sockaddr_alg_ sa{};
  sa.salg_family = k::AF_ALG_;
  memcpy(sa.salg_type, "aead", 5);
  if (name.size() >= sizeof sa.salg_name) {
    close(fd);
    *failedCall = "bind(AF_ALG)";
    return -ENAMETOOLONG;
  }
  memcpy(sa.salg_name, name.c_str(), name.size() + 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    int err = errno;
    close(fd);
    *failedCall = "bind(AF_ALG, aead, " + name + ")";
    return -err;
  }
  return fd;
}

// Seal or open one record on an op socket. The request is one sendmsg: cmsgs ALG_SET_OP,
// ALG_SET_IV (struct af_alg_iv), ALG_SET_AEAD_ASSOCLEN, then AAD || input. Since Linux 4.9 the
// output is AAD || output (algif_aead copies the AAD through, ktls-facts §11), so the AAD lands in
// `scratch` and only the ciphertext||tag (or plaintext) in `out`.
// Returns 0, or -errno (-EBADMSG: the tag did not verify).
static int AeadOp(int opfd, bool encrypt, const uint8_t* iv, size_t ivlen, const uint8_t* aad, size_t aadlen,
                  const uint8_t* in, size_t inlen, uint8_t* out, size_t outlen) {
  const size_t ivstruct = sizeof(uint32_t) + ivlen;  // struct af_alg_iv { __u32 ivlen; __u8 iv[]; }
  std::vector<uint8_t> control(CMSG_SPACE(sizeof(uint32_t)) * 2 + CMSG_SPACE(ivstruct), 0);
  msghdr msg{};
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = k::SOL_ALG_;
  c->cmsg_type = k::ALG_SET_OP;
  c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
  uint32_t op = encrypt ? k::ALG_OP_ENCRYPT : k::ALG_OP_DECRYPT;
  memcpy(CMSG_DATA(c), &op, sizeof op);
  c = CMSG_NXTHDR(&msg, c);
  c->cmsg_level = k::SOL_ALG_;
  c->cmsg_type = k::ALG_SET_IV;
  c->cmsg_len = CMSG_LEN(ivstruct);
  uint32_t il = static_cast<uint32_t>(ivlen);
  memcpy(CMSG_DATA(c), &il, sizeof il);
  memcpy(CMSG_DATA(c) + sizeof il, iv, ivlen);
  c = CMSG_NXTHDR(&msg, c);
  c->cmsg_level = k::SOL_ALG_;
  c->cmsg_type = k::ALG_SET_AEAD_ASSOCLEN;
  c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
  uint32_t al = static_cast<uint32_t>(aadlen);
  memcpy(CMSG_DATA(c), &al, sizeof al);

  iovec iov[2] = {{const_cast<uint8_t*>(aad), aadlen}, {const_cast<uint8_t*>(in), inlen}};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  ssize_t sent = sendmsg(opfd, &msg, 0);
  if (sent < 0) return -errno;
  if (static_cast<size_t>(sent) != aadlen + inlen) return -EMSGSIZE;

  std::vector<uint8_t> scratch(aadlen > 0 ? aadlen : 1);
  iovec riov[2] = {{scratch.data(), aadlen}, {out, outlen}};
  ssize_t got = readv(opfd, riov, 2);
  if (got < 0) return -errno;
  if (static_cast<size_t>(got) != aadlen + outlen) return -EIO;
  return 0;
}

// One key: the bound transform socket and one op socket, reused for every request. The op socket
// carries one request at a time (algif_aead keeps a single TX SGL per socket), so requests from the
// thread pool are serialized by `mu`.
class AeadKey : public Napi::ObjectWrap<AeadKey> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "AeadKey",
                       {InstanceMethod("seal", &AeadKey::Seal), InstanceMethod("open", &AeadKey::Open),
                        InstanceMethod("sealAsync", &AeadKey::SealAsync),
                        InstanceMethod("openAsync", &AeadKey::OpenAsync), InstanceMethod("close", &AeadKey::Close),
                        InstanceAccessor("closed", &AeadKey::Closed, nullptr)});
  }

  // new AeadKey(algName, key, tagLength, ivLength)
  explicit AeadKey(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AeadKey>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsString()) throw ArgError(env, "AeadKey(alg, key, tagLength, ivLength)");
    std::string alg = info[0].As<Napi::String>().Utf8Value();
    Napi::Uint8Array key = BytesArg(info, 1, "key");
    tagLen_ = static_cast<size_t>(IntArg(info, 2, "tagLength"));
    ivLen_ = static_cast<size_t>(IntArg(info, 3, "ivLength"));
    std::string call;
    int fd = AlgBind(alg, &call);
    if (fd < 0) throw SysError(env, call, -fd);
    tfm_ = fd;
    // The key goes to the kernel straight from the caller's buffer; no copy is kept here.
    if (setsockopt(tfm_, k::SOL_ALG_, k::ALG_SET_KEY, key.Data(), key.ByteLength()) < 0) {
      int err = errno;
      CloseFds();
      throw SysError(env, "setsockopt(ALG_SET_KEY)", err);
    }
    // Quirk of the AF_ALG API: the tag size travels in optlen, optval is unused (ktls-facts §11).
    if (setsockopt(tfm_, k::SOL_ALG_, k::ALG_SET_AEAD_AUTHSIZE, nullptr, tagLen_) < 0) {
      int err = errno;
      CloseFds();
      throw SysError(env, "setsockopt(ALG_SET_AEAD_AUTHSIZE)", err);
    }
    op_ = accept4(tfm_, nullptr, nullptr, SOCK_CLOEXEC);
    if (op_ < 0) {
      int err = errno;
      CloseFds();
      throw SysError(env, "accept(AF_ALG)", err);
    }
  }

  ~AeadKey() override { CloseFds(); }

  // Runs one request under the lock; returns 0 or -errno.
  int Run(bool encrypt, const uint8_t* iv, const uint8_t* aad, size_t aadlen, const uint8_t* in, size_t inlen,
          uint8_t* out, size_t outlen) {
    std::lock_guard<std::mutex> lock(mu_);
    if (op_ < 0) return -EBADF;
    return AeadOp(op_, encrypt, iv, ivLen_, aad, aadlen, in, inlen, out, outlen);
  }

  size_t tagLen() const { return tagLen_; }
  size_t ivLen() const { return ivLen_; }

 private:
  void CloseFds() {
    std::lock_guard<std::mutex> lock(mu_);
    if (op_ >= 0) close(op_);
    if (tfm_ >= 0) close(tfm_);
    op_ = tfm_ = -1;
  }

  struct Args {
    Napi::Uint8Array iv, aad, input;
    size_t prefixLen;
  };

  Args Parse(const Napi::CallbackInfo& info) {
    Args a{BytesArg(info, 0, "iv"), BytesArg(info, 1, "aad"), BytesArg(info, 2, "input"), 0};
    if (info.Length() > 3 && info[3].IsNumber()) a.prefixLen = info[3].As<Napi::Number>().Uint32Value();
    if (a.iv.ByteLength() != ivLen_) throw ArgError(info.Env(), "iv must be " + std::to_string(ivLen_) + " bytes");
    return a;
  }

  // seal(iv, aad, plaintext, prefixLen?) -> Buffer(prefixLen zero bytes || ciphertext || tag)
  Napi::Value Seal(const Napi::CallbackInfo& info) {
    Args a = Parse(info);
    size_t outlen = a.input.ByteLength() + tagLen_;
    auto out = Napi::Buffer<uint8_t>::New(info.Env(), a.prefixLen + outlen);
    int rc = Run(true, a.iv.Data(), a.aad.Data(), a.aad.ByteLength(), a.input.Data(), a.input.ByteLength(),
                 out.Data() + a.prefixLen, outlen);
    if (rc < 0) throw SysError(info.Env(), "AF_ALG encrypt", -rc);
    return out;
  }

  // open(iv, aad, ciphertext||tag) -> Buffer(plaintext) | null when the tag does not verify
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Args a = Parse(info);
    if (a.input.ByteLength() < tagLen_) return info.Env().Null();
    size_t outlen = a.input.ByteLength() - tagLen_;
    auto out = Napi::Buffer<uint8_t>::New(info.Env(), outlen);
    int rc = Run(false, a.iv.Data(), a.aad.Data(), a.aad.ByteLength(), a.input.Data(), a.input.ByteLength(),
                 out.Data(), outlen);
    // algif_aead reports an authentication failure as EBADMSG (ktls-facts §11): a forgery, not an error.
    if (rc == -EBADMSG) return info.Env().Null();
    if (rc < 0) throw SysError(info.Env(), "AF_ALG decrypt", -rc);
    return out;
  }

  class Worker : public Napi::AsyncWorker {
   public:
    Worker(Napi::Env env, AeadKey* key, Napi::Object keyObj, bool encrypt, Args& a)
        : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), key_(key), encrypt_(encrypt),
          prefix_(a.prefixLen) {
      keyRef_ = Napi::Persistent(keyObj);
      // Copies: the JS buffers may be reused by the caller before the pool thread runs.
      iv_.assign(a.iv.Data(), a.iv.Data() + a.iv.ByteLength());
      aad_.assign(a.aad.Data(), a.aad.Data() + a.aad.ByteLength());
      in_.assign(a.input.Data(), a.input.Data() + a.input.ByteLength());
    }
    ~Worker() override {
      // The plaintext copy of a seal request is wiped once the request is done.
      if (!in_.empty()) explicit_bzero(in_.data(), in_.size());
    }
    Napi::Promise Promise() { return deferred_.Promise(); }
    void Execute() override {
      size_t tag = key_->tagLen();
      if (!encrypt_ && in_.size() < tag) {
        rc_ = -EBADMSG;
        return;
      }
      size_t outlen = encrypt_ ? in_.size() + tag : in_.size() - tag;
      out_.assign(prefix_ + outlen, 0);
      rc_ = key_->Run(encrypt_, iv_.data(), aad_.data(), aad_.size(), in_.data(), in_.size(), out_.data() + prefix_,
                      outlen);
    }
    void OnOK() override {
      Napi::Env env = Env();
      if (!encrypt_ && rc_ == -EBADMSG) {
        deferred_.Resolve(env.Null());
      } else if (rc_ < 0) {
        deferred_.Reject(SysError(env, encrypt_ ? "AF_ALG encrypt" : "AF_ALG decrypt", -rc_).Value());
      } else {
        deferred_.Resolve(Napi::Buffer<uint8_t>::Copy(env, out_.data(), out_.size()));
      }
      if (!out_.empty()) explicit_bzero(out_.data(), out_.size());
    }

   private:
    Napi::Promise::Deferred deferred_;
    AeadKey* key_;
    Napi::ObjectReference keyRef_;
    bool encrypt_;
    size_t prefix_;
    std::vector<uint8_t> iv_, aad_, in_, out_;
    int rc_ = 0;
  };

  Napi::Value SealAsync(const Napi::CallbackInfo& info) {
    Args a = Parse(info);
    auto* w = new Worker(info.Env(), this, info.This().As<Napi::Object>(), true, a);
    auto p = w->Promise();
    w->Queue();
    return p;
  }

  Napi::Value OpenAsync(const Napi::CallbackInfo& info) {
    Args a = Parse(info);
    auto* w = new Worker(info.Env(), this, info.This().As<Napi::Object>(), false, a);
    auto p = w->Promise();
    w->Queue();
    return p;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseFds();
    return info.Env().Undefined();
  }

  Napi::Value Closed(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> lock(mu_);
    return Napi::Boolean::New(info.Env(), op_ < 0);
  }

  std::mutex mu_;
  int tfm_ = -1;
  int op_ = -1;
  size_t tagLen_ = 16;
  size_t ivLen_ = 12;
};

// algBind(name) -> true, or throws the errno of socket()/bind(): the probe's question "does this
// AEAD name bind".
static Napi::Value AlgBindProbe(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw ArgError(info.Env(), "algBind(name)");
  std::string call;
  int fd = AlgBind(info[0].As<Napi::String>().Utf8Value(), &call);
  if (fd < 0) throw SysError(info.Env(), call, -fd);
  close(fd);
  return Napi::Boolean::New(info.Env(), true);
}

// ---------------------------------------------------------------------------------------------
// TCP and kernel TLS sockets (plain int fds; the TypeScript side owns and closes them)

static void SetTimeouts(int fd, int ms) {
  if (ms <= 0) return;
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// tcpPair(timeoutMs) -> [client, server]: an IPv4 loopback connection, as the selftests'
// ulp_sock_pair makes it (bind 127.0.0.1:0, listen, connect, accept). Only loopback is touched.
static Napi::Value TcpPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int timeoutMs = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0) throw SysError(env, "socket(AF_INET)", errno);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || listen(ls, 1) < 0 ||
      getsockname(ls, reinterpret_cast<sockaddr*>(&sa), &len) < 0) {
    int err = errno;
    close(ls);
    throw SysError(env, "bind/listen(127.0.0.1)", err);
  }
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0 || connect(c, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    int err = errno;
    if (c >= 0) close(c);
    close(ls);
    throw SysError(env, "connect(127.0.0.1)", err);
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
static Napi::Value TcpSocket(const Napi::CallbackInfo& info) {
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
// module is not loaded and cannot be); ENOTCONN: the socket is not ESTABLISHED (tls_init); EEXIST: a
// ULP is already attached (ktls-facts §3).
static Napi::Value SetUlp(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  if (setsockopt(fd, IPPROTO_TCP, k::TCP_ULP_, "tls", sizeof "tls") < 0)
    throw SysError(info.Env(), "setsockopt(TCP_ULP, tls)", errno);
  return info.Env().Undefined();
}

// setsockopt(fd, level, name, bytes|null, optlen?): the raw call, for crypto_info (TLS_TX/TLS_RX),
// TLS_TX_MAX_PAYLOAD_LEN, TLS_RX_EXPECT_NO_PAD and the malformed calls the selftests make. The
// copy handed to the kernel is wiped afterwards: it may hold a key.
static Napi::Value SetSockOpt(const Napi::CallbackInfo& info) {
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
  socklen_t optlen = info.Length() > 4 && info[4].IsNumber() ? info[4].As<Napi::Number>().Uint32Value()
                                                               : static_cast<socklen_t>(buf.size());
  if (!null && optlen > buf.size()) buf.resize(optlen, 0);
  int rc = setsockopt(fd, level, name, null ? nullptr : buf.data(), optlen);
  int err = errno;
  if (!buf.empty()) explicit_bzero(buf.data(), buf.size());
  if (rc < 0) throw SysError(env, "setsockopt(" + std::to_string(level) + ", " + std::to_string(name) + ")", err);
  return env.Undefined();
}

// getsockopt(fd, level, name, len) -> Buffer of the length the kernel returned. For TLS_TX/TLS_RX
// this is "get the state out": the kernel copies the CURRENT iv and rec_seq (do_tls_getsockopt_conf).
static Napi::Value GetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0, "fd");
  int level = IntArg(info, 1, "level");
  int name = IntArg(info, 2, "name");
  int want = IntArg(info, 3, "len");
  std::vector<uint8_t> buf(want > 0 ? want : 1, 0);
  socklen_t len = static_cast<socklen_t>(want);
  if (getsockopt(fd, level, name, buf.data(), &len) < 0) {
    int err = errno;
    explicit_bzero(buf.data(), buf.size());
    throw SysError(env, "getsockopt(" + std::to_string(level) + ", " + std::to_string(name) + ")", err);
  }
  auto out = Napi::Buffer<uint8_t>::Copy(env, buf.data(), len);
  explicit_bzero(buf.data(), buf.size());
  return out;
}

// send(fd, chunks: Uint8Array[], flags, recordType?) -> bytes sent. With a record type, the
// sendmsg carries cmsg (SOL_TLS, TLS_SET_RECORD_TYPE, 1 byte): the kernel seals it as a record of
// that type, alone (tls_process_cmsg pushes any open MSG_MORE data record first).
static Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsArray()) throw ArgError(env, "chunks must be an array of Uint8Array");
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
// (tls_record_content_type, ktls-facts §5). `flags` is msg_flags: MSG_EOR when a record was fully
// consumed, MSG_CTRUNC when the cmsg did not fit. A size of -1 passes a NULL iovec base.
static Napi::Value Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsArray()) throw ArgError(env, "sizes must be an array of numbers");
  auto sizes = info[1].As<Napi::Array>();
  int flags = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  bool cmsg = info.Length() > 3 && info[3].ToBoolean();
  size_t total = 0;
  std::vector<long> lens(sizes.Length());
  for (uint32_t i = 0; i < sizes.Length(); i++) {
    lens[i] = sizes.Get(i).As<Napi::Number>().Int64Value();
    if (lens[i] > 0) total += lens[i];
  }
  std::vector<uint8_t> buf(total > 0 ? total : 1);
  std::vector<iovec> iov(lens.size());
  size_t off = 0;
  for (size_t i = 0; i < lens.size(); i++) {
    if (lens[i] < 0) {
      iov[i] = {nullptr, 1};
    } else {
      iov[i] = {buf.data() + off, static_cast<size_t>(lens[i])};
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
  ssize_t n = recvmsg(fd, &msg, flags);
  if (n < 0) throw SysError(env, "recvmsg", errno);
  auto res = Napi::Object::New(env);
  res.Set("data", Napi::Buffer<uint8_t>::Copy(env, buf.data(), static_cast<size_t>(n) <= total ? n : total));
  int type = -1;
  if (cmsg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == k::SOL_TLS_ && c->cmsg_type == k::TLS_GET_RECORD_TYPE) type = *CMSG_DATA(c);
    }
  }
  res.Set("recordType", Napi::Number::New(env, type));
  res.Set("flags", Napi::Number::New(env, msg.msg_flags));
  return res;
}

static Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  if (close(fd) < 0) throw SysError(info.Env(), "close", errno);
  return info.Env().Undefined();
}

static Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  if (shutdown(IntArg(info, 0, "fd"), IntArg(info, 1, "how")) < 0) throw SysError(info.Env(), "shutdown", errno);
  return info.Env().Undefined();
}

static Napi::Value SetNonblock(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  bool on = info.Length() > 1 && info[1].ToBoolean();
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)) < 0)
    throw SysError(info.Env(), "fcntl(O_NONBLOCK)", errno);
  return info.Env().Undefined();
}

// setIntOpt(fd, level, name, value): SO_RCVLOWAT, SO_SNDBUF, SO_RCVTIMEO in ms (as timeval).
static Napi::Value SetIntOpt(const Napi::CallbackInfo& info) {
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
// full record, and masked while a KeyUpdate is pending (tls_sk_poll, ktls-facts §5, §7).
static Napi::Value Poll(const Napi::CallbackInfo& info) {
  pollfd p{IntArg(info, 0, "fd"), static_cast<short>(IntArg(info, 1, "events")), 0};
  int rc = poll(&p, 1, IntArg(info, 2, "timeoutMs"));
  if (rc < 0) throw SysError(info.Env(), "poll", errno);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : p.revents);
}

// connectUnspec(fd): connect(AF_UNSPEC), a disconnect; a TLS socket refuses it with EOPNOTSUPP
// (tls_disconnect, selftest tls_basic.disconnect).
static Napi::Value ConnectUnspec(const Napi::CallbackInfo& info) {
  sockaddr sa{};
  sa.sa_family = AF_UNSPEC;
  if (connect(IntArg(info, 0, "fd"), &sa, sizeof sa) < 0) throw SysError(info.Env(), "connect(AF_UNSPEC)", errno);
  return info.Env().Undefined();
}

// connectTo(fd, listenerFd): connects fd to the loopback address a listener is bound to.
static Napi::Value ConnectTo(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  int lfd = IntArg(info, 1, "listener");
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (getsockname(lfd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) throw SysError(info.Env(), "getsockname", errno);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), len) < 0) throw SysError(info.Env(), "connect", errno);
  return info.Env().Undefined();
}

static Napi::Value Accept(const Napi::CallbackInfo& info) {
  int s = accept4(IntArg(info, 0, "fd"), nullptr, nullptr, SOCK_CLOEXEC);
  if (s < 0) throw SysError(info.Env(), "accept", errno);
  return Napi::Number::New(info.Env(), s);
}

static Napi::Value Uname(const Napi::CallbackInfo& info) {
  utsname u{};
  uname(&u);
  auto o = Napi::Object::New(info.Env());
  o.Set("sysname", u.sysname);
  o.Set("release", u.release);
  o.Set("version", u.version);
  o.Set("machine", u.machine);
  return o;
}

// errnoName(n) -> "EBADMSG"
static Napi::Value ErrnoNameJs(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ErrnoName(IntArg(info, 0, "errno")));
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("AeadKey", AeadKey::Init(env));
  exports.Set("algBind", Napi::Function::New(env, AlgBindProbe));
  exports.Set("tcpPair", Napi::Function::New(env, TcpPair));
  exports.Set("tcpSocket", Napi::Function::New(env, TcpSocket));
  exports.Set("setUlp", Napi::Function::New(env, SetUlp));
  exports.Set("setsockopt", Napi::Function::New(env, SetSockOpt));
  exports.Set("getsockopt", Napi::Function::New(env, GetSockOpt));
  exports.Set("send", Napi::Function::New(env, Send));
  exports.Set("recv", Napi::Function::New(env, Recv));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown));
  exports.Set("setNonblock", Napi::Function::New(env, SetNonblock));
  exports.Set("setIntOpt", Napi::Function::New(env, SetIntOpt));
  exports.Set("poll", Napi::Function::New(env, Poll));
  exports.Set("connectUnspec", Napi::Function::New(env, ConnectUnspec));
  exports.Set("connectTo", Napi::Function::New(env, ConnectTo));
  exports.Set("accept", Napi::Function::New(env, Accept));
  exports.Set("uname", Napi::Function::New(env, Uname));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoNameJs));
  return exports;
}

NODE_API_MODULE(ktls_native, Init)
