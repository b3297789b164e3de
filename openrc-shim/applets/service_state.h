// Service state kept exactly as OpenRC keeps it under RC_SVCDIR (/run/openrc), so that the
// shim's openrc-run, rc-status, rc-service, the scripts' service_started() and ctinit itself
// agree (OpenRC 0.63 src/librc/librc.c rc_service_state(), rc_service_mark()):
//
//   <svcdir>/{starting,started,stopping,inactive,wasinactive,failed}/<svc> -> <init.d script>
//   <svcdir>/options/<svc>/<name>      service_set_value / service_get_value
//   <svcdir>/daemons/<svc>/NNN         daemons start-stop-daemon started (exec=, pidfile=)
//   <svcdir>/exclusive/<svc>           flock()ed while a start or stop runs
//   <svcdir>/softlevel                 the current runlevel name (missing: "sysinit")
//
// A service is *stopped* when it is in none of starting/started/stopping/inactive. Marking a
// service in one of those four removes it from the other three (and started also clears
// failed); marking it stopped removes it from all of them and wasinactive and deletes its
// options/ and daemons/ entries; failed is added beside the current state.
// Nothing here throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

constexpr const char* kSvcDir = "/run/openrc";

// The state directory the calling script uses: $RC_SVCDIR when set and not empty, else kSvcDir.
std::string SvcDirFromEnv() noexcept;

// OpenRC's RC_SERVICE state bits.
enum ServiceState : int {
  kStateStopped = 0x1,
  kStateStarted = 0x2,
  kStateStopping = 0x4,
  kStateStarting = 0x8,
  kStateInactive = 0x10,
  kStateHotplugged = 0x100,
  kStateFailed = 0x200,
  kStateScheduled = 0x400,
  kStateWasInactive = 0x800,
  kStateCrashed = 0x1000,
};

// Creates <svcdir> and its subdirectories when missing (a shim-only image has no `openrc
// sysinit` to do it). False and *error when that fails.
bool EnsureSvcDir(const std::string& svcdir, std::string* error) noexcept;

// The state bits of `svc`: one of stopped/started/stopping/starting/inactive plus failed,
// wasinactive, hotplugged, scheduled and crashed (started with a recorded daemon whose pidfile
// names no live process).
int GetState(const std::string& svcdir, const std::string& svc) noexcept;

// Marks `svc` (one of kStateStopped, kStateStarted, kStateStopping, kStateStarting,
// kStateInactive, kStateFailed, kStateHotplugged, kStateWasInactive; the last three are added
// beside the current state); `script` is the link target (/etc/init.d/<svc>).
bool Mark(const std::string& svcdir, const std::string& svc, int state, const std::string& script,
          std::string* error) noexcept;

// Services with a link in <svcdir>/<dir> (dir = "started", …), sorted.
std::vector<std::string> ServicesIn(const std::string& svcdir, const std::string& dir) noexcept;

// The runlevel in <svcdir>/softlevel; "sysinit" when there is none (as rc_runlevel_get()).
std::string CurrentRunlevel(const std::string& svcdir) noexcept;

// Takes the exclusive lock of `svc` without waiting: the fd (close it to release, CLOEXEC), or
// -1 with errno (EWOULDBLOCK: someone else holds it).
int LockService(const std::string& svcdir, const std::string& svc) noexcept;

// "started", "stopped", … for the status bits (the first of stopping, starting, inactive,
// crashed, started, failed, stopped).
std::string StateName(int state) noexcept;

}  // namespace ctinit::openrc
