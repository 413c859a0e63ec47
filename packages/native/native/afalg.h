// AF_ALG AEAD (crypto/algif_aead.c): a transform socket bound to "gcm(aes)", "ccm(aes)" or
// "rfc7539(chacha20,poly1305)", the key and the tag size set on it once, and one op socket (or
// several, for requests in flight at once) accept()ed from it and reused for every record sealed or
// opened under that key.
#ifndef KTLS_NATIVE_AFALG_H_
#define KTLS_NATIVE_AFALG_H_

#include <napi.h>

namespace ktls_native {

// The AeadKey class: new AeadKey(algName, key, tagLength, ivLength, opSockets?), with seal, open,
// sealAsync, openAsync, batch, close and the `closed` accessor.
Napi::Function AeadKeyClass(Napi::Env env);

// algBind(name) -> true, or throws the errno of socket()/bind(): the probe's question "does this
// AEAD name bind".
Napi::Value AlgBindProbe(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_AFALG_H_
