// The environment layer of ctinit's settings: every key of the configuration file (config.h)
// can also be set by an environment variable, so that compose files and `docker run -e`
// configure ctinit without baking a YAML file into the image.
//
// Names
// -----
// One rule, no list: "CTINIT_" + the key path in upper case with '.' as '_'.
//   log_level        → CTINIT_LOG_LEVEL          shutdown.budget  → CTINIT_SHUTDOWN_BUDGET
//   signals          → CTINIT_SIGNALS            openrc.mode      → CTINIT_OPENRC_MODE
//   units.skip_also  → CTINIT_UNITS_SKIP_ALSO    inittab_d        → CTINIT_INITTAB_D
// Read back, the longest top-level key that fits wins (CTINIT_INITTAB_D is inittab_d, not
// inittab.d); what follows a mapping key (shutdown, openrc, units) is the sub-key in lower case.
//
// Values
// ------
// As in the file: "25s", "verbose", "true", "/etc/inittab". Mappings (signals, openrc.levels)
// are "KEY=VALUE" items separated by commas: CTINIT_SIGNALS="SIGINT=halt,SIGUSR2=runlevel 1",
// CTINIT_OPENRC_LEVELS="3=default,4=nonetwork". Lists (units.skip, units.skip_also) are items
// separated by commas or spaces: CTINIT_UNITS_SKIP="getty@*.service, cron.service"; an empty
// value is an empty list. A mapping given here is merged over the file's per entry (signals:
// per signal; openrc: per sub-key), a list or scalar replaces the file's.
//
// Precedence: defaults < file < environment < command line (--fifo, --inittab, -q/-v, a
// runlevel argument). The environment is validated by the file's own rules (the same Loader
// and the same front end readers), and a bad value is one message naming the variable
// ("CTINIT_SHUTDOWN_BUDGET: 'shutdown.budget' must be a duration ..."); ctinit's own keys then
// keep their value from the file, a front end's key (CTINIT_INITTAB*, CTINIT_OPENRC_*,
// CTINIT_UNITS_*) its default, as a bad value in the file does. A CTINIT_* variable that names
// no key is one warning at start and is otherwise left alone.
//
// Services do not see the variables that name a key: PID 1 takes them out of its own
// environment at start (TakeConfigEnvironment), so a service's environment is the same with or
// without them, and a `ctinit` a service runs (a nested container) is not configured by its
// parent's settings by accident.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "init/model/front_end.h"

namespace ctinit {

// One variable that names a key.
struct EnvironmentSetting {
  std::string variable;           // "CTINIT_SHUTDOWN_BUDGET"
  std::vector<std::string> path;  // {"shutdown", "budget"}: one or two keys
  std::string value;              // "25s"
  friend bool operator==(const EnvironmentSetting&, const EnvironmentSetting&) = default;
};

// The name rule: "shutdown.budget" → "CTINIT_SHUTDOWN_BUDGET".
std::string EnvironmentName(std::string_view key_path);

// The CTINIT_* entries of `environment` ("NAME=VALUE" strings, in their order) that name a key
// of ctinit's own or one of `front_end_keys`. The names of the other CTINIT_* entries go to
// *unknown (may be null).
std::vector<EnvironmentSetting> SettingsFromEnvironment(
    const std::vector<std::string>& environment, const std::vector<std::string>& front_end_keys,
    std::vector<std::string>* unknown);

// The value as a Setting the front ends read (where = the variable). It has every shape the
// text allows, so each reader takes the one it expects: the scalar (the whole text), the list
// (split at commas and spaces) and, when every comma-separated item is KEY=VALUE, the mapping.
Setting EnvironmentValue(const std::string& variable, std::string_view value);

// Takes the variables that name a key out of the process environment and keeps them for
// LoadConfig (config.h); logs one warning naming the other CTINIT_* variables. Called once by
// main() before PID 1 starts; a later call replaces what an earlier one took.
void TakeConfigEnvironment(const std::vector<std::string>& front_end_keys);
// What TakeConfigEnvironment took, "NAME=VALUE"; empty before it ran.
const std::vector<std::string>& TakenConfigEnvironment();

}  // namespace ctinit
