// OpenRC's `capabilities=` / `--capabilities` (cap_iab(3) text, as libcap reads it) and
// `secbits=` / `--secbits`, for the shim's start-stop-daemon and supervise-daemon.
//
// The text is a comma-separated list; each entry is a capability (a name from
// init/base/capabilities.h, either case, or a number) after any of the prefixes
//   '^'  raised into the ambient set (and so also the inheritable one),
//   '!'  dropped from the bounding set,
//   '%'  (or no prefix at all) put into the inheritable set only.
// Prefixes combine ("!^cap_x"); the empty text is an empty tuple. As cap_iab_set_proc(3), an
// applied tuple *sets* the inheritable and ambient sets (what is not listed is cleared) and
// drops its '!' entries from the bounding set.
//
// What a container can apply: a capability raised (ambient or inheritable) must be in this
// process's bounding and permitted sets; a drop from the bounding set needs CAP_SETPCAP unless
// the capability is already gone from it. CheckIab() names the first one that cannot be done.
// Nothing here throws but std::bad_alloc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ctinit::openrc {

struct CapabilityIab {
  uint64_t inheritable = 0;  // every '^' entry is here too
  uint64_t ambient = 0;
  uint64_t drop_bounding = 0;
};

// nullopt and *error ("unknown capability `cap_x'") for text libcap would refuse.
std::optional<CapabilityIab> ParseCapabilityIab(const std::string& text, std::string* error);

// The securebits value (strtoul base 0: "0x2f", "017", "47"); nullopt and *error ("Secbits are
// empty", "Could not parse secbits: invalid char x") otherwise.
std::optional<unsigned> ParseSecbits(const std::string& text, std::string* error);

// What this process could hand on: its bounding set and permitted set (bit N = capability N),
// and whether CAP_SETPCAP is effective (needed to drop from the bounding set, to set securebits).
struct OwnCapabilitySets {
  uint64_t bounding = 0, permitted = 0;
  bool setpcap = false;
};
OwnCapabilitySets ReadOwnCapabilitySets() noexcept;

// "" when `own` allows `iab`; else one line naming the first capability it cannot apply
// ("cap_sys_admin is not in this container's bounding set").
std::string CheckIab(const CapabilityIab& iab, const OwnCapabilitySets& own);

// In a forked child, before it changes its user: drops the bounding entries and, when the
// child is going to become a uid other than 0 and still needs its capabilities after setuid
// (inheritable or ambient entries, or securebits to set), keeps the permitted set across
// setuid (PR_SET_KEEPCAPS, as libcap's cap_setuid). 0 or an errno.
int PrepareIabBeforeSetuid(const CapabilityIab& iab, bool becomes_non_root,
                           bool sets_secbits) noexcept;

// In the same child after setuid: sets the securebits (when `secbits` has a value), then the
// inheritable and ambient sets. 0 or an errno; *what says which step failed ("securebits",
// "inheritable set", "ambient set").
int ApplyIabAfterSetuid(const CapabilityIab& iab, std::optional<unsigned> secbits,
                        const char** what) noexcept;

// "0x2400" — how a mask travels in a supervise request (supervise_request.h).
std::string MaskText(uint64_t mask);

}  // namespace ctinit::openrc
