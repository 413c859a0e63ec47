// A userspace AEAD engine on OpenSSL's EVP (packages/native/README.md, "The EVP engine"): one
// EVP_CIPHER_CTX per key and direction, created with the key schedule once and kept; a record only
// sets the nonce (EVP_CipherInit_ex with no cipher and no key keeps both). Output goes into buffers
// the caller owns, in place when input and output are the same bytes, and a batch of records costs
// one call from JS.
//
// The OpenSSL is the node binary's own (it exports libcrypto's symbols for addons; this file's
// EVP_* calls bind to them when node loads the addon). Its headers are the ones node-gyp puts
// first on the include path (<nodedir>/include/node/openssl), the same version by construction.
#include "evp_aead.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "errors.h"
#include "evp_direction.h"

namespace ktls_native {
namespace {

// A batch descriptor is kStride uint32 per record (packages/native/src/evp.ts BATCH_STRIDE):
// offsets and lengths into the arena, and the status an open writes back (1 opened, 0 the tag did
// not verify).
constexpr size_t kStride = 8;
enum Field : size_t { kNonceOff, kAadOff, kAadLen, kInOff, kInLen, kOutOff, kStatus };
// What a key costs outside V8's heap (two EVP_CIPHER_CTX and their provider contexts, about 1 KiB
// each for GCM), reported so that the GC collects dropped keys as their native memory grows.
constexpr int64_t kExternalBytes = 2048;

struct AlgDesc {
  const char* name;     // core's AeadAlgorithm
  const char* openssl;  // the name EVP_CIPHER_fetch takes
  size_t keyLen;
  bool ccm;
};
constexpr AlgDesc kAlgs[] = {
    {"aes-128-gcm", "AES-128-GCM", 16, false},
    {"aes-256-gcm", "AES-256-GCM", 32, false},
    {"aes-128-ccm", "AES-128-CCM", 16, true},
    {"chacha20-poly1305", "ChaCha20-Poly1305", 32, false},
};
constexpr size_t kAlgCount = sizeof kAlgs / sizeof kAlgs[0];

// Fetched once per process and kept for its life: an implicit fetch (EVP_aes_128_gcm()) would
// cost every new context a provider lookup. NULL when this OpenSSL lacks the algorithm.
const EVP_CIPHER* Cipher(size_t i) {
  static std::once_flag once;
  static EVP_CIPHER* ciphers[kAlgCount];
  std::call_once(once, [] {
    for (size_t a = 0; a < kAlgCount; a++)
      ciphers[a] = EVP_CIPHER_fetch(nullptr, kAlgs[a].openssl, nullptr);
    ERR_clear_error();
  });
  return ciphers[i];
}

struct View {
  uint8_t* data;
  size_t len;
};

// One napi_get_typedarray_info per argument (BytesArg makes two): this is the per-record path.
View TypedArg(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type want,
              const char* what) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (i >= info.Length() ||
      napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, nullptr, nullptr) !=
          napi_ok ||
      type != want) {
    throw ArgError(info.Env(),
                   std::string(what) + (want == napi_uint8_array ? " must be a Uint8Array"
                                                                 : " must be a Uint32Array"));
  }
  size_t unit = want == napi_uint8_array ? 1 : 4;
  return {static_cast<uint8_t*>(data), length * unit};
}

View Bytes(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return TypedArg(info, i, napi_uint8_array, what);
}

size_t OffsetArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  int v = IntArg(info, i, what);
  if (v < 0) throw ArgError(info.Env(), std::string(what) + " must not be negative");
  return static_cast<size_t>(v);
}

bool Overlap(const uint8_t* a, size_t alen, const uint8_t* b, size_t blen) {
  auto x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
  return x < y + blen && y < x + alen;
}

class EvpAead : public Napi::ObjectWrap<EvpAead> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(
        env, "EvpAead",
        {InstanceMethod("seal", &EvpAead::Seal), InstanceMethod("open", &EvpAead::Open),
         InstanceMethod("sealBatch", &EvpAead::SealBatch),
         InstanceMethod("openBatch", &EvpAead::OpenBatch), InstanceMethod("close", &EvpAead::Close),
         InstanceMethod("ceiling", &EvpAead::Ceiling),
         InstanceAccessor("closed", &EvpAead::Closed, nullptr)});
  }

  // new EvpAead(algorithm, key): the key is read once into the two key schedules; no copy of it
  // is kept here.
  explicit EvpAead(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EvpAead>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString()) throw ArgError(env, "EvpAead(algorithm, key)");
    std::string alg = info[0].As<Napi::String>().Utf8Value();
    size_t a = 0;
    while (a < kAlgCount && alg != kAlgs[a].name) a++;
    if (a == kAlgCount) throw ArgError(env, "unknown AEAD algorithm " + alg);
    View key = Bytes(info, 1, "key");
    if (key.len != kAlgs[a].keyLen)
      throw ArgError(env, alg + " key must be " + std::to_string(kAlgs[a].keyLen) + " bytes");
    const EVP_CIPHER* cipher = Cipher(a);
    if (cipher == nullptr) throw ArgError(env, std::string(kAlgs[a].openssl) + " is not available");
    ccm_ = kAlgs[a].ccm;
    if (!seal_.Init(cipher, ccm_, key.data, 1) || !open_.Init(cipher, ccm_, key.data, 0)) {
      seal_.Free();
      open_.Free();
      ERR_clear_error();
      throw Napi::Error::New(env, "EVP_CipherInit_ex failed for " + alg);
    }
    Napi::MemoryManagement::AdjustExternalMemory(env, kExternalBytes);
    external_ = true;
  }

  void Finalize(Napi::Env env) override { Release(env); }

 private:
  void Release(Napi::Env env) {
    seal_.Free();
    open_.Free();
    if (external_) Napi::MemoryManagement::AdjustExternalMemory(env, -kExternalBytes);
    external_ = false;
  }

  void CheckOpen(Napi::Env env) const {
    if (!seal_.live()) throw ArgError(env, "key was closed");
  }

  // Seals in[0, len) || trailer into out, with every overlap case turned into in == out.
  void SealOne(Napi::Env env, const uint8_t* nonce, const View& aad, const uint8_t* in, size_t len,
               const View& trailer, uint8_t* out) {
    if (trailer.len > 0 && Overlap(trailer.data, trailer.len, out, len + trailer.len + kTagLen))
      throw ArgError(env, "trailer must not overlap the output");
    if (in != out && len > 0 &&
        ((ccm_ && trailer.len > 0) || Overlap(in, len, out, len + trailer.len + kTagLen))) {
      memmove(out, in, len);
      in = out;
    }
    const uint8_t* tail = trailer.data;
    size_t tlen = trailer.len;
    if (ccm_ && tlen > 0) {
      // CCM takes the message in one update: the trailer joins the content in the output first.
      memcpy(out + len, trailer.data, tlen);
      in = out;
      len += tlen;
      tlen = 0;
    }
    if (!seal_.Seal(nonce, aad.data, aad.len, in, len, tail, tlen, out)) {
      ERR_clear_error();
      throw Napi::Error::New(env, "EVP seal failed");
    }
  }

  // OpenSSL's CCM decrypt of an empty message checks no tag (the update that verifies has no
  // data to run on, and CCM's final does nothing), so a forged tag would open. The CCM of an empty
  // plaintext is its tag alone: it is sealed here and compared in constant time.
  bool EmptyCcmOpens(const uint8_t* nonce, const View& aad, const uint8_t* tag) {
    uint8_t expected[kTagLen];
    bool ok = seal_.Seal(nonce, aad.data, aad.len, kEmpty, 0, nullptr, 0, expected) &&
              CRYPTO_memcmp(expected, tag, kTagLen) == 0;
    OPENSSL_cleanse(expected, kTagLen);
    ERR_clear_error();
    return ok;
  }

  bool OpenOne(const uint8_t* nonce, const View& aad, const uint8_t* in, size_t len, uint8_t* out) {
    // Copied first: the tag may sit where the plaintext goes.
    const uint8_t* tag = in + len;
    uint8_t copy[kTagLen];
    memcpy(copy, tag, kTagLen);
    if (ccm_ && len == 0) return EmptyCcmOpens(nonce, aad, copy);
    if (in != out && len > 0 && Overlap(in, len, out, len)) {
      memmove(out, in, len);
      in = out;
    }
    return open_.Open(nonce, aad.data, aad.len, in, len, copy, out);
  }

  struct Record {
    View nonce;
    View aad;
    View in;
  };

  // The arguments seal and open begin with (nonce, aad, input), once the key is known open. Views
  // only: nothing is copied or allocated.
  Record RecordArgs(const Napi::CallbackInfo& info, const char* input) const {
    CheckOpen(info.Env());
    View nonce = Bytes(info, 0, "nonce");
    View aad = Bytes(info, 1, "aad");
    return {nonce, aad, Bytes(info, 2, input)};
  }

  // seal(nonce, aad, plaintext, trailer | null, out, outOffset): writes ciphertext || tag at
  // out[outOffset, +plaintext + trailer + 16). plaintext may be that very range (in place).
  Napi::Value Seal(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto [nonce, aad, in] = RecordArgs(info, "plaintext");
    View trailer{nullptr, 0};
    if (info.Length() > 3 && !info[3].IsNull() && !info[3].IsUndefined())
      trailer = Bytes(info, 3, "trailer");
    View out = Bytes(info, 4, "out");
    size_t off = OffsetArg(info, 5, "outOffset");
    if (nonce.len != kNonceLen) throw ArgError(env, "nonce must be 12 bytes");
    if (off > out.len || out.len - off < in.len + trailer.len + kTagLen)
      throw ArgError(env, "out is too small for ciphertext and tag");
    SealOne(env, nonce.data, aad, in.data, in.len, trailer, out.data + off);
    return env.Undefined();
  }

  // open(nonce, aad, ciphertext || tag, out, outOffset) -> true, or false when the tag does not
  // verify (out's range is then wiped).
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto [nonce, aad, in] = RecordArgs(info, "ciphertext");
    View out = Bytes(info, 3, "out");
    size_t off = OffsetArg(info, 4, "outOffset");
    if (nonce.len != kNonceLen) throw ArgError(env, "nonce must be 12 bytes");
    if (in.len < kTagLen) return Napi::Boolean::New(env, false);
    size_t len = in.len - kTagLen;
    if (off > out.len || out.len - off < len) throw ArgError(env, "out is too small for plaintext");
    return Napi::Boolean::New(env, OpenOne(nonce.data, aad, in.data, len, out.data + off));
  }

  struct Batch {
    View arena;
    uint32_t* desc;
    size_t count;
  };

  // Checks every record's ranges before any is touched: a bad batch changes nothing.
  Batch ParseBatch(const Napi::CallbackInfo& info, bool open) {
    Napi::Env env = info.Env();
    CheckOpen(env);
    Batch b{Bytes(info, 0, "arena"), nullptr, 0};
    View desc = TypedArg(info, 1, napi_uint32_array, "descriptors");
    b.desc = reinterpret_cast<uint32_t*>(desc.data);
    b.count = OffsetArg(info, 2, "count");
    if (b.count > desc.len / 4 / kStride) throw ArgError(env, "descriptors hold fewer records");
    auto fits = [&](uint64_t off, uint64_t len) { return off + len <= b.arena.len; };
    for (size_t i = 0; i < b.count; i++) {
      const uint32_t* d = b.desc + i * kStride;
      uint64_t inLen = d[kInLen];
      uint64_t outLen = open ? (inLen >= kTagLen ? inLen - kTagLen : 0) : inLen + kTagLen;
      if (!fits(d[kNonceOff], kNonceLen) || !fits(d[kAadOff], d[kAadLen]) ||
          !fits(d[kInOff], inLen) || !fits(d[kOutOff], outLen)) {
        throw ArgError(env, "record " + std::to_string(i) + " reaches past the arena");
      }
    }
    return b;
  }

  View AadOf(const Batch& b, const uint32_t* d) { return {b.arena.data + d[kAadOff], d[kAadLen]}; }

  // sealBatch(arena, descriptors, count) -> count: seals each record's arena range in[inOff,
  // +inLen) to out[outOff, +inLen + 16).
  Napi::Value SealBatch(const Napi::CallbackInfo& info) {
    Batch b = ParseBatch(info, false);
    const View none{nullptr, 0};
    for (size_t i = 0; i < b.count; i++) {
      const uint32_t* d = b.desc + i * kStride;
      uint8_t* base = b.arena.data;
      SealOne(info.Env(), base + d[kNonceOff], AadOf(b, d), base + d[kInOff], d[kInLen], none,
              base + d[kOutOff]);
    }
    return Napi::Number::New(info.Env(), static_cast<double>(b.count));
  }

  // openBatch(arena, descriptors, count) -> how many opened; each record's status field says
  // which (1 opened, 0 forged or shorter than a tag, its output range wiped).
  Napi::Value OpenBatch(const Napi::CallbackInfo& info) {
    Batch b = ParseBatch(info, true);
    size_t opened = 0;
    for (size_t i = 0; i < b.count; i++) {
      uint32_t* d = b.desc + i * kStride;
      uint8_t* base = b.arena.data;
      bool ok = d[kInLen] >= kTagLen && OpenOne(base + d[kNonceOff], AadOf(b, d), base + d[kInOff],
                                                d[kInLen] - kTagLen, base + d[kOutOff]);
      d[kStatus] = ok ? 1 : 0;
      opened += ok;
    }
    return Napi::Number::New(info.Env(), static_cast<double>(opened));
  }

  // ceiling(size, count, open) -> records that sealed (or opened): `count` records of `size` bytes
  // with a 13-byte AAD and a new nonce each, on this key's context, in a C++ loop. What the
  // engine's per-record EVP sequence costs without JS at all: the benchmark's ceiling
  // (bench/evp.bench.mjs), beside `openssl speed`.
  Napi::Value Ceiling(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckOpen(env);
    size_t size = OffsetArg(info, 0, "size");
    size_t count = OffsetArg(info, 1, "count");
    bool open = info.Length() > 2 && info[2].ToBoolean().Value();
    std::string buf(size + kTagLen, 'a'), out(size + kTagLen, 0);
    auto* data = reinterpret_cast<uint8_t*>(buf.data());
    auto* plain = reinterpret_cast<uint8_t*>(out.data());
    uint8_t nonce[kNonceLen] = {0}, aad[13] = {23, 3, 3};
    const View aadView{aad, sizeof aad};
    if (open && !seal_.Seal(nonce, aad, sizeof aad, data, size, nullptr, 0, data))
      throw Napi::Error::New(env, "EVP seal failed");
    size_t done = 0;
    for (size_t i = 0; i < count; i++) {
      if (open) {
        // The same record each time, into a buffer apart, so that it stays whole.
        done += OpenOne(nonce, aadView, data, size, plain);
      } else {
        nonce[11] = static_cast<uint8_t>(i);
        done += seal_.Seal(nonce, aad, sizeof aad, data, size, nullptr, 0, data);
      }
    }
    return Napi::Number::New(env, static_cast<double>(done));
  }

  // close(): frees both contexts now (and with them the key schedules); later calls throw.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value Closed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !seal_.live());
  }

  EvpDirection seal_, open_;
  bool ccm_ = false;
  bool external_ = false;
};

}  // namespace

Napi::Function EvpAeadClass(Napi::Env env) { return EvpAead::Init(env); }

Napi::Value EvpInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", Napi::String::New(env, OpenSSL_version(OPENSSL_VERSION)));
  Napi::Array algs = Napi::Array::New(env);
  uint32_t n = 0;
  for (size_t a = 0; a < kAlgCount; a++)
    if (Cipher(a) != nullptr) algs.Set(n++, Napi::String::New(env, kAlgs[a].name));
  o.Set("algorithms", algs);
  return o;
}

}  // namespace ktls_native
