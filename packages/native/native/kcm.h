// AF_KCM (net/kcm/): the Kernel Connection Multiplexor. A KCM socket, a BPF socket-filter program
// that tells KCM where each message ends (its length parser), and SIOCKCMATTACH, which puts a
// connected TCP socket (here: one with kernel TLS on it) under the multiplexor. The addon
// assembles the parser by hand and loads it with bpf(2); no libbpf, no compiler.
#ifndef KTLS_NATIVE_KCM_H_
#define KTLS_NATIVE_KCM_H_

#include <napi.h>

namespace ktls_native {

// bpfLengthParser(lengthOffset, headerLength) -> prog fd: a BPF_PROG_TYPE_SOCKET_FILTER program
// returning be32(skb[lengthOffset..+4]) + headerLength, the whole message's length. Throws the
// errno of bpf(BPF_PROG_LOAD) with the verifier's log in the message.
Napi::Value BpfLengthParser(const Napi::CallbackInfo& info);
// kcmSocket() -> fd: socket(AF_KCM, SOCK_SEQPACKET, KCMPROTO_CONNECTED).
Napi::Value KcmSocket(const Napi::CallbackInfo& info);
// kcmAttach(kcmFd, tcpFd, bpfFd): ioctl(SIOCKCMATTACH).
Napi::Value KcmAttach(const Napi::CallbackInfo& info);

}  // namespace ktls_native

#endif  // KTLS_NATIVE_KCM_H_
