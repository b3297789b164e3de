// The systemd-unit front end's entry point: a root directory -> a ServiceSet (init/service.h),
// and what was left out. Pure: reads files, starts nothing, never throws.
//
// Steps:
//   1. ComputeEnablement() (enable.h): the units the boot starts, with their levels.
//   2. TranslateUnit() (translate.h) for each, with After=/Requires= names made canonical
//      (aliases -> ids) and conditions evaluated against the probe.
//   3. Set-wide ordering:
//        - Before=X on A puts A into X's `after`;
//        - a target with DefaultDependencies=yes is ordered after every unit it wants or
//          requires that also has DefaultDependencies=yes, unless that unit is ordered after the
//          target (systemd's unit_add_default_target_dependency()), so multi-user.target is
//          reached once nginx is up;
//        - `needs` keeps only names in the set: a unit left out because a condition failed
//          counts as done, as in systemd; one that failed (assert, bad unit file) makes every
//          unit that needs it fail too: those are left out, transitively, one error each.
//   4. Trigger: units in sysinit.target's closure that run to completion (kTask) and targets are
//      Trigger::kSysInit (they run before any runlevel); units with no levels (not enabled) are
//      kManual (started on request); everything else is kRunlevel with the unit's levels.
//      Enabled .socket units become ServiceSet::sockets (TranslateSocket(); the service they
//      start by its canonical name: syslog.socket starts rsyslog.service through its
//      syslog.service alias). A daemon or RemainAfterExit unit wanted by sysinit.target stays
//      kRunlevel (the supervisor stops kSysInit services when it leaves the sysinit stage,
//      systemd keeps them running); it is still ordered first through its After=/Before= lines.
//   5. Order of the list: a topological order of `after` (ties: discovery order, default target
//      first), so that reading the list top-down reads like the boot.
// default_level: the level of default.target (enable.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "init/model/service.h"
#include "unit-compat/conditions.h"
#include "unit-compat/enable.h"
#include "unit-compat/translate.h"

namespace ctinit::units {

struct UnitSetOptions {
  std::string root = "/";
  EnableOptions enable;
  EnvList manager_env;                    // ctinit's environment (PassEnvironment=, $VAR, probe)
  const ConditionProbe* probe = nullptr;  // nullptr: MakeSystemProbe(root, manager_env)
  // PID 1: conditions and asserts are checked when each start begins (ServiceSpec::condition,
  // ::assertion) instead of now; nobody is left out for them.
  bool runtime_conditions = false;
  // Strict mode: a warning about a unit's files (an unknown directive, a value ignored, ...)
  // is an error: the unit is left out, and so is what needs it.
  bool strict = false;
};

struct UnitSet {
  ServiceSet set;                               // services, default_level, diagnostics
  std::map<std::string, std::string> left_out;  // unit -> why it is not in the set
};

UnitSet LoadUnitSet(const UnitSetOptions& options) noexcept;

}  // namespace ctinit::units
