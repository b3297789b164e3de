// The shim's start-stop-daemon applet: OpenRC's start-stop-daemon for the options OpenRC scripts
// and openrc-run.sh's default start()/stop() use (OpenRC 0.63
// src/start-stop-daemon/start-stop-daemon.c, src/shared/schedules.c, man start-stop-daemon.8).
// Its options: start_stop_daemon_args.h; which processes are "the daemon": process_match.h.
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
// died", 1). --notify instead waits for the daemon's "ready" (ready_notify.h; "X did not report
// that it is ready", 1). --capabilities/--secbits: the child drops the '!' entries from its
// bounding set before setuid, keeps its permitted set across it, then sets the securebits and
// the inheritable and ambient sets (capability_iab.h); what this container cannot give is
// refused before the fork ("--capabilities: cap_x is not in this container's bounding set"). On
// success, with RC_SVCNAME set and /run/openrc/daemons present, the daemon is recorded in
// daemons/<svc>/001 (exec=, argv_0=, pidfile=) for service_crashed and rc-status.
//
// --stop (or --signal alone): runs the retry schedule (retry.h; default SIG/5 where SIG is
// --signal or TERM). Nothing matched at the first signal: "no matching processes found" and
// exit 0 (OpenRC still succeeds; the pidfile is removed). Processes left at the end:
// "N process(es) refused to stop", exit 1. With --test or --oknodo the schedule is just the
// signal (no waiting) and the exit is 0 only if something matched. --signal without --stop
// (e.g. `--signal HUP --pidfile P` for reload) implies --oknodo unless the signal is
// INT/TERM/QUIT/KILL.
//
// Errors are OpenRC's words and exit 1. Nothing throws.
#pragma once

#include <string>
#include <vector>

#include "openrc-shim/applets/process_match.h"
#include "openrc-shim/applets/start_stop_daemon_args.h"

namespace ctinit::openrc {

// The applet (argv[0] = "start-stop-daemon"); returns the exit code.
int StartStopDaemonMain(const std::vector<std::string>& args) noexcept;

}  // namespace ctinit::openrc
