#include "openrc-shim/applets/capability_iab.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "init/base/capabilities.h"
#include "init/base/text.h"

namespace ctinit::openrc {
namespace {

bool GetSets(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capget, &header, data) == 0;
}

bool SetSets(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capset, &header, data) == 0;
}

uint64_t Join(uint32_t low, uint32_t high) { return low | (uint64_t{high} << 32); }

std::string LowerName(int cap) {
  std::string n = caps::Name(cap);
  for (char& c : n) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return n;
}

}  // namespace

std::optional<CapabilityIab> ParseCapabilityIab(const std::string& text, std::string* error) {
  CapabilityIab iab;
  if (text.empty()) return iab;
  std::vector<std::string> entries = text::Split(text, ',');
  if (entries.size() > 1 && entries.back().empty()) entries.pop_back();  // "a," as libcap
  for (const std::string& entry : entries) {
    size_t i = 0;
    bool ambient = false, drop = false, inheritable = false;
    for (; i < entry.size(); ++i) {
      if (entry[i] == '^') {
        ambient = true;
      } else if (entry[i] == '!') {
        drop = true;
      } else if (entry[i] == '%') {
        inheritable = true;
      } else {
        break;
      }
    }
    if (!ambient && !drop) inheritable = true;  // a bare name is inheritable
    auto cap = caps::FromName(entry.substr(i));
    if (!cap) {
      *error = "unknown capability `" + entry.substr(i) + "'";
      return std::nullopt;
    }
    const uint64_t bit = caps::Bit(*cap);
    if (ambient) iab.ambient |= bit;
    if (ambient || inheritable) iab.inheritable |= bit;
    if (drop) iab.drop_bounding |= bit;
  }
  return iab;
}

std::optional<unsigned> ParseSecbits(const std::string& text, std::string* error) {
  if (text.empty()) {
    *error = "Secbits are empty";
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  unsigned long v = strtoul(text.c_str(), &end, 0);
  if (*end != '\0') {
    *error = std::string("Could not parse secbits: invalid char ") + *end;
    return std::nullopt;
  }
  if (errno != 0 || v > 0xffffffffUL || text[0] == '-') {
    *error = "Could not parse secbits: " + text;
    return std::nullopt;
  }
  return static_cast<unsigned>(v);
}

OwnCapabilitySets ReadOwnCapabilitySets() noexcept {
  OwnCapabilitySets own;
  __user_cap_data_struct data[2]{};
  if (!GetSets(data)) return own;
  own.permitted = Join(data[0].permitted, data[1].permitted);
  own.setpcap = (data[0].effective & caps::Bit(CAP_SETPCAP)) != 0;
  for (int cap = 0; cap < 64; ++cap) {
    int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (r < 0) break;  // past the kernel's last capability
    if (r == 1) own.bounding |= caps::Bit(cap);
  }
  return own;
}

std::string CheckIab(const CapabilityIab& iab, const OwnCapabilitySets& own) {
  for (int cap = 0; cap < 64; ++cap) {
    const uint64_t bit = caps::Bit(cap);
    if ((iab.inheritable & bit) && !(own.bounding & bit))
      return LowerName(cap) + " is not in this container's bounding set";
    if ((iab.inheritable & bit) && !(own.permitted & bit))
      return LowerName(cap) + " is not in this process's permitted set";
    if ((iab.drop_bounding & bit) && (own.bounding & bit) && !own.setpcap)
      return "cannot drop " + LowerName(cap) + " from the bounding set without cap_setpcap";
  }
  return "";
}

int PrepareIabBeforeSetuid(const CapabilityIab& iab, bool becomes_non_root,
                           bool sets_secbits) noexcept {
  for (int cap = 0; cap < 64; ++cap) {
    if (!(iab.drop_bounding & caps::Bit(cap))) continue;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) continue;  // already gone (or no such cap)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return errno;
  }
  if (becomes_non_root && (iab.inheritable || sets_secbits) &&
      prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    return errno;
  return 0;
}

int ApplyIabAfterSetuid(const CapabilityIab& iab, std::optional<unsigned> secbits,
                        const char** what) noexcept {
  __user_cap_data_struct data[2]{};
  *what = "capability sets";
  if (!GetSets(data)) return errno;
  if (secbits) {
    // CAP_SETPCAP must be effective; after setuid (with PR_SET_KEEPCAPS) it is only permitted.
    data[0].effective = data[0].permitted;
    data[1].effective = data[1].permitted;
    *what = "securebits";
    if (!SetSets(data) || prctl(PR_SET_SECUREBITS, *secbits, 0, 0, 0) != 0) return errno;
  }
  for (int i = 0; i < 2; ++i) {
    auto part = static_cast<uint32_t>(iab.inheritable >> (32 * i));
    data[i].inheritable = part;
  }
  *what = "inheritable set";
  if (!SetSets(data)) return errno;
  *what = "ambient set";
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return errno;
  for (int cap = 0; cap < 64; ++cap)
    if ((iab.ambient & caps::Bit(cap)) &&
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
      return errno;
  return 0;
}

std::string MaskText(uint64_t mask) {
  char buf[32];
  snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(mask));
  return buf;
}

}  // namespace ctinit::openrc
