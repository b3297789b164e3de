// supervise-daemon's health checks for the shim (OpenRC 0.63 src/supervise-daemon, man
// supervise-daemon.8 --healthcheck-delay/--healthcheck-timer, sh/supervise-daemon.sh).
//
// OpenRC: the supervisor process runs `<script> healthcheck` `healthcheck_delay` seconds after
// each (re)spawn of the daemon (or `healthcheck_timer` seconds when no delay is set), and then
// every `healthcheck_timer` seconds while it succeeds (no timer: no further check). When the
// check fails (exit status not 0) it runs `<script> unhealthy`, stops the daemon with its stop
// schedule and respawns it (the respawn counts against respawn_max as a crash would). The
// default healthcheck() and unhealthy() in the script's shell return 0.
//
// Under ctinit, PID 1 supervises the daemon, so the shim's supervise-daemon --start leaves one
// small process per service that has a delay or a timer: the *health monitor* (a fork of the
// applet, detached, stdio on /dev/null, its pid in <svcdir>/options/<svc>/ctinit_healthcheck_pid).
// It follows the daemon through ctinit's `status` verb and, on a failed check, sends the
// daemon its stop signal (SIGKILL after the stop timeout); ctinit then respawns it. It ends when
// ctinit no longer supervises the service (unsupervise, gave up); supervise-daemon --stop ends
// it first so that no check runs while the daemon is being stopped. Messages go to syslog, as
// OpenRC's supervisor's do ("health check for SVC failed").
// Nothing here throws.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace ctinit::openrc {

inline constexpr const char* kHealthcheckPidOption = "ctinit_healthcheck_pid";

struct HealthcheckPlan {
  std::string svc;
  std::string script;             // run as `openrc-run <script> healthcheck|unhealthy`
  std::chrono::seconds delay{0};  // after each spawn (0: use timer)
  std::chrono::seconds timer{0};  // between checks (0: no repeated check)
  int stop_signal = 15;
  std::chrono::seconds stop_timeout{5};
};

// What the monitor needs from the world (the real one: ctinit's control socket, fork/exec,
// kill, sleep; tests: a fake).
class HealthcheckHost {
 public:
  virtual ~HealthcheckHost() = default;
  // The daemon's pid while it runs; 0 while ctinit is between two runs; -1 once ctinit no
  // longer supervises the service (the monitor ends).
  virtual pid_t DaemonPid() = 0;
  // `openrc-run <script> <command>`'s exit status.
  virtual int RunScript(const std::string& command) = 0;
  // Stops `pid` as the stop schedule says (signal, then SIGKILL after the timeout).
  virtual void StopDaemon(pid_t pid) = 0;
  virtual void Sleep(std::chrono::seconds d) = 0;
  virtual void Log(const std::string& text) = 0;
};

// The monitor's loop (see above); returns when the service is no longer supervised. Returns at
// once when the plan has neither a delay nor a timer.
void RunHealthMonitor(const HealthcheckPlan& plan, HealthcheckHost* host);

// Starts the detached monitor process for `plan` (socket_path: ctinit's control socket) and
// records its pid under <svcdir>/options/<svc>/. False when it could not be started.
bool StartHealthMonitor(const HealthcheckPlan& plan, const std::string& svcdir,
                        const std::string& socket_path) noexcept;

// Ends the monitor recorded for `svc` (if it is still one) and forgets it.
void StopHealthMonitor(const std::string& svcdir, const std::string& svc) noexcept;

}  // namespace ctinit::openrc
