#include "host.h"

#include <sys/utsname.h>

namespace ktls_native {

Napi::Value Uname(const Napi::CallbackInfo& info) {
  utsname u{};
  uname(&u);
  auto o = Napi::Object::New(info.Env());
  o.Set("sysname", u.sysname);
  o.Set("release", u.release);
  o.Set("version", u.version);
  o.Set("machine", u.machine);
  return o;
}

}  // namespace ktls_native
