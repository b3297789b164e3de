#include "init/base/capabilities.h"

#include <string.h>
#include <strings.h>

#include <cstdlib>
#include <iterator>

namespace ctinit::caps {

namespace {

// Index = capability number (linux/capability.h, up to Linux 6.x).
constexpr const char* kNames[] = {"CAP_CHOWN",
                                  "CAP_DAC_OVERRIDE",
                                  "CAP_DAC_READ_SEARCH",
                                  "CAP_FOWNER",
                                  "CAP_FSETID",
                                  "CAP_KILL",
                                  "CAP_SETGID",
                                  "CAP_SETUID",
                                  "CAP_SETPCAP",
                                  "CAP_LINUX_IMMUTABLE",
                                  "CAP_NET_BIND_SERVICE",
                                  "CAP_NET_BROADCAST",
                                  "CAP_NET_ADMIN",
                                  "CAP_NET_RAW",
                                  "CAP_IPC_LOCK",
                                  "CAP_IPC_OWNER",
                                  "CAP_SYS_MODULE",
                                  "CAP_SYS_RAWIO",
                                  "CAP_SYS_CHROOT",
                                  "CAP_SYS_PTRACE",
                                  "CAP_SYS_PACCT",
                                  "CAP_SYS_ADMIN",
                                  "CAP_SYS_BOOT",
                                  "CAP_SYS_NICE",
                                  "CAP_SYS_RESOURCE",
                                  "CAP_SYS_TIME",
                                  "CAP_SYS_TTY_CONFIG",
                                  "CAP_MKNOD",
                                  "CAP_LEASE",
                                  "CAP_AUDIT_WRITE",
                                  "CAP_AUDIT_CONTROL",
                                  "CAP_SETFCAP",
                                  "CAP_MAC_OVERRIDE",
                                  "CAP_MAC_ADMIN",
                                  "CAP_SYSLOG",
                                  "CAP_WAKE_ALARM",
                                  "CAP_BLOCK_SUSPEND",
                                  "CAP_AUDIT_READ",
                                  "CAP_PERFMON",
                                  "CAP_BPF",
                                  "CAP_CHECKPOINT_RESTORE"};

}  // namespace

std::optional<int> FromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kNames); ++i)
    if (name.size() == strlen(kNames[i]) && strncasecmp(name.data(), kNames[i], name.size()) == 0)
      return static_cast<int>(i);
  if (name.empty() || name.size() > 2 || name.find_first_not_of("0123456789") != name.npos)
    return std::nullopt;
  int n = std::atoi(std::string(name).c_str());
  return n < 64 ? std::optional<int>(n) : std::nullopt;
}

std::string Name(int cap) {
  if (cap >= 0 && static_cast<size_t>(cap) < std::size(kNames)) return kNames[cap];
  return std::to_string(cap);
}

std::string Names(uint64_t mask) {
  std::string out;
  for (int cap = 0; cap < 64; ++cap)
    if (mask & Bit(cap)) out += (out.empty() ? "" : " ") + Name(cap);
  return out;
}

}  // namespace ctinit::caps
