#include "kcm.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "errors.h"

namespace ktls_native {
namespace {

// UAPI values, spelled out as in uapi.h (include/uapi/linux/bpf.h, include/uapi/linux/kcm.h,
// include/linux/socket.h, include/uapi/linux/sockios.h).
constexpr int AF_KCM_ = 41;
constexpr int KCMPROTO_CONNECTED = 0;
constexpr unsigned long SIOCKCMATTACH = 0x89E0;  // SIOCPROTOPRIVATE + 0
constexpr int BPF_PROG_LOAD = 5;
constexpr uint32_t BPF_PROG_TYPE_SOCKET_FILTER = 1;

// struct bpf_insn: opcode, dst_reg:4 | src_reg:4, off, imm.
struct Insn {
  uint8_t code;
  uint8_t regs;
  int16_t off;
  int32_t imm;
};
static_assert(sizeof(Insn) == 8, "struct bpf_insn is 8 bytes");

constexpr uint8_t Regs(int dst, int src) { return static_cast<uint8_t>((src << 4) | dst); }

// The start of union bpf_attr for BPF_PROG_LOAD; the kernel takes a shorter attr and treats the
// rest as zero.
struct ProgLoadAttr {
  uint32_t prog_type;
  uint32_t insn_cnt;
  uint64_t insns;
  uint64_t license;
  uint32_t log_level;
  uint32_t log_size;
  uint64_t log_buf;
  uint32_t kern_version;
  uint32_t prog_flags;
};

struct KcmAttachArg {
  int fd;
  int bpf_fd;
};

}  // namespace

Napi::Value BpfLengthParser(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int lengthOffset = IntArg(info, 0, "lengthOffset");
  int headerLength = IntArg(info, 1, "headerLength");
  // r6 = r1 (ctx: the skb; LD_ABS reads the packet through r6)
  // r0 = be32 at [lengthOffset]           (BPF_LD | BPF_W | BPF_ABS: network byte order)
  // r0 += headerLength                   (the message is header + the length it announces)
  // exit
  const Insn prog[] = {
      {0xbf, Regs(6, 1), 0, 0},
      {0x20, 0, 0, lengthOffset},
      {0x07, Regs(0, 0), 0, headerLength},
      {0x95, 0, 0, 0},
  };
  static const char license[] = "GPL";
  std::vector<char> log(4096, 0);
  ProgLoadAttr attr{};
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insn_cnt = sizeof prog / sizeof prog[0];
  attr.insns = reinterpret_cast<uint64_t>(prog);
  attr.license = reinterpret_cast<uint64_t>(license);
  attr.log_level = 1;
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0) {
    int err = errno;
    std::string verifier(log.data());
    throw SysError(env, "bpf(BPF_PROG_LOAD" + (verifier.empty() ? "" : ": " + verifier) + ")", err);
  }
  return Napi::Number::New(env, static_cast<double>(fd));
}

Napi::Value KcmSocket(const Napi::CallbackInfo& info) {
  int fd = socket(AF_KCM_, SOCK_SEQPACKET | SOCK_CLOEXEC, KCMPROTO_CONNECTED);
  if (fd < 0) throw SysError(info.Env(), "socket(AF_KCM)", errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value KcmAttach(const Napi::CallbackInfo& info) {
  int kcm = IntArg(info, 0, "kcmFd");
  KcmAttachArg arg{IntArg(info, 1, "tcpFd"), IntArg(info, 2, "bpfFd")};
  if (ioctl(kcm, SIOCKCMATTACH, &arg) < 0)
    throw SysError(info.Env(), "ioctl(SIOCKCMATTACH)", errno);
  return info.Env().Undefined();
}

}  // namespace ktls_native
