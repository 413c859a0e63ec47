#include "afalg.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "errors.h"
#include "uapi.h"

namespace ktls_native {
namespace {

// Opens the transform socket and binds it. socket() fails with EAFNOSUPPORT when the kernel has no
// AF_ALG (CONFIG_CRYPTO_USER_API); bind() fails with ENOENT when the "aead" type
// (CONFIG_CRYPTO_USER_API_AEAD, algif_aead) or the algorithm itself is not available.
int AlgBind(const std::string& name, std::string* failedCall) {
  int fd = socket(k::AF_ALG_, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *failedCall = "socket(AF_ALG)";
    return -errno;
  }
  k::sockaddr_alg_ sa{};
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
// output is AAD || output (_aead_recvmsg copies the AAD through to the output), so the AAD lands
// in `scratch` and only the ciphertext||tag (or plaintext) in `out`.
// Returns 0, or -errno (-EBADMSG: the tag did not verify).
int AeadOp(int opfd, bool encrypt, const uint8_t* iv, size_t ivlen, const uint8_t* aad,
           size_t aadlen, const uint8_t* in, size_t inlen, uint8_t* out, size_t outlen) {
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
// thread pool are serialized by `mu_`.
class AeadKey : public Napi::ObjectWrap<AeadKey> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(
        env, "AeadKey",
        {InstanceMethod("seal", &AeadKey::Seal), InstanceMethod("open", &AeadKey::Open),
         InstanceMethod("sealAsync", &AeadKey::SealAsync),
         InstanceMethod("openAsync", &AeadKey::OpenAsync), InstanceMethod("close", &AeadKey::Close),
         InstanceAccessor("closed", &AeadKey::Closed, nullptr)});
  }

  // new AeadKey(algName, key, tagLength, ivLength)
  explicit AeadKey(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AeadKey>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsString())
      throw ArgError(env, "AeadKey(alg, key, tagLength, ivLength)");
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
    // Quirk of the AF_ALG API: the tag size travels in optlen, optval is unused (alg_setsockopt in
    // crypto/af_alg.c calls type->setauthsize(ask->private, optlen)).
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
  int Run(bool encrypt, const uint8_t* iv, const uint8_t* aad, size_t aadlen, const uint8_t* in,
          size_t inlen, uint8_t* out, size_t outlen) {
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
    if (info.Length() > 3 && info[3].IsNumber())
      a.prefixLen = info[3].As<Napi::Number>().Uint32Value();
    if (a.iv.ByteLength() != ivLen_)
      throw ArgError(info.Env(), "iv must be " + std::to_string(ivLen_) + " bytes");
    return a;
  }

  // seal(iv, aad, plaintext, prefixLen?) -> Buffer(prefixLen zero bytes || ciphertext || tag)
  Napi::Value Seal(const Napi::CallbackInfo& info) {
    Args a = Parse(info);
    size_t outlen = a.input.ByteLength() + tagLen_;
    auto out = Napi::Buffer<uint8_t>::New(info.Env(), a.prefixLen + outlen);
    int rc = Run(true, a.iv.Data(), a.aad.Data(), a.aad.ByteLength(), a.input.Data(),
                 a.input.ByteLength(), out.Data() + a.prefixLen, outlen);
    if (rc < 0) throw SysError(info.Env(), "AF_ALG encrypt", -rc);
    return out;
  }

  // open(iv, aad, ciphertext||tag) -> Buffer(plaintext) | null when the tag does not verify
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Args a = Parse(info);
    if (a.input.ByteLength() < tagLen_) return info.Env().Null();
    size_t outlen = a.input.ByteLength() - tagLen_;
    auto out = Napi::Buffer<uint8_t>::New(info.Env(), outlen);
    int rc = Run(false, a.iv.Data(), a.aad.Data(), a.aad.ByteLength(), a.input.Data(),
                 a.input.ByteLength(), out.Data(), outlen);
    // A tag that does not verify fails the AEAD's decrypt with -EBADMSG, which _aead_recvmsg
    // (crypto/algif_aead.c) returns as is: a forgery, not an error.
    if (rc == -EBADMSG) return info.Env().Null();
    if (rc < 0) throw SysError(info.Env(), "AF_ALG decrypt", -rc);
    return out;
  }

  class Worker : public Napi::AsyncWorker {
   public:
    Worker(Napi::Env env, AeadKey* key, Napi::Object keyObj, bool encrypt, Args& a)
        : Napi::AsyncWorker(env),
          deferred_(Napi::Promise::Deferred::New(env)),
          key_(key),
          encrypt_(encrypt),
          prefix_(a.prefixLen) {
      keyRef_ = Napi::Persistent(keyObj);
      // Copies: the JS buffers may be reused by the caller before the pool thread runs.
      iv_.assign(a.iv.Data(), a.iv.Data() + a.iv.ByteLength());
      aad_.assign(a.aad.Data(), a.aad.Data() + a.aad.ByteLength());
      in_.assign(a.input.Data(), a.input.Data() + a.input.ByteLength());
    }
    ~Worker() override {
      // The plaintext copy of a seal request is wiped once the request is done.
      Wipe(in_);
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
      rc_ = key_->Run(encrypt_, iv_.data(), aad_.data(), aad_.size(), in_.data(), in_.size(),
                      out_.data() + prefix_, outlen);
    }
    void OnOK() override {
      Napi::Env env = Env();
      if (!encrypt_ && rc_ == -EBADMSG) {
        deferred_.Resolve(env.Null());
      } else if (rc_ < 0) {
        deferred_.Reject(
            SysError(env, encrypt_ ? "AF_ALG encrypt" : "AF_ALG decrypt", -rc_).Value());
      } else {
        deferred_.Resolve(Napi::Buffer<uint8_t>::Copy(env, out_.data(), out_.size()));
      }
      Wipe(out_);
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

}  // namespace

Napi::Function AeadKeyClass(Napi::Env env) { return AeadKey::Init(env); }

Napi::Value AlgBindProbe(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw ArgError(info.Env(), "algBind(name)");
  std::string call;
  int fd = AlgBind(info[0].As<Napi::String>().Utf8Value(), &call);
  if (fd < 0) throw SysError(info.Env(), call, -fd);
  close(fd);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace ktls_native
