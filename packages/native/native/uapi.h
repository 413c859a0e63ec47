// The kernel UAPI constants and structs the addon uses, spelled out rather than taken from
// <linux/if_alg.h> / <linux/tls.h>: the build host's headers (Debian 12: linux-libc-dev 6.1)
// predate some of them (TLS_TX_MAX_PAYLOAD_LEN), and the values are UAPI, fixed forever
// (include/uapi/linux/if_alg.h, include/uapi/linux/tls.h, include/uapi/linux/tcp.h,
// include/linux/socket.h).
#ifndef KTLS_NATIVE_UAPI_H_
#define KTLS_NATIVE_UAPI_H_

#include <cstdint>

namespace k {
constexpr int AF_ALG_ = 38;
constexpr int SOL_ALG_ = 279;
constexpr int ALG_SET_KEY = 1;
constexpr int ALG_SET_IV = 2;
constexpr int ALG_SET_OP = 3;
constexpr int ALG_SET_AEAD_ASSOCLEN = 4;
constexpr int ALG_SET_AEAD_AUTHSIZE = 5;
constexpr uint32_t ALG_OP_DECRYPT = 0;
constexpr uint32_t ALG_OP_ENCRYPT = 1;
constexpr int SOL_TLS_ = 282;
constexpr int TCP_ULP_ = 31;
constexpr int TLS_SET_RECORD_TYPE = 1;
constexpr int TLS_GET_RECORD_TYPE = 2;

// struct sockaddr_alg (include/uapi/linux/if_alg.h).
struct sockaddr_alg_ {
  uint16_t salg_family;
  uint8_t salg_type[14];
  uint32_t salg_feat;
  uint32_t salg_mask;
  uint8_t salg_name[64];
};
}  // namespace k

#endif  // KTLS_NATIVE_UAPI_H_
