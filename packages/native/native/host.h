// What the addon runs on: the kernel's uname, which the probe and the traces report.
#ifndef KTLS_NATIVE_HOST_H_
#define KTLS_NATIVE_HOST_H_

#include <napi.h>

namespace ktls_native {

// uname() -> { sysname, release, version, machine }
Napi::Value Uname(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_HOST_H_
