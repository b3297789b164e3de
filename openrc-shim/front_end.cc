#include "openrc-shim/front_end.h"

#include "init/base/log.h"
#include "openrc-shim/native.h"
#include "openrc-shim/rc_sys.h"
#include "openrc-shim/runner.h"

extern char** environ;

namespace ctinit::openrc {

std::optional<ServiceSet> FrontEnd::Load(const Config& c) noexcept {
  active_ = UseNative("/", c.openrc_mode, c.inittab);
  if (!active_) return std::nullopt;
  NativeOptions no;
  no.rc_sys = DetectRcSys(ProbeSystem("/"));
  no.levels = c.openrc_levels;
  no.self_exe = self_exe_;
  no.strict_need = c.openrc_strict_need;
  for (char** e = environ; e && *e; ++e) no.environ.emplace_back(*e);
  levels_ = LevelMap(c.openrc_levels);
  // Blocking, and it waits for its own children only: it runs before the event loop, or inside
  // one handler on a reload (the reaper only runs between handlers).
  SpawnScriptRunner runner;
  ServiceSet set = LoadNative(no, runner);
  log::Info("OpenRC native mode: {} services (rc_sys {}, {})", set.services.size(),
            no.rc_sys.empty() ? "none" : no.rc_sys,
            FindOpenrcRun("/", self_exe_).empty() ? "ctinit's openrc-run shim"
                                                  : "the image's openrc-run");
  return set;
}

std::string FrontEnd::Runlevel(char level) const {
  if (level == '#') return "sysinit";
  if (level == '*') return "boot";
  auto it = levels_.find(level);
  return it == levels_.end() ? "" : it->second;
}

void FrontEnd::OnLevel(char level, bool settled) noexcept {
  if (!active_) return;
  if (level == '#') {
    if (!settled) PrepareState("/");
    SetSoftlevel("/", "sysinit", !settled);
  } else if (level == '*') {
    SetSoftlevel("/", "boot", !settled);
  } else if (auto it = levels_.find(level); it != levels_.end()) {
    SetSoftlevel("/", it->second, !settled);
  }
}

std::vector<std::string> FrontEnd::LevelEnv(char level) const noexcept {
  if (!active_) return {};
  try {
    std::string name = Runlevel(level);
    if (!name.empty()) return RunlevelEnv(name);
  } catch (...) {
  }
  return {};
}

}  // namespace ctinit::openrc
