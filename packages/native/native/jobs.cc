#include "jobs.h"

#include <errno.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "errors.h"

namespace ktls_native {

namespace {

enum class Kind { kRecv, kSend, kSendfile, kPoll };

struct Job {
  Kind kind = Kind::kRecv;
  int fd = -1;
  int64_t total = 0;
  int chunk = 16384;
  int flags = 0;
  // recv: every byte must equal fill (when >= 0); send: the byte sent.
  int fill = -1;
  bool retryEagain = false;
  int fileFd = -1;
  int64_t fileSize = 0;
  int events = POLLIN;
  int timeoutMs = 0;
  // Results, written by the thread, read after join.
  int64_t bytes = 0;
  int64_t calls = 0;
  int err = 0;
  bool eagain = false;
  int64_t mismatched = 0;
  int revents = -1;
  std::thread thread;
  // A job never joined (its test failed first) is joined here, at the latest when the process
  // exits: a joinable std::thread's destructor would abort the whole run. The pair's SO_RCVTIMEO
  // bounds the wait.
  ~Job() {
    if (thread.joinable()) thread.join();
  }
};

std::mutex g_mu;
std::map<int, std::unique_ptr<Job>> g_jobs;
int g_next = 1;

// One result per iteration of the child's loop in tls.c: stop at the first error that is not a
// retried EAGAIN, and at end of stream.
void Run(Job* j) {
  if (j->kind == Kind::kPoll) {
    pollfd p{j->fd, static_cast<short>(j->events), 0};
    int rc = poll(&p, 1, j->timeoutMs);
    if (rc < 0) j->err = errno;
    j->revents = rc == 0 ? 0 : p.revents;
    return;
  }
  std::vector<uint8_t> buf(j->chunk > 0 ? j->chunk : 1, j->fill >= 0 ? j->fill : 0);
  while (j->bytes < j->total) {
    int64_t left = j->total - j->bytes;
    size_t want = static_cast<size_t>(left < j->chunk ? left : j->chunk);
    ssize_t n;
    if (j->kind == Kind::kRecv) {
      n = recv(j->fd, buf.data(), want, j->flags);
    } else if (j->kind == Kind::kSend) {
      n = send(j->fd, buf.data(), want, j->flags | MSG_NOSIGNAL);
    } else {
      if (lseek(j->fileFd, 0, SEEK_SET) < 0) {
        j->err = errno;
        return;
      }
      n = sendfile(j->fd, j->fileFd, nullptr,
                   static_cast<size_t>(left < j->fileSize ? left : j->fileSize));
    }
    j->calls++;
    if (n < 0) {
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && j->retryEagain) {
        j->eagain = true;
        usleep(10000);
        continue;
      }
      j->err = errno;
      return;
    }
    // End of stream for recv; for sendfile 0 is only "nothing at this offset", as in C's loop.
    if (n == 0 && j->kind != Kind::kSendfile) return;
    if (j->kind == Kind::kRecv && j->fill >= 0) {
      for (ssize_t i = 0; i < n; i++)
        if (buf[i] != j->fill) j->mismatched++;
    }
    j->bytes += n;
  }
}

int IntProp(const Napi::Object& o, const char* name, int dflt) {
  Napi::Value v = o.Get(name);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : dflt;
}

int64_t Int64Prop(const Napi::Object& o, const char* name, int64_t dflt) {
  Napi::Value v = o.Get(name);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : dflt;
}

}  // namespace

Napi::Value JobStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw ArgError(env, "spec must be an object");
  auto o = info[0].As<Napi::Object>();
  auto j = std::make_unique<Job>();
  std::string kind = o.Get("kind").ToString().Utf8Value();
  if (kind == "recv") {
    j->kind = Kind::kRecv;
  } else if (kind == "send") {
    j->kind = Kind::kSend;
  } else if (kind == "sendfile") {
    j->kind = Kind::kSendfile;
  } else if (kind == "poll") {
    j->kind = Kind::kPoll;
  } else {
    throw ArgError(env, "kind must be recv, send, sendfile or poll");
  }
  j->fd = IntProp(o, "fd", -1);
  if (j->fd < 0) throw ArgError(env, "fd must be a file descriptor");
  j->total = Int64Prop(o, "total", 0);
  j->chunk = IntProp(o, "chunk", 16384);
  if (j->chunk <= 0) throw ArgError(env, "chunk must be positive");
  j->flags = IntProp(o, "flags", 0);
  j->fill = IntProp(o, "fill", -1);
  j->retryEagain = o.Get("retryEagain").ToBoolean();
  j->fileFd = IntProp(o, "fileFd", -1);
  j->fileSize = Int64Prop(o, "fileSize", 0);
  if (j->kind == Kind::kSendfile && (j->fileFd < 0 || j->fileSize <= 0))
    throw ArgError(env, "sendfile needs fileFd and fileSize");
  j->events = IntProp(o, "events", POLLIN);
  j->timeoutMs = IntProp(o, "timeoutMs", 0);
  Job* raw = j.get();
  std::lock_guard<std::mutex> lock(g_mu);
  int id = g_next++;
  raw->thread = std::thread(Run, raw);
  g_jobs.emplace(id, std::move(j));
  return Napi::Number::New(env, id);
}

Napi::Value JobJoin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = IntArg(info, 0, "id");
  std::unique_ptr<Job> j;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_jobs.find(id);
    if (it == g_jobs.end()) throw ArgError(env, "no such job");
    j = std::move(it->second);
    g_jobs.erase(it);
  }
  j->thread.join();
  auto res = Napi::Object::New(env);
  res.Set("bytes", Napi::Number::New(env, static_cast<double>(j->bytes)));
  res.Set("calls", Napi::Number::New(env, static_cast<double>(j->calls)));
  res.Set("errno", Napi::String::New(env, j->err == 0 ? "" : ErrnoName(j->err)));
  res.Set("eagain", Napi::Boolean::New(env, j->eagain));
  res.Set("mismatched", Napi::Number::New(env, static_cast<double>(j->mismatched)));
  res.Set("revents", Napi::Number::New(env, j->revents));
  return res;
}

}  // namespace ktls_native
