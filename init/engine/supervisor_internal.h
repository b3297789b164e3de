// Small helpers shared by the supervisor's source files (supervisor*.cc); not part of its
// interface.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "init/engine/supervisor.h"

namespace ctinit::supervisor_internal {

using std::chrono::milliseconds;

inline bool IsRealLevel(char l) { return l == 'S' || (l >= '0' && l <= '9'); }

inline bool IsEvent(Trigger t) {
  return t != Trigger::kSysInit && t != Trigger::kBoot && t != Trigger::kRunlevel &&
         t != Trigger::kManual;
}

inline bool Has(const std::string& levels, char l) { return levels.find(l) != std::string::npos; }

template <typename T>
inline bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

inline std::string Describe(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

inline bool Succeeded(const ServiceSpec& spec, int status) {
  if (!WIFEXITED(status)) return false;
  int code = WEXITSTATUS(status);
  return code == 0 || Contains(spec.success_status, code);
}

// systemd's "clean": exit 0 / SuccessExitStatus, or one of the four clean signals.
inline bool CleanEnd(const ServiceSpec& spec, int status) {
  if (Succeeded(spec, status)) return true;
  if (!WIFSIGNALED(status)) return false;
  int sig = WTERMSIG(status);
  return sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE ||
         Contains(spec.success_signals, sig);
}

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A sysvinit "boot" entry: runs in the boot stage and holds nothing up.
inline bool SysvBoot(const ServiceSpec& spec) {
  return spec.trigger == Trigger::kBoot && !spec.blocking && spec.kind != Kind::kScripted;
}

}  // namespace ctinit::supervisor_internal
