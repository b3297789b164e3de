// The OpenRC front end as PID 1 uses it (init/main.cc wires it into Pid1's Options):
//   * Load() decides whether native mode applies (Config::openrc_mode: "native" always, "auto"
//     when the image has /etc/runlevels and no inittab, "inittab" never) and, if so, reads the
//     runlevels into a ServiceSet (native.h);
//   * OnLevel() keeps /run/openrc (softlevel, rc.starting / rc.stopping) in step with the
//     supervisor's levels, so that openrc-run, rc-status and the scripts' service_* tests agree
//     with what ctinit is doing;
//   * LevelEnv() is the level part of the environment OpenRC's rc gives scripts (RC_RUNLEVEL:
//     sysinit in '#', boot in '*', else the mapped runlevel, "shutdown" for reboot;
//     RC_GOINGDOWN=YES for shutdown, reboot and single; RC_REBOOT=YES for reboot), added to every
//     child ctinit starts in that level; the rest is in each service's env/unset_env
//     (native.h OpenrcScriptEnv).
// Nothing here throws.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "init/runtime/config.h"
#include "init/model/service.h"

namespace ctinit::openrc {

class FrontEnd {
 public:
  explicit FrontEnd(std::string self_exe) : self_exe_(std::move(self_exe)) {}

  // The services of native mode, or nullopt when native mode does not apply to this image.
  std::optional<ServiceSet> Load(const Config& config) noexcept;
  bool active() const { return active_; }
  // `level` as in Options::level_hook: '#', '*' or a runlevel; `settled` once it has settled.
  void OnLevel(char level, bool settled) noexcept;
  std::vector<std::string> LevelEnv(char level) const noexcept;

 private:
  std::string self_exe_;
  bool active_ = false;
  std::string Runlevel(char level) const;  // the OpenRC runlevel of '#', '*' or a level
  std::map<char, std::string> levels_;     // numeric level -> OpenRC runlevel
};

}  // namespace ctinit::openrc
