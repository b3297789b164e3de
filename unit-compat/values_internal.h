// Small text helpers shared by the values*.cc parsers (not part of the values.h API).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ctinit::units::internal {

inline constexpr std::string_view kBlanks = " \t\n\r";

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline void SetErr(std::string* err, std::string msg) {
  if (err) *err = std::move(msg);
}

// Unsigned decimal, no sign, no blanks, fits in uint64_t.
inline std::optional<uint64_t> ParseU64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    unsigned d = c - '0';
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Optionally signed decimal of magnitude at most 10^9.
inline std::optional<long long> ParseInt(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  auto u = ParseU64(s);
  if (!u || *u > 1000000000ULL) return std::nullopt;
  return neg ? -static_cast<long long>(*u) : static_cast<long long>(*u);
}

}  // namespace ctinit::units::internal
