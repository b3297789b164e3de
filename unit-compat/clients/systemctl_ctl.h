// Shared by the systemctl*.cc files (not part of the applet's API): the Ctl class that runs one
// command line, and the small helpers its verbs share.
//   systemctl.cc          options and the verb table (Ctl::Run)
//   systemctl_offline.cc  verbs on unit files under a root: enable, disable, mask, is-enabled, ...
//   systemctl_online.cc   verbs that ask the running ctinit: start, stop, status, list-units, ...
//   systemctl_show.cc     `show`: unit properties, from the files and (online) from ctinit
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "unit-compat/clients/systemctl.h"
#include "unit-compat/load.h"
#include "unit-compat/values.h"

namespace ctinit::units::systemctl_internal {

inline constexpr const char* kConfigDir = "/etc/systemd/system";
inline constexpr const char* kRuntimeDir = "/run/systemd/system";

// systemctl's name mangling (unit_name_mangle_with_suffix()): a name that does not end in one of
// the unit types gets `suffix` ("nginx" -> "nginx.service", "foo@bar" -> "foo@bar.service",
// "foo.bar" -> "foo.bar.service"); a name that does ("foo.socket", "foo@.service") is kept, and
// so are globs ("ssh*") and paths ("/etc/..."), which are not unit names to mangle.
std::string WithType(const std::string& n, const char* suffix = ".service");

// `path` (inside `root`) with every symlink followed, absolute link targets taken inside the
// root (as chase(CHASE_PREFIX_ROOT) does); "" when a component is missing or links loop.
std::string ResolveInRoot(const std::string& root, const std::string& path);

// The first matching line of the preset files under `root` (systemd.preset(5)): true for
// "enable", false for "disable"; no match: true (systemd's default). `instances` gets the
// instance names of a matching "enable foo@.service a b" line.
bool PresetEnables(const std::string& root, const std::string& unit,
                   std::vector<std::string>* instances = nullptr);

struct Install {
  std::vector<std::string> wanted_by, required_by, alias, also;
  std::string default_instance;
  bool Empty() const {
    return wanted_by.empty() && required_by.empty() && alias.empty() && also.empty();
  }
};

// What ctinit's `status NAME` reply says, by key (first line: "state" text).
struct Remote {
  int code = 4;  // 0 active, 3 inactive, 4 unknown, -1 no connection
  std::map<std::string, std::string> kv;
  std::string Get(const std::string& k) const {
    auto it = kv.find(k);
    return it == kv.end() ? "" : it->second;
  }
};

// systemd's ActiveState / SubState for a ctinit state.
std::pair<std::string, std::string> ActiveSub(const Remote& r);

class Ctl {
 public:
  Ctl(std::string root, std::ostream& out, std::ostream& err, ControlCall call)
      : root_(std::move(root)), out_(out), err_(err), call_(std::move(call)) {
    while (!root_.empty() && root_.back() == '/') root_.pop_back();
  }
  int Run(const std::vector<std::string>& args);

 private:
  // systemctl.cc: options (false: an unknown one, reported), the verbs.
  bool ParseOptions(const std::vector<std::string>& args, std::vector<std::string>* words);
  void AddProperties(const std::string& comma_list);
  std::optional<int> RunOnline(const std::string& verb, const std::vector<std::string>& units);
  int RunOffline(const std::string& verb, const std::vector<std::string>& units);
  int EnableAll(const std::vector<std::string>& units);
  int ReenableAll(const std::vector<std::string>& units);
  int DisableAll(const std::vector<std::string>& units);
  int MaskAll(const std::vector<std::string>& units);
  int UnmaskAll(const std::vector<std::string>& units);
  int StartOrStopNow(const std::string& verb, const std::vector<std::string>& units);
  std::vector<std::string> Mangled(const std::string& verb,
                                   const std::vector<std::string>& names) const;
  int CallAndReport(const std::vector<std::string>& words, const char* failed_to,
                    std::chrono::milliseconds timeout);

  // systemctl_offline.cc
  std::string H(const std::string& p) const { return root_ + p; }
  UnitLoader Loader() const { return UnitLoader(root_.empty() ? "/" : root_); }
  Install InstallOf(const LoadedUnit& u) const;
  int CreateLink(const std::string& path, const std::string& target, const char* verb);
  int Enable(const std::string& name, std::set<std::string>* seen);
  int EnableTemplate(const std::string& name, const LoadedUnit& tmpl, const Install& in,
                     std::set<std::string>* seen);
  int Disable(const std::string& name, std::set<std::string>* seen);
  int Mask(const std::string& name);
  int Unmask(const std::string& name);
  // "" when the unit does not exist.
  std::string State(const std::string& name);
  int IsEnabled(const std::vector<std::string>& names);
  int ListUnitFiles(const std::vector<std::string>& patterns);
  int Cat(const std::vector<std::string>& names);
  // True when the symlink at `path` already leads to the same file as `target`.
  bool SameFile(const std::string& path, const std::string& target) const;

  // systemctl_targets.cc: verbs on default.target, presets and .wants/ links.
  int GetDefault(const std::vector<std::string>& args);
  int SetDefault(const std::vector<std::string>& args);
  int Preset(const std::vector<std::string>& units);
  int PresetAll(const std::vector<std::string>& args);
  int AddWants(const std::vector<std::string>& args);
  int AddRequires(const std::vector<std::string>& args);
  int AddDependency(const std::vector<std::string>& args, const char* dir_suffix);
  int PresetOne(const std::string& unit, std::set<std::string>* seen);

  // systemctl_verify.cc: `verify`, the unit front end over a root without booting.
  int Verify(const std::vector<std::string>& units);

  // systemctl_show.cc
  int Show(const std::vector<std::string>& names);
  std::string Property(const LoadedUnit& u, const std::string& name);

  // systemctl_online.cc
  bool Online() const { return static_cast<bool>(call_); }
  control::Reply Call(const std::vector<std::string>& words,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    return call_(words, timeout);
  }
  Remote StatusOf(const std::string& unit) const;
  int Job(const std::string& verb, const std::vector<std::string>& units);
  int IsActive(const std::vector<std::string>& units, bool failed);
  int Status(const std::vector<std::string>& units);
  int ListUnits(const std::vector<std::string>& patterns);
  int Level(const std::string& verb);

  std::string root_;
  std::ostream& out_;
  std::ostream& err_;
  ControlCall call_;
  bool quiet_ = false, force_ = false, value_only_ = false, all_ = false, now_ = false;
  std::string preset_mode_ = "full";  // --preset-mode=full|enable-only|disable-only
  bool presetting_ = false;  // preset skips what enable would report (systemd's aux. failures)
  std::vector<std::string> properties_;
};

}  // namespace ctinit::units::systemctl_internal
