#include "errors.h"

#include <string.h>

namespace ktls_native {

std::string ErrnoName(int err) {
  const char* n = strerrorname_np(err);
  return n ? std::string(n) : ("E" + std::to_string(err));
}

Napi::Error SysError(Napi::Env env, const std::string& syscall, int err) {
  Napi::Error e =
      Napi::Error::New(env, syscall + ": " + ErrnoName(err) + " (" + strerror(err) + ")");
  e.Set("code", Napi::String::New(env, "ERR_NATIVE_SYSCALL"));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("errnoName", Napi::String::New(env, ErrnoName(err)));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

Napi::Error ArgError(Napi::Env env, const std::string& message) {
  Napi::Error e = Napi::TypeError::New(env, message);
  e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG"));
  return e;
}

int IntArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw ArgError(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

Napi::Uint8Array BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsTypedArray())
    throw ArgError(info.Env(), std::string(what) + " must be a Uint8Array");
  auto ta = info[i].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array)
    throw ArgError(info.Env(), std::string(what) + " must be a Uint8Array");
  return info[i].As<Napi::Uint8Array>();
}

void Wipe(std::vector<uint8_t>& buf) {
  if (!buf.empty()) explicit_bzero(buf.data(), buf.size());
}

Napi::Value ErrnoNameJs(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ErrnoName(IntArg(info, 0, "errno")));
}

}  // namespace ktls_native
