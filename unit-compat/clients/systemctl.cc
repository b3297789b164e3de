// systemctl's command line: options, then the verb (see systemctl.h). The verbs themselves are
// in systemctl_offline.cc, systemctl_online.cc and systemctl_show.cc.
#include "unit-compat/clients/systemctl.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "init/base/text.h"
#include "unit-compat/clients/systemctl_ctl.h"

namespace ctinit::units {

namespace systemctl_internal {

namespace {

constexpr const char* kNotBooted =
    "System has not been booted with ctinit as init system (PID 1). Can't operate.\n";

}  // namespace

void Ctl::AddProperties(const std::string& comma_list) {
  for (auto& p : text::Split(comma_list, ','))
    if (!p.empty()) properties_.push_back(std::move(p));
}

bool Ctl::ParseOptions(const std::vector<std::string>& args, std::vector<std::string>* words) {
  auto set_root = [this](const std::string& r) {
    root_ = r;
    while (!root_.empty() && root_.back() == '/') root_.pop_back();
  };
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_next = i + 1 < args.size();
    if (options_done || a.empty() || a[0] != '-') {
      words->push_back(a);
    } else if (a == "--") {
      options_done = true;
    } else if (a.starts_with("--root=")) {
      set_root(a.substr(7));
    } else if (a == "--root" && has_next) {
      set_root(args[++i]);
    } else if (a == "-q" || a == "--quiet") {
      quiet_ = true;
    } else if (a == "-f" || a == "--force") {
      force_ = true;
    } else if (a == "--now") {
      now_ = true;
    } else if (a == "--value") {
      value_only_ = true;
    } else if ((a == "-p" || a == "--property") && has_next) {
      AddProperties(args[++i]);
    } else if (a.starts_with("--property=") || (a.starts_with("-p") && a.size() > 2)) {
      AddProperties(a.substr(a[1] == 'p' ? 2 : 11));
    } else if (a.starts_with("--preset-mode=")) {
      preset_mode_ = a.substr(14);
      if (preset_mode_ != "full" && preset_mode_ != "enable-only" &&
          preset_mode_ != "disable-only") {
        err_ << "systemctl: unknown preset mode '" << preset_mode_ << "'\n";
        return false;
      }
    } else if (a == "-a" || a == "--all") {
      all_ = true;
    } else if (a == "--no-pager" || a == "--no-reload" || a == "--system" || a == "--no-legend" ||
               a == "--full" || a == "-l" || a == "--no-ask-password" || a == "--no-block") {
      // nothing to do
    } else {
      err_ << "systemctl: unrecognized option '" << a << "'\n";
      return false;
    }
  }
  return true;
}

int Ctl::Run(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  if (!ParseOptions(args, &words)) return 1;
  if (words.empty()) words.push_back(Online() ? "list-units" : "");
  if (words[0].empty()) {
    err_ << "systemctl: offline, a verb is needed (enable, disable, mask, unmask, is-enabled, "
            "list-unit-files, cat, show, get-default, set-default, preset, preset-all, "
            "add-wants, add-requires, verify)\n";
    return 1;
  }
  std::string verb = words[0];
  std::vector<std::string> units = Mangled(verb, {words.begin() + 1, words.end()});
  if (Online())
    if (auto rc = RunOnline(verb, units)) return *rc;
  return RunOffline(verb, units);
}

// Bare names mean NAME.service (NAME.target where a target is expected), as systemctl's
// unit_name_mangle(); patterns and the arguments of `exit` are not unit names.
std::vector<std::string> Ctl::Mangled(const std::string& verb,
                                      const std::vector<std::string>& names) const {
  if (verb == "list-unit-files" || verb == "list-units" || verb == "exit") return names;
  std::vector<std::string> out;
  for (size_t i = 0; i < names.size(); ++i) {
    bool target =
        verb == "set-default" || (i == 0 && (verb == "add-wants" || verb == "add-requires"));
    out.push_back(WithType(names[i], target ? ".target" : ".service"));
  }
  return out;
}

int Ctl::CallAndReport(const std::vector<std::string>& words, const char* failed_to,
                       std::chrono::milliseconds timeout) {
  control::Reply rep = Call(words, timeout);
  if (rep.code != 0) err_ << "Failed to " << failed_to << ": " << rep.text << "\n";
  return rep.code == 0 ? 0 : 1;
}

// The verbs that need ctinit; nullopt: not one of them (the offline table decides).
std::optional<int> Ctl::RunOnline(const std::string& verb, const std::vector<std::string>& units) {
  auto too_few = [this] {
    err_ << "Too few arguments.\n";
    return 1;
  };
  for (const char* job : {"start", "stop", "restart", "try-restart", "reload", "reload-or-restart"})
    if (verb == job) return units.empty() ? too_few() : Job(verb, units);
  if (verb == "is-active" || verb == "is-failed")
    return units.empty() ? too_few() : IsActive(units, verb == "is-failed");
  if (verb == "status") {
    if (!units.empty()) return Status(units);
    too_few();  // printed, and yet the overall status follows (as before)
    return Status({"multi-user.target"});
  }
  if (verb == "list-units") return ListUnits(units);
  if (verb == "halt" || verb == "poweroff" || verb == "reboot") return Level(verb);
  if (verb == "exit")
    return CallAndReport({"exit", units.empty() ? "0" : units[0]}, "exit",
                         std::chrono::seconds(10));
  if (verb == "daemon-reload" || verb == "daemon-reexec")
    return CallAndReport({"daemon-reload"}, "reload daemon", std::chrono::seconds(90));
  return std::nullopt;
}

int Ctl::RunOffline(const std::string& verb, const std::vector<std::string>& units) {
  struct Verb {
    const char* name;
    bool needs_units;
    bool takes_now;  // --now starts or stops the units afterwards
    int (Ctl::*run)(const std::vector<std::string>&);
  };
  static constexpr Verb kVerbs[] = {
      {"enable", true, true, &Ctl::EnableAll},
      {"reenable", true, true, &Ctl::ReenableAll},
      {"disable", true, true, &Ctl::DisableAll},
      {"mask", true, true, &Ctl::MaskAll},
      {"unmask", true, false, &Ctl::UnmaskAll},
      {"is-enabled", true, false, &Ctl::IsEnabled},
      {"list-unit-files", false, false, &Ctl::ListUnitFiles},
      {"cat", true, false, &Ctl::Cat},
      {"show", true, false, &Ctl::Show},
      {"get-default", false, false, &Ctl::GetDefault},
      {"set-default", true, false, &Ctl::SetDefault},
      {"preset", true, false, &Ctl::Preset},
      {"preset-all", false, false, &Ctl::PresetAll},
      {"add-wants", true, false, &Ctl::AddWants},
      {"add-requires", true, false, &Ctl::AddRequires},
      {"verify", false, false, &Ctl::Verify},
  };
  if (verb == "daemon-reload") return 0;
  for (const Verb& v : kVerbs) {
    if (verb != v.name) continue;
    if (v.needs_units && units.empty()) {
      err_ << "Too few arguments.\n";
      return 1;
    }
    int rc = (this->*v.run)(units);
    if (v.takes_now && now_ && rc == 0) rc = StartOrStopNow(verb, units);
    return rc;
  }
  err_ << kNotBooted;
  if (verb != "halt" && verb != "poweroff" && verb != "reboot")
    err_ << "\"" << verb << "\" needs a running init; offline only enable, disable, reenable, "
         << "mask, unmask, is-enabled, list-unit-files, cat, show, get-default, set-default, "
         << "preset, preset-all, add-wants, add-requires and verify work.\n";
  return 1;
}

// Runs `verb` on each unit (all of them, even after a failure); the exit codes or'ed.
template <typename Verb>
int EachUnit(const std::vector<std::string>& units, Verb verb) {
  int rc = 0;
  for (const auto& u : units) rc |= verb(u);
  return rc;
}

int Ctl::EnableAll(const std::vector<std::string>& units) {
  std::set<std::string> seen;  // Also= may name a unit twice
  return EachUnit(units, [&](const std::string& u) { return Enable(u, &seen); });
}

int Ctl::ReenableAll(const std::vector<std::string>& units) {
  int rc = DisableAll(units);
  return rc | EnableAll(units);
}

int Ctl::DisableAll(const std::vector<std::string>& units) {
  std::set<std::string> seen;
  return EachUnit(units, [&](const std::string& u) { return Disable(u, &seen); });
}

int Ctl::MaskAll(const std::vector<std::string>& units) {
  return EachUnit(units, [&](const std::string& u) { return Mask(u); });
}

int Ctl::UnmaskAll(const std::vector<std::string>& units) {
  return EachUnit(units, [&](const std::string& u) { return Unmask(u); });
}

// enable/disable/mask --now.
int Ctl::StartOrStopNow(const std::string& verb, const std::vector<std::string>& units) {
  if (!Online()) {
    err_ << "systemctl: --now: no init is running, nothing was started or stopped.\n";
    return 0;
  }
  // ctinit learns of the new links first, then the units are started or stopped.
  Call({"daemon-reload"}, std::chrono::seconds(90));
  return Job(verb == "disable" || verb == "mask" ? "stop" : "start", units);
}

}  // namespace systemctl_internal

int Systemctl(const std::vector<std::string>& args, const std::string& root, std::ostream& out,
              std::ostream& err, ControlCall call) noexcept {
  try {
    systemctl_internal::Ctl ctl(root, out, err, std::move(call));
    return ctl.Run(args);
  } catch (const std::exception& e) {
    try {
      err << "systemctl: " << e.what() << "\n";
    } catch (...) {
    }
  } catch (...) {
  }
  return 1;
}

int SystemctlMain(int argc, char** argv, const std::string& root) {
  std::vector<std::string> args;
  bool other_root = false;
  for (int i = 1; i < argc; ++i) {
    args.emplace_back(argv[i]);
    other_root |= args.back().starts_with("--root");
  }
  ControlCall call;
  if (!other_root && (root.empty() || root == "/") && ::access(control::kSocketPath, F_OK) == 0 &&
      control::Call({"list"}, std::chrono::seconds(2)).code == 0) {
    call = [](const std::vector<std::string>& words, std::chrono::milliseconds timeout) {
      return control::Call(words, timeout);
    };
  }
  return Systemctl(args, root, std::cout, std::cerr, std::move(call));
}

}  // namespace ctinit::units
