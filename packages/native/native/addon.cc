// ktls_native: the real kernel path for ktls-lab. This file only registers the exports
// (src/binding.ts types them); each concern has its own file:
//
//  - afalg.cc: AF_ALG AEAD (crypto/algif_aead.c), the AeadKey class and the algBind probe.
//  - evp_aead.cc: the userspace AEAD on OpenSSL's EVP (the node binary's own libcrypto), the
//    EvpAead class and evpInfo; evp_direction.h: one cipher context and its per-record sequence.
//  - ktls_socket.cc: TCP and kernel TLS sockets (net/tls/): ULP, setsockopt/getsockopt,
//    sendmsg/recvmsg with the record-type cmsgs, poll and the plain socket calls.
//  - kcm.cc: AF_KCM, its hand-assembled BPF length parser and SIOCKCMATTACH.
//  - fd_watcher.cc: the FdWatcher class, readiness of a socket on Node's libuv loop (uv_poll_t on
//    a dup of the fd), so kernel TLS reads wait for the kernel instead of polling on timers.
//  - fdio.cc: pipes, splice, vmsplice, sendfile, memfd files, epoll and socket addresses.
//  - jobs.cc: native threads blocked in recv/send/sendfile/poll (the selftests' child processes).
//  - host.cc: uname.
//  - errors.cc: the errors every export throws, argument checks, buffer wiping.
//  - uapi.h: the kernel constants, spelled out.
//
// AF_ALG and kernel TLS keys are never kept in this addon's memory: each copy made to hand a key to
// the kernel is wiped (explicit_bzero) as soon as the setsockopt returns, and closing a handle
// closes the sockets, on which the kernel frees its key schedule with kfree_sensitive
// (crypto_destroy_tfm / tls_ctx_free memzero_explicit the crypto_info). An EvpAead key lives only
// in its two EVP_CIPHER_CTX, freed (and cleared by OpenSSL) on close() or when the JS object is
// collected.

#include <napi.h>

#include "afalg.h"
#include "errors.h"
#include "evp_aead.h"
#include "fd_watcher.h"
#include "fdio.h"
#include "host.h"
#include "jobs.h"
#include "kcm.h"
#include "ktls_socket.h"

namespace {

// At global scope: NODE_API_MODULE pastes the function's name into an identifier.
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace ktls_native;
  exports.Set("AeadKey", AeadKeyClass(env));
  exports.Set("algBind", Napi::Function::New(env, AlgBindProbe));
  exports.Set("EvpAead", EvpAeadClass(env));
  exports.Set("evpInfo", Napi::Function::New(env, EvpInfo));
  exports.Set("tcpPair", Napi::Function::New(env, TcpPair));
  exports.Set("tcpSocket", Napi::Function::New(env, TcpSocket));
  exports.Set("setUlp", Napi::Function::New(env, SetUlp));
  exports.Set("setsockopt", Napi::Function::New(env, SetSockOpt));
  exports.Set("getsockopt", Napi::Function::New(env, GetSockOpt));
  exports.Set("send", Napi::Function::New(env, Send));
  exports.Set("recv", Napi::Function::New(env, Recv));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown));
  exports.Set("setNonblock", Napi::Function::New(env, SetNonblock));
  exports.Set("setIntOpt", Napi::Function::New(env, SetIntOpt));
  exports.Set("poll", Napi::Function::New(env, Poll));
  exports.Set("sendfileNonblocking", Napi::Function::New(env, SendFile));
  exports.Set("connectUnspec", Napi::Function::New(env, ConnectUnspec));
  exports.Set("connectTo", Napi::Function::New(env, ConnectTo));
  exports.Set("accept", Napi::Function::New(env, Accept));
  exports.Set("uname", Napi::Function::New(env, Uname));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoNameJs));
  exports.Set("bpfLengthParser", Napi::Function::New(env, BpfLengthParser));
  exports.Set("kcmSocket", Napi::Function::New(env, KcmSocket));
  exports.Set("kcmAttach", Napi::Function::New(env, KcmAttach));
  exports.Set("pipe", Napi::Function::New(env, Pipe));
  exports.Set("setPipeSize", Napi::Function::New(env, SetPipeSize));
  exports.Set("fdWrite", Napi::Function::New(env, FdWrite));
  exports.Set("fdRead", Napi::Function::New(env, FdRead));
  exports.Set("lseekSet", Napi::Function::New(env, LseekSet));
  exports.Set("splice", Napi::Function::New(env, Splice));
  exports.Set("vmsplice", Napi::Function::New(env, Vmsplice));
  exports.Set("sendfile", Napi::Function::New(env, Sendfile));
  exports.Set("memfdWith", Napi::Function::New(env, MemfdWith));
  exports.Set("epollCreate", Napi::Function::New(env, EpollCreate));
  exports.Set("epollAdd", Napi::Function::New(env, EpollAdd));
  exports.Set("epollWait", Napi::Function::New(env, EpollWait));
  exports.Set("getsockname", Napi::Function::New(env, GetSockName));
  exports.Set("bindAny4", Napi::Function::New(env, BindAny4));
  exports.Set("listenOn", Napi::Function::New(env, ListenOn));
  exports.Set("connectAny4", Napi::Function::New(env, ConnectAny4));
  exports.Set("FdWatcher", FdWatcherClass(env));
  exports.Set("jobStart", Napi::Function::New(env, JobStart));
  exports.Set("jobJoin", Napi::Function::New(env, JobJoin));
  return exports;
}

}  // namespace

NODE_API_MODULE(ktls_native, Init)
