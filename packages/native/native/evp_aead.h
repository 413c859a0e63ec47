// A userspace AEAD on OpenSSL's EVP: the libcrypto Node itself carries (the addon links none of
// its own; its EVP_* calls bind to the node binary's exported OpenSSL, so the guest, which runs the
// host's node, loads it too).
#ifndef KTLS_NATIVE_EVP_AEAD_H_
#define KTLS_NATIVE_EVP_AEAD_H_

#include <napi.h>

namespace ktls_native {

// The EvpAead class: new EvpAead(algorithm, key), with seal, open, sealBatch, openBatch, close and
// the `closed` accessor (src/binding.ts types them).
Napi::Function EvpAeadClass(Napi::Env env);

// evpInfo() -> { version: OpenSSL_version(OPENSSL_VERSION), algorithms: [names that fetch] }
Napi::Value EvpInfo(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_EVP_AEAD_H_
