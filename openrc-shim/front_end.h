// The OpenRC front end as PID 1 uses it (init/model/front_end.h):
//   * Configure() reads the `openrc` key: mode ("auto": native when the image has
//     /etc/runlevels and the inittab front end finds no inittab — the composition orders the
//     inittab first; "native": always, the inittab is ignored; "inittab": never), levels (the
//     numeric level -> OpenRC runlevel map, merged over the default), strict_need;
//   * Detect() / Load(): native mode reads the runlevels into services (native.h);
//   * OnLevel() mounts /run first when the image needs it (run_mount.h), and keeps /run/openrc
//   (softlevel, rc.starting / rc.stopping) in step with the
//     supervisor's levels, so that openrc-run, rc-status and the scripts' service_* tests agree
//     with what ctinit is doing;
//   * LevelEnvironment() is the level part of the environment OpenRC's rc gives scripts
//     (RC_RUNLEVEL: sysinit in '#', boot in '*', else the mapped runlevel, "shutdown" for
//     reboot; RC_GOINGDOWN=YES for shutdown, reboot and single; RC_REBOOT=YES for reboot), added
//     to every child ctinit starts in that level; the rest is in each service's env/unset_env
//     (native.h OpenrcScriptEnv).
// Nothing here throws.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "init/model/front_end.h"
#include "init/model/service.h"

namespace ctinit::openrc {

class OpenrcFrontEnd : public FrontEnd {
 public:
  explicit OpenrcFrontEnd(std::string self_exe, std::string root = "/")
      : self_exe_(std::move(self_exe)), root_(std::move(root)) {}

  std::string_view Name() const override { return "OpenRC"; }
  Role role() const override { return Role::kExclusive; }
  std::vector<std::string> ConfigKeys() const override { return {"openrc"}; }
  void Configure(const Settings& settings, std::vector<std::string>* errors) override;
  Presence Detect() const override;
  void Load(const LoadContext& context, ServiceSet* set) override;
  // `level` '#', '*' or a runlevel; `settled` once it has settled. Only once loaded.
  void OnLevel(char level, bool settled) override;
  std::vector<std::string> LevelEnvironment(char level) const override;

  const std::string& mode() const { return mode_; }

 private:
  std::string self_exe_;
  std::string root_;
  std::string mode_ = "auto";
  std::map<char, std::string> level_overrides_;  // from the config
  bool strict_need_ = false;
  bool active_ = false;     // Load() ran: native mode is what boots
  bool mount_run_ = false;  // sysinit runs LSB scripts: /run as init.sh makes it (run_mount.h)
  void ConfigureLevels(const Setting& value, std::vector<std::string>* errors);
  std::string Runlevel(char level) const;  // the OpenRC runlevel of '#', '*' or a level
  std::map<char, std::string> levels_;     // numeric level -> OpenRC runlevel
};

}  // namespace ctinit::openrc
