// Spawner: what a service's process gets when PID 1 starts it — its environment, its output
// pipe, its notify socket, its activation sockets, its utmp record — put together in one place;
// the fork and exec themselves are System::Spawn's (system.h, sys.h).
//
// Environment of a child, later lines win:
//   1. ctinit's own environment at boot (PATH defaulted to /sbin:/usr/sbin:/bin:/usr/bin), minus
//      what 3 and 4 set                                  — only when the service inherits it
//   2. INIT_* variables set by `telinit -e` / shutdown's SETENV request (at most 16, sysvinit's
//      NR_EXTRA_ENV)                                     — only when the service inherits it
//   3. SHELL=/bin/sh RUNLEVEL PREVLEVEL (S and N during sysinit/boot, as sysvinit) CONSOLE
//      INIT_VERSION=ctinit-VERSION                       — only when the service inherits it
//   4. what the front ends give for the current level (e.g. OpenRC's RC_* variables)
//   5. the service's own: UnsetEnvironment= removes, Environment= sets (ProcessContext)
//   6. what the engine adds for this start (extra_env: MAINPID, …)
//   7. NOTIFY_SOCKET (a notifying service, when the socket is open), WATCHDOG_USEC/WATCHDOG_PID
//      and LISTEN_FDS/LISTEN_FDNAMES for the service's main command; for the launcher of a
//      Type=forking service whose daemon is guessed (no pid file), INVOCATION_ID=<32 random hex
//      digits>, new for each start (systemd sets it too): the guess looks for it in the daemon's
//      environment (sys.h PickDaemon), so LaunchToken() keeps it until the launcher is reaped.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "init/model/service.h"
#include "init/runtime/sys.h"
#include "init/runtime/system.h"

namespace ctinit {

class NotifySocket;
class OutputTap;
class SocketActivation;
class UtmpWriter;

// Where services send their notifications ($NOTIFY_SOCKET).
constexpr const char* kNotifySocketPath = "/run/ctinit-notify";

class Spawner {
 public:
  // The parts of PID 1 a spawn hands to the child; each may be missing (not made yet).
  struct Parts {
    OutputTap* output = nullptr;
    NotifySocket* notify = nullptr;
    SocketActivation* sockets = nullptr;
    UtmpWriter* utmp = nullptr;
  };
  // The front ends' variables for a level (line 4 above).
  using LevelEnvironment = std::function<std::vector<std::string>(char level)>;

  explicit Spawner(System& system) : system_(system) {}

  // Line 1 above, read once at boot.
  void SetBaseEnvironment(std::vector<std::string> env) { base_env_ = std::move(env); }
  void SetLevelEnvironment(LevelEnvironment fn) { level_env_ = std::move(fn); }
  // Line 2: sets (or with nullopt removes) one INIT_* variable; false (and a warning) when the
  // 16 are taken.
  bool SetInitEnv(const std::string& name, const std::optional<std::string>& value);
  void ClearInitEnv() { init_env_.clear(); }

  // Lines 1-4 for a child started in `level`, coming from `prev`.
  std::vector<std::string> Environment(char level, char prev) const;

  // What this container lets a service have (sys::ReadOwnCapabilities(), read at the first
  // spawn that asks for capabilities unless set here): a service that asks for more is started
  // without it, and that is said once per service.
  void SetOwnCapabilities(sys::OwnCapabilities own) { own_caps_ = own; }

  // What of `spec`'s capability settings a container with `own` cannot give, one warning each
  // (empty when it can give all).
  static std::vector<std::string> MissingCapabilities(const ServiceSpec& spec,
                                                      const sys::OwnCapabilities& own);

  // Starts `cmd` of `spec`; the pid, or -1 (logged, naming the service's origin).
  pid_t Spawn(const ServiceSpec& spec, const Command& cmd, char level, char prev_level,
              const std::vector<std::string>& extra_env, const Parts& parts);

  // The "INVOCATION_ID=..." entry the launcher `pid` was started with ("" if none); Forget()
  // drops it once the launcher has been reaped.
  std::string LaunchToken(pid_t pid) const;
  void ForgetLaunch(pid_t pid) { launch_tokens_.erase(pid); }

 private:
  System& system_;
  std::vector<std::string> base_env_;
  std::vector<std::string> init_env_;
  LevelEnvironment level_env_;
  std::optional<sys::OwnCapabilities> own_caps_;
  std::set<std::string> told_caps_;             // services whose missing capabilities were logged
  std::map<pid_t, std::string> launch_tokens_;  // running launchers whose daemon is guessed

  // Says once per service what of its capability settings this container cannot give.
  void TellMissingCapabilities(const ServiceSpec& spec);
};

}  // namespace ctinit
