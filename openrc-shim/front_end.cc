#include "openrc-shim/front_end.h"

#include <cctype>
#include <filesystem>

#include "init/base/log.h"
#include "openrc-shim/native.h"
#include "openrc-shim/rc_sys.h"
#include "openrc-shim/run_mount.h"
#include "openrc-shim/runner.h"

namespace ctinit::openrc {

void OpenrcFrontEnd::Configure(const Settings& settings, std::vector<std::string>* errors) {
  mode_ = "auto";
  level_overrides_.clear();
  strict_need_ = false;
  auto it = settings.find("openrc");
  if (it == settings.end()) return;
  for (const auto& [key, value] :
       SettingEntries(it->second, "openrc", {"mode", "levels", "strict_need"}, errors)) {
    if (key == "mode") {
      if (auto m = SettingChoice(*value, "openrc.mode", {"auto", "native", "inittab"}, errors))
        mode_ = *m;
    } else if (key == "strict_need") {
      if (auto b = SettingBool(*value, "openrc.strict_need", errors)) strict_need_ = *b;
    } else if (key == "levels") {
      ConfigureLevels(*value, errors);
    }
  }
}

void OpenrcFrontEnd::ConfigureLevels(const Setting& value, std::vector<std::string>* errors) {
  if (!value.is_map) {
    SettingError(value, "'openrc.levels' must map runlevels (0-9, S) to OpenRC runlevel names",
                 errors);
    return;
  }
  for (const auto& [level, entry] : value.map) {
    auto name = SettingScalar(entry, "openrc.levels." + level, errors);
    if (level.size() != 1 ||
        std::string_view("0123456789Ss").find(level[0]) == std::string_view::npos) {
      SettingError(entry, "'openrc.levels' keys must be 0-9 or S; got '" + level + "'", errors);
    } else if (name && (name->empty() || name->find('/') != std::string::npos)) {
      SettingError(entry,
                   "'openrc.levels." + level + "' must be a runlevel name; got '" + *name + "'",
                   errors);
    } else if (name) {
      level_overrides_[static_cast<char>(std::toupper(static_cast<unsigned char>(level[0])))] =
          *name;
    }
  }
}

FrontEnd::Presence OpenrcFrontEnd::Detect() const {
  if (mode_ == "native") return Presence::kForced;
  if (mode_ != "auto") return Presence::kAbsent;
  std::error_code ec;
  std::string runlevels = root_ == "/" ? "/etc/runlevels" : root_ + "/etc/runlevels";
  return std::filesystem::is_directory(runlevels, ec) ? Presence::kPresent : Presence::kAbsent;
}

void OpenrcFrontEnd::Load(const LoadContext& context, ServiceSet* set) {
  active_ = true;
  NativeOptions no;
  no.root = root_;
  no.rc_sys = DetectRcSys(ProbeSystem(root_));
  no.levels = level_overrides_;
  no.self_exe = self_exe_;
  no.strict_need = strict_need_;
  no.environ = context.environment;
  levels_ = LevelMap(level_overrides_);
  mount_run_ = root_ == "/" && SysinitRunsLsbScripts(root_);
  // Blocking, and it waits for its own children only: it runs before the event loop, or inside
  // one handler on a reload (the reaper only runs between handlers).
  SpawnScriptRunner runner;
  ServiceSet own = LoadNative(no, runner);
  log::Info("OpenRC native mode: {} services (rc_sys {}, {})", own.services.size(),
            no.rc_sys.empty() ? "none" : no.rc_sys,
            FindOpenrcRun(root_, self_exe_).empty() ? "ctinit's openrc-run shim"
                                                    : "the image's openrc-run");
  for (auto& s : own.services) set->services.push_back(std::move(s));
  for (auto& s : own.sockets) set->sockets.push_back(std::move(s));
  for (auto& d : own.diagnostics) set->diagnostics.push_back(std::move(d));
  for (auto& i : own.inactive) set->inactive.push_back(std::move(i));
  if (own.default_level && !set->default_level) set->default_level = own.default_level;
}

std::string OpenrcFrontEnd::Runlevel(char level) const {
  if (level == '#') return "sysinit";
  if (level == '*') return "boot";
  auto it = levels_.find(level);
  return it == levels_.end() ? "" : it->second;
}

void OpenrcFrontEnd::OnLevel(char level, bool settled) {
  if (!active_) return;
  if (level == '#') {
    if (!settled && mount_run_) MountRunForSysinit();  // before /run/openrc is written
    if (!settled) PrepareState(root_);
    SetSoftlevel(root_, "sysinit", !settled);
  } else if (level == '*') {
    SetSoftlevel(root_, "boot", !settled);
  } else if (auto it = levels_.find(level); it != levels_.end()) {
    SetSoftlevel(root_, it->second, !settled);
  }
}

std::vector<std::string> OpenrcFrontEnd::LevelEnvironment(char level) const {
  if (!active_) return {};
  try {
    std::string name = Runlevel(level);
    if (!name.empty()) return RunlevelEnv(name);
  } catch (...) {
  }
  return {};
}

}  // namespace ctinit::openrc
