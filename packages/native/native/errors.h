// Errors, argument checks and buffer wiping shared by every export.
//
// Every failing syscall becomes a JS Error with `code: 'ERR_NATIVE_SYSCALL'`, `errno` (number),
// `errnoName` ("EBADMSG") and `syscall`; the TypeScript side turns it into a typed error. A bad
// argument is a TypeError with `code: 'ERR_INVALID_ARG'`. Both are thrown as C++ exceptions
// (node_addon_api_except), which node-addon-api turns into JS exceptions.
#ifndef KTLS_NATIVE_ERRORS_H_
#define KTLS_NATIVE_ERRORS_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ktls_native {

// "EBADMSG" for EBADMSG; "E<n>" for a number glibc has no name for.
std::string ErrnoName(int err);

Napi::Error SysError(Napi::Env env, const std::string& syscall, int err);
Napi::Error ArgError(Napi::Env env, const std::string& message);

// info[i] as an int32, or throws ArgError("<what> must be a number").
int IntArg(const Napi::CallbackInfo& info, size_t i, const char* what);
// info[i] as a Uint8Array (not another typed array), or throws ArgError.
Napi::Uint8Array BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what);

// Wipes a buffer that may have held a key or plaintext (explicit_bzero: the compiler may not drop
// it as a dead store).
void Wipe(std::vector<uint8_t>& buf);

// errnoName(n) -> "EBADMSG"
Napi::Value ErrnoNameJs(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_ERRORS_H_
