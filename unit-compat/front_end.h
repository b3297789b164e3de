// The systemd-unit front end as PID 1 uses it (init/model/front_end.h): the image's units are
// added to the services of the exclusive front end that runs (inittab or OpenRC), so that one
// graph holds both; an image with units and neither runs the units alone.
//
// Config key `units` (a mapping): mode (auto: the image's units are loaded, the enabled ones
// start in their levels, the rest on request; off: never), skip (replaces the default skip
// list), skip_also (added to it), strict (any warning about a unit is an error: the unit is left
// out), init_scripts_win (default true), tag_output (default true), sysv_scripts (default true).
//
// BeforeLoad(): `SELF_EXE run-generators` (generators.h; bound 15 s) when units are on and the
// image has a generator directory with an entry, or output of earlier generators to clear.
//
// Load():
//   * the search path is systemd's with the generators' output (ManagerSearchPath());
//   * when no other front end runs init scripts (a units-only image) and sysv_scripts is true,
//     the /etc/init.d scripts without a unit get one as systemd-sysv-generator would make it
//     (sysv_generator.h), written to /run/systemd/generator.late, which ends the search path;
//   * LoadUnitSet() (unit_set.h) over the root with ctinit's environment, conditions checked
//     when each start begins, the configured skip list and strict mode;
//   * when the exclusive front end runs init scripts (LoadContext::init_scripts_run), a unit
//     NAME.service whose /etc/init.d/NAME exists is left to that script (init_scripts_win):
//     Debian's nginx package ships both, and rc already starts the script. It is listed
//     inactive ("left to /etc/init.d/nginx");
//   * the units come after the other front end's services (so an inittab's blocking rc entries
//     run first), their sockets and diagnostics are added, units left out are listed inactive,
//     and default.target gives the default level when the other front end named none;
//   * tag_output false: the units' log_tag is cleared (journal output untagged).
// Nothing here throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "init/model/front_end.h"
#include "init/model/service.h"

namespace ctinit::units {

// True when the image has unit files at all (a search directory with a .service in it; the
// generators' output counts).
bool HasUnits(const std::string& root = "/") noexcept;

class UnitsFrontEnd : public FrontEnd {
 public:
  // `self_exe`: ctinit's own path, for its run-generators applet ("": generators never run).
  explicit UnitsFrontEnd(std::string root = "/", std::string self_exe = "")
      : root_(std::move(root)), self_exe_(std::move(self_exe)) {}

  std::string_view Name() const override { return "systemd units"; }
  Role role() const override { return Role::kAdditive; }
  std::vector<std::string> ConfigKeys() const override { return {"units"}; }
  void Configure(const Settings& settings, std::vector<std::string>* errors) override;
  Presence Detect() const override;
  std::vector<BeforeLoadCommand> BeforeLoad() const override;
  void Load(const LoadContext& context, ServiceSet* set) override;

 private:
  std::string root_;
  std::string self_exe_;
  bool enabled_ = true;  // mode auto
  std::optional<std::vector<std::string>> skip_;
  std::vector<std::string> skip_also_;
  bool strict_ = false;
  bool init_scripts_win_ = true;
  bool tag_output_ = true;
  bool sysv_scripts_ = true;
};

}  // namespace ctinit::units
