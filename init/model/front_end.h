// FrontEnd: what every source of services implements — the inittab (inittab/), OpenRC
// (openrc-shim/) and systemd units (unit-compat/). A front end only *translates*: it reads its
// own files and adds ServiceSpecs to a ServiceSet; PID 1 (init/runtime) and the engine
// (init/engine) see nothing but this interface and the model (service.h).
//
// Life of a front end inside PID 1 (init/program/front_ends.h composes the three):
//   ConfigKeys()   the top-level keys of /etc/ctinit/ctinit.yaml that belong to it ("openrc");
//                  the config reader hands their values over untouched, as Settings.
//   Configure()    at boot and on every reload, with those values (absent keys: defaults).
//                  Each bad value is one message "file:line:col: ..." and is ignored.
//   Detect()       whether the image carries this front end's configuration.
//   BeforeLoad()   programs PID 1 runs to their end before each Load() (systemd's generators):
//                  work that forks and waits, which a front end must not do itself.
//   Load()         adds its services (at boot and on every reload; never throws).
//   OnLevel()      told where the machine is, for front ends that keep state of their own
//                  (OpenRC's /run/openrc/softlevel).
//   LevelEnvironment()  extra environment for every child started in a level (RC_REBOOT=YES).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "init/model/service.h"

namespace ctinit {

// One value of the configuration file as written: a scalar, a list or a mapping (in file
// order), with where it was ("/etc/ctinit/ctinit.yaml:12:3") for messages.
struct Setting {
  std::string where;
  std::optional<std::string> scalar;
  bool is_list = false;
  std::vector<Setting> list;
  bool is_map = false;
  std::vector<std::pair<std::string, Setting>> map;
  friend bool operator==(const Setting&, const Setting&) = default;
};
using Settings = std::map<std::string, Setting>;  // top-level key -> value

// Small readers for front ends: each returns nullopt and appends "WHERE: 'NAME' must be ..."
// to *errors when the value has the wrong shape.
std::optional<std::string> SettingScalar(const Setting& s, const std::string& name,
                                         std::vector<std::string>* errors);
std::optional<bool> SettingBool(const Setting& s, const std::string& name,
                                std::vector<std::string>* errors);
std::optional<std::vector<std::string>> SettingList(const Setting& s, const std::string& name,
                                                    std::vector<std::string>* errors);
// A scalar that must be one of `choices`.
std::optional<std::string> SettingChoice(const Setting& s, const std::string& name,
                                         const std::vector<std::string>& choices,
                                         std::vector<std::string>* errors);
// A mapping whose keys must be among `known`: "unknown key 'units.x' (known: a, b)" for others.
// Returns the entries with known keys (empty when `s` is not a mapping).
std::vector<std::pair<std::string, const Setting*>> SettingEntries(
    const Setting& s, const std::string& name, const std::vector<std::string>& known,
    std::vector<std::string>* errors);
void SettingError(const Setting& s, const std::string& message, std::vector<std::string>* errors);

class FrontEnd {
 public:
  // kForced: configured to run whatever the image has; kPresent: the image has its files.
  enum class Presence { kAbsent, kPresent, kForced };
  // kExclusive: one boot machinery (the inittab or OpenRC native mode), at most one runs;
  // kAdditive: joins whichever runs (units).
  enum class Role { kExclusive, kAdditive };
  struct LoadContext {
    // An exclusive front end that runs /etc/init.d scripts was loaded before this one.
    bool init_scripts_run = false;
    std::vector<std::string> environment;  // ctinit's own, K=V
  };

  // A program PID 1 runs through its spawner before each Load() (at boot and on every reload),
  // after the ones before it ended; its end comes through PID 1's one reaper, so PID 1 never
  // blocks on it. Its output goes to PID 1's log. One that outlasts `bound` has its process
  // group killed (one log line); a failure is one log line too, and the load goes on.
  struct BeforeLoadCommand {
    std::string name;               // for logs and its output's tag: "run-generators"
    std::vector<std::string> argv;  // argv[0]: an absolute path
    std::chrono::milliseconds bound{15000};
    friend bool operator==(const BeforeLoadCommand&, const BeforeLoadCommand&) = default;
  };

  virtual ~FrontEnd() = default;
  virtual std::string_view Name() const = 0;  // "inittab", "OpenRC", "systemd units"
  virtual Role role() const = 0;
  virtual std::vector<std::string> ConfigKeys() const { return {}; }
  virtual void Configure(const Settings& /*settings*/, std::vector<std::string>* /*errors*/) {}
  virtual Presence Detect() const = 0;
  // Asked at boot and on every reload, after Configure(); nothing to run by default.
  virtual std::vector<BeforeLoadCommand> BeforeLoad() const { return {}; }
  virtual void Load(const LoadContext& context, ServiceSet* set) = 0;
  virtual void OnLevel(char /*level*/, bool /*settled*/) {}
  virtual std::vector<std::string> LevelEnvironment(char /*level*/) const { return {}; }
};

}  // namespace ctinit
