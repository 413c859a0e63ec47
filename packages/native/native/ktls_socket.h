// TCP and kernel TLS sockets (net/tls/): TCP_ULP "tls", SOL_TLS TLS_TX/TLS_RX with struct
// tls12_crypto_info_*, getsockopt to read the state back, sendmsg with a TLS_SET_RECORD_TYPE cmsg,
// recvmsg that reports TLS_GET_RECORD_TYPE and MSG_EOR, and the plain socket calls the selftests
// make around them. Sockets are plain int fds; the TypeScript side owns and closes them.
#ifndef KTLS_NATIVE_KTLS_SOCKET_H_
#define KTLS_NATIVE_KTLS_SOCKET_H_

#include <napi.h>

namespace ktls_native {

// tcpPair(timeoutMs) -> [client, server]
Napi::Value TcpPair(const Napi::CallbackInfo& info);
// tcpSocket(listen) -> fd
Napi::Value TcpSocket(const Napi::CallbackInfo& info);
// setUlp(fd)
Napi::Value SetUlp(const Napi::CallbackInfo& info);
// setsockopt(fd, level, name, bytes|null, optlen?)
Napi::Value SetSockOpt(const Napi::CallbackInfo& info);
// getsockopt(fd, level, name, len) -> Buffer
Napi::Value GetSockOpt(const Napi::CallbackInfo& info);
// send(fd, chunks, flags, recordType?) -> n
Napi::Value Send(const Napi::CallbackInfo& info);
// recv(fd, sizes, flags, cmsg) -> {...}
Napi::Value Recv(const Napi::CallbackInfo& info);
// close(fd)
Napi::Value Close(const Napi::CallbackInfo& info);
// shutdown(fd, how)
Napi::Value Shutdown(const Napi::CallbackInfo& info);
// setNonblock(fd, on)
Napi::Value SetNonblock(const Napi::CallbackInfo& info);
// setIntOpt(fd, level, name, value)
Napi::Value SetIntOpt(const Napi::CallbackInfo& info);
// poll(fd, events, timeoutMs) -> revents
Napi::Value Poll(const Napi::CallbackInfo& info);
// sendfile(outFd, inFd, offset, count) -> bytes sent, -1 for EAGAIN
Napi::Value SendFile(const Napi::CallbackInfo& info);
// connectUnspec(fd)
Napi::Value ConnectUnspec(const Napi::CallbackInfo& info);
// connectTo(fd, listenerFd)
Napi::Value ConnectTo(const Napi::CallbackInfo& info);
// accept(fd) -> fd
Napi::Value Accept(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_KTLS_SOCKET_H_
