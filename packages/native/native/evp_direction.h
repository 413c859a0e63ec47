// One direction (seal or open) of one EVP AEAD key: the EVP_CIPHER_CTX and the per-record
// sequence on it (nonce, AAD, data, final, tag). evp_aead.cc builds the JS class on two of these.
#ifndef KTLS_NATIVE_EVP_DIRECTION_H_
#define KTLS_NATIVE_EVP_DIRECTION_H_

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

namespace ktls_native {

inline constexpr size_t kTagLen = 16;
inline constexpr size_t kNonceLen = 12;
// A non-NULL pointer for zero-length input: CCM reads EVP_CipherUpdate(ctx, out, &n, NULL, 0) as
// "set the message length", not as the (empty) message (packages/core/src/engines/nodeCrypto.ts).
inline constexpr uint8_t kEmpty[1] = {0};

// One direction of one key. EVP_CIPHER_CTX_free clears the key schedule (the providers free
// their contexts with OPENSSL_clear_free).
class EvpDirection {
 public:
  EvpDirection() = default;
  // One owner per context: a copy would free it twice.
  EvpDirection(const EvpDirection&) = delete;
  EvpDirection& operator=(const EvpDirection&) = delete;
  ~EvpDirection() { Free(); }
  bool Init(const EVP_CIPHER* cipher, bool ccm, const uint8_t* key, int enc) {
    ccm_ = ccm;
    ctx_ = EVP_CIPHER_CTX_new();
    if (ctx_ == nullptr) return false;
    // Cipher first, then the parameters CCM needs before its key (RFC 3610: L = 15 - 12 = 3 and
    // M = 16), then the key: this context's one key expansion.
    if (EVP_CipherInit_ex(ctx_, cipher, nullptr, nullptr, nullptr, enc) != 1) return false;
    if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_IVLEN, kNonceLen, nullptr) != 1) return false;
    if (ccm && EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, kTagLen, nullptr) != 1)
      return false;
    return EVP_CipherInit_ex(ctx_, nullptr, nullptr, key, nullptr, enc) == 1;
  }
  void Free() {
    EVP_CIPHER_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  bool live() const { return ctx_ != nullptr; }

  // out[0, len + tlen) = AEAD(in || trailer), out[len + tlen, +16) = tag. `in` is `out` or does
  // not overlap it; a CCM trailer was joined to `in` by the caller (CCM takes one update).
  bool Seal(const uint8_t* nonce, const uint8_t* aad, size_t aadLen, const uint8_t* in, size_t len,
            const uint8_t* trailer, size_t tlen, uint8_t* out) {
    int n = 0;
    size_t total = len + tlen;
    if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, nonce, -1) != 1) return false;
    if (ccm_ && EVP_CipherUpdate(ctx_, nullptr, &n, nullptr, static_cast<int>(total)) != 1)
      return false;
    if (aadLen > 0 && EVP_CipherUpdate(ctx_, nullptr, &n, aad, static_cast<int>(aadLen)) != 1)
      return false;
    if (EVP_CipherUpdate(ctx_, out, &n, len > 0 ? in : kEmpty, static_cast<int>(len)) != 1)
      return false;
    if (tlen > 0 && EVP_CipherUpdate(ctx_, out + len, &n, trailer, static_cast<int>(tlen)) != 1)
      return false;
    if (EVP_CipherFinal_ex(ctx_, out + total, &n) != 1) return false;
    return EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, kTagLen, out + total) == 1;
  }

  // out[0, len) = plaintext of in[0, len) under tag; false (and out wiped) when the tag does not
  // verify: nothing unverified is released (RFC 5116 §2.2). `in` is `out` or does not overlap it;
  // `tag` overlaps neither.
  bool Open(const uint8_t* nonce, const uint8_t* aad, size_t aadLen, const uint8_t* in, size_t len,
            const uint8_t* tag, uint8_t* out) {
    int n = 0;
    bool ok =
        EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, nonce, -1) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, kTagLen, const_cast<uint8_t*>(tag)) == 1 &&
        (!ccm_ || EVP_CipherUpdate(ctx_, nullptr, &n, nullptr, static_cast<int>(len)) == 1) &&
        (aadLen == 0 || EVP_CipherUpdate(ctx_, nullptr, &n, aad, static_cast<int>(aadLen)) == 1) &&
        // CCM verifies inside this update (and fails it); GCM and ChaCha20 in final.
        EVP_CipherUpdate(ctx_, out, &n, len > 0 ? in : kEmpty, static_cast<int>(len)) == 1 &&
        (ccm_ || EVP_CipherFinal_ex(ctx_, out + len, &n) == 1);
    if (!ok) {
      if (len > 0) OPENSSL_cleanse(out, len);
      // A failed tag leaves nothing on the queue today; cleared anyway so that node:crypto, which
      // shares this thread's error queue, never reads an error of ours.
      ERR_clear_error();
    }
    return ok;
  }

 private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
  bool ccm_ = false;
};

}  // namespace ktls_native

#endif  // KTLS_NATIVE_EVP_DIRECTION_H_
