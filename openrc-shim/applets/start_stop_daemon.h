// The shim's start-stop-daemon applet: OpenRC's start-stop-daemon for the options OpenRC scripts
// and openrc-run.sh's default start()/stop() use (OpenRC 0.63
// src/start-stop-daemon/start-stop-daemon.c, src/shared/schedules.c, man start-stop-daemon.8).
//
// Options: -S/--start -K/--stop -x/--exec -p/--pidfile -m/--make-pidfile -b/--background
// -u/--user USER[:GROUP] -c/--chuid (deprecated alias of --user, warns) -g/--group -d/--chdir
// -r/--chroot -1/--stdout -2/--stderr -R/--retry -s/--signal -w/--wait MS -n/--name
// -a/--startas (deprecated, warns) -i/--interpreted -k/--umask -o/--oknodo (deprecated, warns)
// -t/--test -N/--nicelevel -e/--env K=V -P/--progress -q/--quiet -v/--verbose; `--` ends the
// options, the rest is the daemon's arguments. GNU getopt rules: `--opt=V`, `--opt V`, `-xV`,
// `-x V`, bundled flags `-bm`, and non-option words before `--` are arguments too.
//
// Which processes are "the daemon" (rc_find_pids()):
//   * --pidfile given and the file holds a pid: exactly that pid, if it exists.
//   * otherwise every process (but this one) that matches all of: the owner when --user names a
//     non-root user; --exec X: its /proc/<pid>/exe is X, or its comm (/proc/<pid>/stat, at most
//     15 characters) is basename(X); argv: its /proc/<pid>/cmdline starts with the expected
//     words (argv[0] = --name if given else --exec, then for --start the arguments after `--`).
//     With only --name N: comm is N.
//   * Zombies never match (the shim may run where nobody reaps them yet; OpenRC counts them
//     until reaped).
//
// --start: the executable must exist ("X does not exist", 1); a matching process →
// "start-stop-daemon: X is already running", exit 1 (also with --oknodo, as OpenRC). Otherwise
// fork; the child does umask (default 022), setsid, nice, chroot, chdir, writes the pidfile
// (--make-pidfile), setgid/setgroups/setuid (users and groups from the image's /etc/passwd and
// /etc/group via init/passwd.h; HOME and USER follow the user), drops RC_* variables except
// RC_SVCNAME/RC_SERVICE and /lib/rc/{bin,sbin} from PATH, points stdio at /dev/null when
// --background (or at --stdout/--stderr files, opened O_APPEND, mode 0660), and execs. An exec
// failure is reported by the parent ("failed to exec `X': …", 1). Without --background the
// parent waits for the child (which is expected to fork the daemon itself) and a non-zero end is
// "failed to start `X'", 1. --background: the child is the daemon; this process exits and the
// daemon is re-parented to PID 1, which reaps it. --wait MS then checks it is still alive ("X
// died", 1). On success, with RC_SVCNAME set and /run/openrc/daemons present, the daemon is
// recorded in daemons/<svc>/001 (exec=, argv_0=, pidfile=) for service_crashed and rc-status.
//
// --stop (or --signal alone): runs the retry schedule (retry.h; default SIG/5 where SIG is
// --signal or TERM). Nothing matched at the first signal: "no matching processes found" and
// exit 0 (OpenRC still succeeds; the pidfile is removed). Processes left at the end:
// "N process(es) refused to stop", exit 1. With --test or --oknodo the schedule is just the
// signal (no waiting) and the exit is 0 only if something matched. --signal without --stop
// (e.g. `--signal HUP --pidfile P` for reload) implies --oknodo unless the signal is
// INT/TERM/QUIT/KILL.
//
// Errors follow OpenRC's words ("start-stop-daemon: --stop needs --exec, --pidfile, --name or
// --user", "--make-pidfile is only relevant with --pidfile", …) and exit 1. Nothing throws.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ctinit::openrc {

struct StartStopDaemonOptions {
  bool start = false, stop = false, background = false, make_pidfile = false;
  bool oknodo = false, test = false, interpreted = false, progress = false;
  bool quiet = false, verbose = false;
  std::string exec, startas, name, pidfile, user, group, chdir, chroot, stdout_path, stderr_path;
  std::optional<std::string> retry;
  int signal = -1;  // -1: none given
  std::optional<int> nice;
  mode_t umask = 022;
  unsigned wait_ms = 0;
  std::vector<std::string> env;   // --env K=V, in order
  std::vector<std::string> args;  // positional words (after `--`, or before it)
  std::vector<std::string> warnings;
};

// Parses the arguments after argv[0]. False and *error ("start-stop-daemon: …" without the
// " * ") for an unknown option, a missing value, a bad number/mode/signal, or a combination
// OpenRC refuses.
bool ParseStartStopDaemonArgs(const std::vector<std::string>& args, StartStopDaemonOptions* out,
                              std::string* error);

// What a process looks like for matching (read from /proc; tests build them by hand).
struct ProcInfo {
  pid_t pid = 0;
  uid_t uid = 0;
  bool zombie = false;
  std::string comm;                  // /proc/<pid>/stat field 2
  std::string exe;                   // readlink /proc/<pid>/exe ("" if unreadable)
  std::vector<std::string> cmdline;  // /proc/<pid>/cmdline
};

struct MatchSpec {
  pid_t pid = 0;                  // > 0: only this pid (from the pidfile)
  std::string exec;               // "" = no exec test
  std::vector<std::string> argv;  // expected leading cmdline words ("" = none)
  uid_t uid = 0;                  // 0 = any owner
};

std::vector<pid_t> FindPids(const std::vector<ProcInfo>& procs, const MatchSpec& spec,
                            pid_t self) noexcept;

// Every process in `proc_root` (normally "/proc").
std::vector<ProcInfo> ReadProcs(const std::string& proc_root) noexcept;

// The applet (argv[0] = "start-stop-daemon"); returns the exit code.
int StartStopDaemonMain(const std::vector<std::string>& args) noexcept;

}  // namespace ctinit::openrc
