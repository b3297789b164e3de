// Linux capability names (capabilities(7)) and numbers, for the unit front end's
// CapabilityBoundingSet= / AmbientCapabilities= and the runtime's messages. A set of
// capabilities is a 64-bit mask: bit N is capability N (the kernel's numbering).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ctinit::caps {

// "CAP_NET_BIND_SERVICE", "cap_net_bind_service" or a number 0-63 -> the capability's number;
// nullopt for anything else.
std::optional<int> FromName(std::string_view name);

// "CAP_CHOWN"; the number for one newer than the table.
std::string Name(int cap);

// "CAP_CHOWN CAP_KILL": the names of the bits set in `mask`, lowest first.
std::string Names(uint64_t mask);

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

}  // namespace ctinit::caps
