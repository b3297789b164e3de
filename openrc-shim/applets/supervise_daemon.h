// The shim's supervise-daemon applet: a client of ctinit's control socket (init/control.h).
// OpenRC's supervise-daemon forks a supervisor process per daemon; in a ctinit container PID 1
// is the supervisor, so this applet only asks it (OpenRC 0.63 man/supervise-daemon.8 for the
// options).
//
//   supervise-daemon <svc> --start [options] <command> [--] [args…]
//       → supervise <svc> arg=<command> arg=<args>… env=K=V… [uid= gid= groups= home= user=]
//         [dir=] [umask=] [stdin=] [stdout=] [stderr=] [pidfile=] respawn_delay_ms= respawn_max=
//         respawn_period_ms= stop_signal= stop_timeout_ms= [ambient_capabilities=0x…]
//         [capability_bounding_set=0x…] [no_new_privs=yes] [readiness=notify] origin=<RC_SERVICE or
//         "supervise-daemon">
//   supervise-daemon <svc> --stop      → unsupervise <svc>
//   supervise-daemon <svc> --status    → status <svc>   (a ctinit extension; exit 0/3/1)
//   supervise-daemon <svc> -s|--signal SIG  → status <svc>, then SIG (name or number) to the
//       daemon's pid; exit 1 " * supervise-daemon: <svc> has no running daemon supervised by
//       ctinit" when there is none (OpenRC: "unable to open control fifo").
//
// Options: -S/--start -K/--stop --status -d/--chdir -u/--user USER[:GROUP] -g/--group
// -k/--umask (octal) -0/--stdin -1/--stdout -2/--stderr -p/--pidfile -D/--respawn-delay SECONDS
// -m/--respawn-max N -P/--respawn-period SECONDS -R/--retry SCHEDULE -e/--env K=V -q -v,
// -a/--healthcheck-timer SECONDS -A/--healthcheck-delay SECONDS (at least 1: "invalid health
// check timer X"; run by a health monitor process, see healthcheck.h; --stop ends it first).
// --capabilities IAB (capability_iab.h): '^' entries become the daemon's ambient capabilities,
// '!' entries leave its bounding set; an inheritable-only entry, or one this container cannot
// give, is refused in one line (exit 1). --secbits: only 0 (ctinit's supervisor sets no
// securebits; anything else is refused). --no-new-privs: no_new_privs=yes.
// --notify socket:ready: readiness=notify (ctinit gives the daemon $NOTIFY_SOCKET); --start
// then polls `status` until the daemon is "running" (it said READY=1), at most 300 s, and
// fails (after `unsupervise`) when ctinit reports it failed or the time is up. --notify fd:N:
// ctinit's supervisor has no readiness on a descriptor: a warning, and the start does not
// wait. `socket` without `:ready`: nothing (as OpenRC); anything else: "invalid ready `X'".
// -3/--stdout-logger CMD, -4/--stderr-logger CMD (unless --stdout/--stderr names a file for the
// same stream): the request runs `<ctinit> run-with-loggers [--stdout-logger CMD]
// [--stderr-logger CMD] -- <command> [args…]` (output_logger.h), which execs the command.
// Accepted and ignored with a warning (ctinit cannot do them yet): -N/--nicelevel
// -I/--ionice --oom-score-adj -r/--chroot --stop-group.
//
// Values sent:
//   * <command> is looked up in PATH when it has no '/', and must exist ("<cmd> does not exist").
//   * User and groups come from the image's /etc/passwd and /etc/group (init/passwd.h); HOME and
//     USER in env= follow the user.
//   * env=: this process's environment (which is what the script exported) without RC_* (but
//     RC_SVCNAME and RC_SERVICE), SSD_*, EINFO_*; /lib/rc/{bin,sbin} dropped from PATH; then
//     each --env in order (a later K replaces an earlier one).
//   * Respawn values are always sent: --respawn-delay (default 0), --respawn-max (default 10),
//     --respawn-period (default 12, as man/supervise-daemon.8); seconds become milliseconds.
//     OpenRC's respawn-max counts respawns (3: four runs, and the fourth crash gives up), the
//     control protocol's respawn_max counts starts: respawn_max = N + 1 (0 stays 0 = unlimited).
//   * --retry (default SIGTERM/5, or stopsig via the shell) becomes stop_signal = its first
//     signal and stop_timeout_ms = its waits added up (retry.h ToStopPlan; `forever` = 0).
// Replies: the first line is the exit code, the rest is printed (errors as " * supervise-daemon:
// …" on stderr). `--stop` of a service ctinit does not supervise (reply 1 "not supervised" or
// "<svc>: not running") is a warning and exit 0 (OpenRC's --stop also succeeds when nothing
// runs). No ctinit listening: "supervise-daemon: cannot reach ctinit …", exit 1. A successful
// --start leaves <RC_SVCDIR>/options/<svc>/ctinit_supervised (see SyncSupervisedState).
//
// Giving up: OpenRC's supervise-daemon, when it gives up, marks its service stopped and failed
// (checked with Debian's 0.45: rc-status "[ failed ]", `status` "stopped", exit 3). Under ctinit
// PID 1 gives up and has no hook into /run/openrc, so the shim's tools (openrc-run, rc-status)
// first call SyncSupervisedState(): every started service with the marker whose supervised
// daemon ctinit reports "failed" is marked stopped + failed, as supervise-daemon would have.
// Nothing here throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "init/protocol/control.h"
#include "openrc-shim/applets/capability_iab.h"
#include "openrc-shim/applets/healthcheck.h"

namespace ctinit::openrc {

// Builds the control request for `args` (after argv[0]). `env` is the environment to pass
// ("K=V"), `root` prefixes /etc/passwd and /etc/group. False and *error when the arguments are
// wrong. *timeout_ms is how long the client waits for the reply.
// What a request needs beyond its words: the health checks a --start asks for (neither delay
// nor timer when it asks for none), the signal of --signal (0: none).
struct SuperviseExtras {
  HealthcheckPlan health;
  int signal = 0;
  std::optional<CapabilityIab> capabilities;  // --start --capabilities, checked by the applet
  bool wait_ready = false;                    // --notify socket:ready
};
bool BuildSuperviseRequest(const std::vector<std::string>& args,
                           const std::vector<std::string>& env, const std::string& root,
                           std::vector<std::string>* words, int* timeout_ms, std::string* error,
                           SuperviseExtras* extras = nullptr);

inline constexpr const char* kSupervisedMarker = "ctinit_supervised";

// See "Giving up" above. Best effort: ctinit unreachable = nothing changes.
void SyncSupervisedState(const std::string& svcdir,
                         const std::string& socket_path = control::kSocketPath) noexcept;

int SuperviseDaemonMain(const std::vector<std::string>& args, const std::string& root = "/",
                        const std::string& socket_path = control::kSocketPath) noexcept;

}  // namespace ctinit::openrc
