// systemctl show: unit properties from the unit files and, online, from ctinit (see
// systemctl.h).
#include <ostream>

#include "unit-compat/clients/systemctl_ctl.h"

namespace ctinit::units::systemctl_internal {

namespace {

std::string FormatTimeSpan(Usec u) {
  if (u == kUsecInfinity) return "infinity";
  if (u == 0) return "0";
  constexpr std::pair<const char*, Usec> kUnits[] = {{"y", 31557600 * kUsecPerSec},
                                                     {"month", 2629800 * kUsecPerSec},
                                                     {"w", 7 * 86400 * kUsecPerSec},
                                                     {"d", 86400 * kUsecPerSec},
                                                     {"h", 3600 * kUsecPerSec},
                                                     {"min", 60 * kUsecPerSec},
                                                     {"s", kUsecPerSec},
                                                     {"ms", kUsecPerMsec},
                                                     {"us", 1}};
  std::string out;
  for (const auto& [name, mul] : kUnits) {
    if (u < mul) continue;
    if (!out.empty()) out += ' ';
    out += std::to_string(u / mul) + name;
    u %= mul;
  }
  return out;
}

}  // namespace

std::string Ctl::Property(const LoadedUnit& u, const std::string& p) {
  auto last = [&](const char* s, const char* k, std::string dflt) {
    const Assignment* a = u.file.Last(s, k);
    return a && !a->value.empty() ? a->value : dflt;
  };
  auto joined = [&](const char* s, const char* k) {
    std::string out;
    for (const Assignment* a : u.file.List(s, k)) out += (out.empty() ? "" : " ") + a->value;
    return out;
  };
  auto span = [&](std::initializer_list<const char*> keys, Usec dflt) {
    Usec v = dflt;
    for (const auto& a : u.file.assignments())
      for (const char* k : keys)
        if (a.section == "Service" && a.key == k && !a.value.empty())
          if (auto t = ParseTimeSpan(a.value)) v = *t == 0 ? kUsecInfinity : *t;
    return FormatTimeSpan(v);
  };
  bool oneshot = last("Service", "Type", "") == "oneshot";
  if (p == "Id") return u.id;
  if (p == "Names") {
    std::string out;
    for (const auto& n : u.names) out += (out.empty() ? "" : " ") + n;
    return out;
  }
  if (p == "Description") return last("Unit", "Description", u.id);
  if (p == "LoadState")
    return u.state == LoadState::kLoaded   ? "loaded"
           : u.state == LoadState::kMasked ? "masked"
           : u.state == LoadState::kError  ? "bad-setting"
                                           : "not-found";
  if (p == "UnitFileState") return State(u.requested) == "alias" ? State(u.id) : State(u.requested);
  if (p == "FragmentPath") return u.fragment_path;
  if (p == "DropInPaths") {
    std::string out;
    for (const auto& d : u.dropin_paths) out += (out.empty() ? "" : " ") + d;
    return out;
  }
  if (p == "ActiveState") return "inactive";
  if (p == "SubState") return "dead";
  if (p == "Type") return last("Service", "Type", "simple");
  if (p == "Restart") return last("Service", "Restart", "no");
  if (p == "User" || p == "Group" || p == "PIDFile" || p == "KillMode" || p == "ExecStart") {
    std::string dflt = p == "KillMode" ? "control-group" : "";
    if (p == "ExecStart") return joined("Service", "ExecStart");
    return last("Service", p.c_str(), dflt);
  }
  if (p == "KillSignal") {
    auto s = ParseSignal(last("Service", "KillSignal", "TERM"));
    return std::to_string(s ? *s : 15);
  }
  if (p == "TimeoutStartUSec")
    return span({"TimeoutSec", "TimeoutStartSec"}, oneshot ? kUsecInfinity : 90 * kUsecPerSec);
  if (p == "TimeoutStopUSec") return span({"TimeoutSec", "TimeoutStopSec"}, 90 * kUsecPerSec);
  if (p == "RestartUSec") {
    auto t = ParseTimeSpan(last("Service", "RestartSec", "100ms"));
    return FormatTimeSpan(t ? *t : 100 * kUsecPerMsec);
  }
  if (p == "WantedBy" || p == "RequiredBy") return joined("Install", p.c_str());
  for (const char* k : {"After", "Before", "Wants", "Requires"})
    if (p == k) return joined("Unit", k);
  return "";
}

int Ctl::Show(const std::vector<std::string>& names) {
  static const char* kAll[] = {
      "Id",      "Names",       "Description",      "LoadState",       "ActiveState", "SubState",
      "MainPID", "StatusText",  "UnitFileState",    "FragmentPath",    "DropInPaths", "Type",
      "Restart", "RestartUSec", "TimeoutStartUSec", "TimeoutStopUSec", "ExecStart",   "User",
      "Group",   "PIDFile",     "KillMode",         "KillSignal",      "Wants",       "Requires",
      "After",   "Before",      "WantedBy",         "RequiredBy"};
  std::vector<std::string> props = properties_;
  if (props.empty()) props.assign(std::begin(kAll), std::end(kAll));
  UnitLoader loader = Loader();
  bool first = true;
  for (const auto& n : names) {
    LoadedUnit u = loader.Load(n);
    if (!first) out_ << "\n";
    first = false;
    Remote r;
    if (Online()) r = StatusOf(WithType(n));
    for (const auto& p : props) {
      std::string v = Property(u, p);
      if (Online() && r.code >= 0 && r.code != 4) {  // what ctinit knows of it now
        auto [active, sub] = ActiveSub(r);
        if (p == "ActiveState") v = active;
        if (p == "SubState") v = sub;
        if (p == "MainPID") v = active == "active" ? r.Get("pid") : "0";
        if (p == "StatusText") v = r.Get("text");
      }
      if (value_only_)
        out_ << v << "\n";
      else
        out_ << p << "=" << v << "\n";
    }
  }
  return 0;
}

}  // namespace ctinit::units::systemctl_internal
