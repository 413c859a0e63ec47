#include "fd_watcher.h"

#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include "errors.h"

namespace ktls_native {

namespace {

class FdWatcher;

// The libuv side of one watcher, on the heap: it outlives its FdWatcher when the object is
// collected before close() (uv_close finishes on a later loop turn), and is freed only in
// OnClosed, after libuv has let go of the handle.
//
// Why a dup(): libuv keeps one watcher per fd number (uv__fd_exists: a second uv_poll_init on a fd
// it watches is EEXIST), and the net.Socket's uv_tcp_t still owns the original fd and writes
// through it. epoll registers the dup as a separate (file, fd) pair on the same socket.
struct Watch {
  uv_poll_t handle;
  int fd = -1;
  bool reading = false;
  bool writing = false;
  bool closing = false;
  FdWatcher* owner = nullptr;
  // Node's environment teardown (a Worker ending) waits for this handle to close.
  napi_async_cleanup_hook_handle cleanup = nullptr;
};

void OnClosed(uv_handle_t* h);
void OnPoll(uv_poll_t* h, int status, int events);

// uv_close, then (in OnClosed) close the dup. Idempotent; safe from inside OnPoll: libuv stops the
// handle at once and calls no poll callback after uv_close.
void CloseWatch(Watch* w) {
  if (w->closing) return;
  w->closing = true;
  w->reading = w->writing = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), OnClosed);
}

void OnEnvCleanup(napi_async_cleanup_hook_handle, void* arg) {
  CloseWatch(static_cast<Watch*>(arg));
}

class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(
        env, "FdWatcher",
        {InstanceMethod("startReading", &FdWatcher::StartReading),
         InstanceMethod("stopReading", &FdWatcher::StopReading),
         InstanceMethod("startWriting", &FdWatcher::StartWriting),
         InstanceMethod("stopWriting", &FdWatcher::StopWriting),
         InstanceMethod("ref", &FdWatcher::Ref_), InstanceMethod("unref", &FdWatcher::Unref_),
         InstanceMethod("close", &FdWatcher::Close),
         InstanceAccessor("closed", &FdWatcher::Closed, nullptr),
         InstanceAccessor("fd", &FdWatcher::Fd, nullptr)});
  }

  // new FdWatcher(fd, callback): the callback is kept as a property of the object itself, so a
  // watcher with no interest that nothing references is collected (and closed) with its callback;
  // while it has interest the object is held (ObjectWrap::Ref), as Node holds an active handle.
  explicit FdWatcher(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<FdWatcher>(info), context_(info.Env(), "FdWatcher") {
    Napi::Env env = info.Env();
    int fd = IntArg(info, 0, "fd");
    if (info.Length() < 2 || !info[1].IsFunction())
      throw ArgError(env, "callback must be a function");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr)
      throw Napi::Error::New(env, "FdWatcher: no libuv loop");
    int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) throw SysError(env, "fcntl(F_DUPFD_CLOEXEC)", errno);
    auto* w = new Watch();
    w->fd = dup;
    // uv_poll_init sets O_NONBLOCK, on the file description the original fd shares.
    int rc = uv_poll_init_socket(loop, &w->handle, dup);
    if (rc < 0) {
      close(dup);
      delete w;
      throw SysError(env, "uv_poll_init", -rc);
    }
    w->handle.data = w;
    w->owner = this;
    napi_add_async_cleanup_hook(env, OnEnvCleanup, w, &w->cleanup);
    w_ = w;
    info.This().As<Napi::Object>().DefineProperty(
        Napi::PropertyDescriptor::Value("onReadiness", info[1], napi_default));
  }

  ~FdWatcher() override {
    if (w_ == nullptr) return;
    w_->owner = nullptr;
    CloseWatch(w_);
    w_ = nullptr;
  }

  // libuv's poll callback, on the loop thread: the events, or an error status (libuv has stopped
  // the handle then: POLLERR is reported as UV_EBADF, src/unix/poll.c).
  void Fire(int status, int events) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (status < 0) SetInterest(false, false);
    Napi::Object self = Value();
    Napi::Value cb = self.Get("onReadiness");
    if (!cb.IsFunction()) return;
    Napi::Value error = status < 0 ? SysError(env, "uv_poll", -status).Value() : env.Null();
    try {
      cb.As<Napi::Function>().MakeCallback(self, {error, Napi::Number::New(env, events)}, context_);
    } catch (const Napi::Error& e) {
      // A throw in the callback is the process's uncaught exception, as from any Node callback.
      napi_fatal_exception(env, e.Value());
    }
  }

  void Detach() { w_ = nullptr; }

 private:
  Napi::Value StartReading(const Napi::CallbackInfo& info) {
    return Change(info, true, w_ != nullptr && w_->writing);
  }
  Napi::Value StopReading(const Napi::CallbackInfo& info) {
    return Change(info, false, w_ != nullptr && w_->writing);
  }
  Napi::Value StartWriting(const Napi::CallbackInfo& info) {
    return Change(info, w_ != nullptr && w_->reading, true);
  }
  Napi::Value StopWriting(const Napi::CallbackInfo& info) {
    return Change(info, w_ != nullptr && w_->reading, false);
  }

  Napi::Value Change(const Napi::CallbackInfo& info, bool reading, bool writing) {
    if (w_ == nullptr || w_->closing) {
      // Stopping a closed watcher is a no-op (close paths stop things twice); starting is a bug.
      if (reading || writing) throw ArgError(info.Env(), "FdWatcher is closed");
      return info.Env().Undefined();
    }
    int rc = SetInterest(reading, writing);
    if (rc < 0) throw SysError(info.Env(), "uv_poll_start", -rc);
    return info.Env().Undefined();
  }

  // Readable interest includes UV_DISCONNECT (EPOLLRDHUP: the peer's FIN). The object is held
  // while any interest is on.
  int SetInterest(bool reading, bool writing) {
    bool wasActive = w_->reading || w_->writing;
    if (reading == w_->reading && writing == w_->writing) return 0;
    int events = (reading ? UV_READABLE | UV_DISCONNECT : 0) | (writing ? UV_WRITABLE : 0);
    int rc = events == 0 ? uv_poll_stop(&w_->handle) : uv_poll_start(&w_->handle, events, OnPoll);
    if (rc < 0) return rc;
    w_->reading = reading;
    w_->writing = writing;
    bool active = reading || writing;
    if (active && !wasActive) Ref();
    if (!active && wasActive) Unref();
    return 0;
  }

  Napi::Value Ref_(const Napi::CallbackInfo& info) {
    if (w_ != nullptr && !w_->closing) uv_ref(reinterpret_cast<uv_handle_t*>(&w_->handle));
    return info.Env().Undefined();
  }
  Napi::Value Unref_(const Napi::CallbackInfo& info) {
    if (w_ != nullptr && !w_->closing) uv_unref(reinterpret_cast<uv_handle_t*>(&w_->handle));
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (w_ != nullptr && !w_->closing) {
      if (w_->reading || w_->writing) Unref();
      CloseWatch(w_);
    }
    return info.Env().Undefined();
  }

  Napi::Value Closed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), w_ == nullptr || w_->closing);
  }
  Napi::Value Fd(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), w_ == nullptr || w_->closing ? -1 : w_->fd);
  }

  Watch* w_ = nullptr;
  Napi::AsyncContext context_;
};

void OnPoll(uv_poll_t* h, int status, int events) {
  auto* w = static_cast<Watch*>(h->data);
  if (w->closing || w->owner == nullptr) return;
  w->owner->Fire(status, events);
}

void OnClosed(uv_handle_t* h) {
  auto* w = static_cast<Watch*>(h->data);
  close(w->fd);
  if (w->owner != nullptr) w->owner->Detach();
  if (w->cleanup != nullptr) napi_remove_async_cleanup_hook(w->cleanup);
  delete w;
}

}  // namespace

Napi::Function FdWatcherClass(Napi::Env env) { return FdWatcher::Init(env); }

}  // namespace ktls_native
