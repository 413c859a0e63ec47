#include "afalg.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
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

// One key: the bound transform socket (ALG_SET_KEY and ALG_SET_AEAD_AUTHSIZE set once on it) and
// one or more op sockets accept()ed from it, reused for every request. An op socket carries one
// request at a time (algif_aead keeps a single TX SGL per socket), so `seal`/`open` and the thread
// pool's requests use the first one, serialized by `mu_`; `batch` puts one request in flight on
// each op socket at once, from its own thread, and reports the order the kernel finished them in
// (the 2015 RFC's data plane with several records in flight, docs/kernel-tls.md §11).
class AeadKey : public Napi::ObjectWrap<AeadKey> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(
        env, "AeadKey",
        {InstanceMethod("seal", &AeadKey::Seal), InstanceMethod("open", &AeadKey::Open),
         InstanceMethod("sealAsync", &AeadKey::SealAsync),
         InstanceMethod("openAsync", &AeadKey::OpenAsync), InstanceMethod("batch", &AeadKey::Batch),
         InstanceMethod("close", &AeadKey::Close),
         InstanceAccessor("closed", &AeadKey::Closed, nullptr)});
  }

  // new AeadKey(algName, key, tagLength, ivLength, opSockets = 1)
  explicit AeadKey(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AeadKey>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsString())
      throw ArgError(env, "AeadKey(alg, key, tagLength, ivLength, opSockets?)");
    int64_t opCount = info.Length() > 4 && info[4].IsNumber() ? IntArg(info, 4, "opSockets") : 1;
    if (opCount < 1 || opCount > 64) throw ArgError(env, "opSockets must be 1..64");
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
    for (int64_t i = 0; i < opCount; i++) {
      int op = accept4(tfm_, nullptr, nullptr, SOCK_CLOEXEC);
      if (op < 0) {
        int err = errno;
        CloseFds();
        throw SysError(env, "accept(AF_ALG)", err);
      }
      ops_.push_back(op);
    }
    op_ = ops_[0];
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
    for (int op : ops_) close(op);
    ops_.clear();
    if (tfm_ >= 0) close(tfm_);
    op_ = tfm_ = -1;
  }

  // batch(encrypt, ivs[], aads[], inputs[]) -> { outputs: (Buffer|null)[], errnos: number[],
  // order: number[] }: every request in flight at once, one per op socket (requests beyond the
  // number of op sockets wait for a free one), each from its own thread. `order` lists the request
  // indexes in the order the kernel completed them; an open whose tag does not verify gives null
  // (errno EBADMSG), any other failure its errno and null.
  Napi::Value Batch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsBoolean() || !info[1].IsArray() || !info[2].IsArray() ||
        !info[3].IsArray())
      throw ArgError(env, "batch(encrypt, ivs, aads, inputs)");
    bool encrypt = info[0].As<Napi::Boolean>().Value();
    Napi::Array ivs = info[1].As<Napi::Array>();
    Napi::Array aads = info[2].As<Napi::Array>();
    Napi::Array inputs = info[3].As<Napi::Array>();
    size_t n = ivs.Length();
    if (aads.Length() != n || inputs.Length() != n)
      throw ArgError(env, "batch: ivs, aads and inputs must have the same length");
    struct Req {
      std::vector<uint8_t> iv, aad, in, out;
      int rc = 0;
    };
    std::vector<Req> reqs(n);
    auto bytes = [&](Napi::Array a, size_t i, const char* what) {
      Napi::Value v = a.Get(static_cast<uint32_t>(i));
      if (!v.IsTypedArray()) throw ArgError(env, std::string("batch: ") + what + " must be bytes");
      Napi::Uint8Array u = v.As<Napi::Uint8Array>();
      return std::vector<uint8_t>(u.Data(), u.Data() + u.ByteLength());
    };
    for (size_t i = 0; i < n; i++) {
      reqs[i].iv = bytes(ivs, i, "iv");
      reqs[i].aad = bytes(aads, i, "aad");
      reqs[i].in = bytes(inputs, i, "input");
      if (reqs[i].iv.size() != ivLen_)
        throw ArgError(env, "iv must be " + std::to_string(ivLen_) + " bytes");
      if (!encrypt && reqs[i].in.size() < tagLen_) {
        reqs[i].rc = -EBADMSG;
        continue;
      }
      reqs[i].out.assign(encrypt ? reqs[i].in.size() + tagLen_ : reqs[i].in.size() - tagLen_, 0);
    }
    std::vector<uint32_t> order;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (ops_.empty()) throw SysError(env, "AF_ALG batch", EBADF);
      std::mutex orderMu;
      std::atomic<size_t> next{0};
      size_t workers = std::min(ops_.size(), n);
      std::vector<std::thread> threads;
      for (size_t w = 0; w < workers; w++) {
        int op = ops_[w];
        threads.emplace_back([&, op]() {
          for (size_t i = next++; i < n; i = next++) {
            Req& r = reqs[i];
            if (r.rc == 0)
              r.rc = AeadOp(op, encrypt, r.iv.data(), ivLen_, r.aad.data(), r.aad.size(),
                            r.in.data(), r.in.size(), r.out.data(), r.out.size());
            std::lock_guard<std::mutex> g(orderMu);
            order.push_back(static_cast<uint32_t>(i));
          }
        });
      }
      for (auto& t : threads) t.join();
    }
    Napi::Object result = Napi::Object::New(env);
    Napi::Array outputs = Napi::Array::New(env, n);
    Napi::Array errnos = Napi::Array::New(env, n);
    Napi::Array orderJs = Napi::Array::New(env, n);
    for (size_t i = 0; i < n; i++) {
      Req& r = reqs[i];
      if (r.rc == 0)
        outputs.Set(static_cast<uint32_t>(i),
                    Napi::Buffer<uint8_t>::Copy(env, r.out.data(), r.out.size()));
      else
        outputs.Set(static_cast<uint32_t>(i), env.Null());
      errnos.Set(static_cast<uint32_t>(i), Napi::Number::New(env, -r.rc));
      orderJs.Set(static_cast<uint32_t>(i), Napi::Number::New(env, order[i]));
      // The plaintexts (seal input, open output) are wiped once copied out.
      Wipe(r.in);
      Wipe(r.out);
    }
    result.Set("outputs", outputs);
    result.Set("errnos", errnos);
    result.Set("order", orderJs);
    return result;
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
  std::vector<int> ops_;
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
