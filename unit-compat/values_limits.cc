// Sizes and resource limits (Limit*=): parse_size() and rlimit_parse(), see values.h.
#include "init/base/text.h"
#include "unit-compat/values.h"
#include "unit-compat/values_internal.h"

namespace ctinit::units {

namespace {

using namespace internal;  // NOLINT: the shared helpers of the value parsers

}  // namespace

std::optional<uint64_t> ParseSize(std::string_view text) {
  constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"E", 1ULL << 60}, {"P", 1ULL << 50}, {"T", 1ULL << 40}, {"G", 1ULL << 30},
      {"M", 1ULL << 20}, {"K", 1ULL << 10}, {"B", 1},          {"", 1}};
  std::string_view p = text::Trim(text);
  if (p.empty()) return std::nullopt;
  uint64_t total = 0;
  while (!p.empty()) {
    if (p[0] == '-') return std::nullopt;
    size_t n = 0;
    while (n < p.size() && IsDigit(p[n])) ++n;
    if (n == 0) return std::nullopt;
    auto whole = ParseU64(p.substr(0, n));
    if (!whole) return std::nullopt;
    p.remove_prefix(n);
    std::string_view frac;
    if (!p.empty() && p[0] == '.') {
      size_t f = 1;
      while (f < p.size() && IsDigit(p[f])) ++f;
      frac = p.substr(1, f - 1);
      if (frac.empty()) return std::nullopt;
      p.remove_prefix(f);
    }
    while (!p.empty() && kBlanks.find(p[0]) != std::string_view::npos) p.remove_prefix(1);
    uint64_t mul = 1;
    for (const auto& [suffix, m] : kUnits)
      if (p.starts_with(suffix)) {
        mul = m;
        p.remove_prefix(suffix.size());
        break;
      }
    if (*whole > UINT64_MAX / mul) return std::nullopt;
    uint64_t k = *whole * mul;
    // parse_size() computes the fraction in floating point: "1.5K" is 1536.
    double f = 0, scale = 1;
    for (char c : frac) {
      f = f * 10 + (c - '0');
      scale *= 10;
    }
    k += static_cast<uint64_t>(f / scale * static_cast<double>(mul));
    if (k > UINT64_MAX - total) return std::nullopt;
    total += k;
    while (!p.empty() && kBlanks.find(p[0]) != std::string_view::npos) p.remove_prefix(1);
  }
  return total;
}

namespace {

std::optional<uint64_t> RlimitOne(std::string_view resource, std::string_view v) {
  if (v == "infinity") return kRlimInfinity;
  static constexpr std::string_view kSizes[] = {"FSIZE", "DATA", "STACK",   "CORE",
                                                "RSS",   "AS",   "MEMLOCK", "MSGQUEUE"};
  std::optional<uint64_t> r;
  bool is_size = false;
  for (auto s : kSizes) is_size = is_size || resource == s;
  if (is_size) {
    r = ParseSize(v);
  } else if (resource == "CPU") {
    auto t = ParseTimeSpan(v, kUsecPerSec);
    if (t) r = *t == kUsecInfinity ? kRlimInfinity : (*t + kUsecPerSec - 1) / kUsecPerSec;
  } else if (resource == "RTTIME") {
    r = ParseTimeSpan(v, 1);
  } else if (resource == "NICE") {
    if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
      auto n = ParseInt(v);
      if (n && *n >= -20 && *n <= 19) r = static_cast<uint64_t>(20 - *n);
    } else {
      r = ParseU64(v);
      if (r && *r > 40) r.reset();
    }
  } else {
    r = ParseU64(v);
  }
  if (r && *r == kRlimInfinity && v != "infinity" && resource != "CPU" && resource != "RTTIME")
    return std::nullopt;
  return r;
}

}  // namespace

std::optional<Rlimit> ParseRlimit(std::string_view resource, std::string_view text,
                                  std::string* err) {
  static constexpr std::string_view kKnown[] = {
      "CPU",   "FSIZE",   "DATA",  "STACK",      "CORE",     "RSS",  "NOFILE", "AS",
      "NPROC", "MEMLOCK", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME"};
  bool known = false;
  for (auto k : kKnown) known = known || resource == k;
  if (!known) {
    SetErr(err, "unknown resource limit Limit" + std::string(resource));
    return std::nullopt;
  }
  size_t colon = text.find(':');
  std::string_view soft = text.substr(0, colon);
  auto s = RlimitOne(resource, soft);
  std::optional<uint64_t> h = s;
  if (s && colon != std::string_view::npos) {
    std::string_view hard = text.substr(colon + 1);
    h = hard.find(':') == std::string_view::npos ? RlimitOne(resource, hard) : std::nullopt;
  }
  if (!s || !h) {
    SetErr(err, "invalid resource limit \"" + std::string(text) + "\"");
    return std::nullopt;
  }
  if (*s > *h) {
    SetErr(err, "soft limit above hard limit in \"" + std::string(text) + "\"");
    return std::nullopt;
  }
  return Rlimit{*s, *h};
}

}  // namespace ctinit::units
