// The shim's openrc-run applet: the interpreter named by `#!/sbin/openrc-run` (and the older
// `#!/sbin/runscript`). The kernel runs `/sbin/openrc-run /etc/init.d/foo start`.
//
// This C++ half does what OpenRC's openrc-run.c does around the script
// (OpenRC 0.63 src/openrc-run/openrc-run.c, facts only): state, locking, dependencies, environment;
// the shell half (openrc-run.sh, embedded in the binary as kOpenrcRunSh) sources the configuration
// and the script and runs the command (<cmd>_pre, <cmd>, <cmd>_post).
//
//   openrc-run <script> [-D|--nodeps] [-s|--ifstarted] [-S|--ifstopped] [-d|--debug]
//              [-q|--quiet] [-v|--verbose] <command>...
//   "openrc-run should not be run directly" (1) without an existing script.
//
// Commands, each run in turn with RC_CMD set to it (the exit code is the last failure's):
//   start    started already: " * WARNING: foo has already been started", 0. The lock
//            (flock on <svcdir>/exclusive/foo) is held by someone: "WARNING: foo is already
//            starting" (or "is stopping"), 1. Else mark starting, start stopped `need`/`want`
//            services first (see below), run the shell; 0 → started (or, if the script marked
//            itself inactive, "WARNING: foo has started, but is inactive"); non-zero → stopped
//            and "ERROR: foo failed to start", 1 (failed/ also marked when ctinit runs a
//            transition, i.e. <svcdir>/rc.starting or rc.stopping exists).
//   stop     stopped already: "WARNING: foo is already stopped", 0. Lock held: "WARNING: foo is
//            already stopping" / "ERROR: foo stopped by something else", 1. Else mark stopping
//            (warning "you are stopping a sysinit/boot service" when it is in those levels), run
//            the shell; 0 → stopped; non-zero → back to started and "ERROR: foo failed to stop", 1.
//   restart  stop (when not stopped), then start; RC_CMD=restart for both.
//   condrestart, conditionalrestart   restart when started.
//   zap      " * Manually resetting foo to stopped state", marked stopped.
//   anything else (status, describe, depend, extra commands): the shell alone decides.
// The lock fd is close-on-exec, so daemons never inherit it.
//
// Dependencies when run by hand: unless -D, RC_NODEPS=yes, or ctinit is running a transition
// (<svcdir>/rc.starting or rc.stopping exists: ctinit orders services itself), `start` first
// reads the script's depend() (ExtractDepends, as ctinit does) and starts each `need` and `want`
// service that exists in the script's directory, is stopped and not masked for RC_SYS (keyword
// -docker …), by running this applet on it. A need that does not start: "ERROR: cannot start foo
// as bar would not start", 1. A need that does not exist: a warning and foo starts anyway (ctinit's
// rule for containers, see graph.h; OpenRC refuses). Stopping does not stop dependents.
//
// Environment given to the shell (OpenRC 0.63 src/shared/misc.c env_config(),
// src/openrc-run/openrc-run.c): RC_SVCNAME, SVCNAME, RC_SERVICE (the script path as given, made
// absolute, symlinks kept), RC_CMD, RC_RUNLEVEL (from <svcdir>/softlevel, "sysinit" when absent),
// RC_BOOTLEVEL=boot, RC_DEFAULTLEVEL=default, RC_GOINGDOWN=YES (runlevel shutdown/reboot/single),
// RC_REBOOT=YES (runlevel reboot), RC_SYS (rc_sys.h), RC_UNAME, RC_LIBEXECDIR=/lib/rc,
// RC_CACHEDIR=/var/cache/rc, RC_VERSION=0.63 (the OpenRC the shim stands in for),
// RC_SVCDIR=/run/openrc, RC_TMPDIR, RC_OPENRC_PID, RC_RUNSCRIPT_PID, EINFO_LOG, RC_CTINIT (this
// binary, for the shell's helpers) and PATH = /lib/rc/bin:/bin:/sbin:/usr/bin:/usr/sbin followed by
// the rest of the caller's PATH. When the caller already set RC_RUNLEVEL (ctinit during a
// transition), the RC_* level variables it set are kept. The rest of the caller's environment is
// passed on (OpenRC filters it to an allow-list; the shim does not).
//
// Differences from OpenRC: the shim creates <svcdir> when missing and does not refuse to run
// without softlevel (an image with only the shim has no `openrc sysinit`); no pty output prefix,
// no cgroups, no hotplug/scheduled starts, no --dry-run; ineed/iuse/… print nothing.
//
// Nothing here throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

extern const char* const kOpenrcRunSh;  // openrc-run.sh (generated: openrc_run_sh.cc)

// argv[0] is "openrc-run" or "runscript"; returns the exit code.
int OpenrcRunMain(const std::vector<std::string>& argv) noexcept;

// mark_service_started … mark_service_failed, mark_service_hotplugged,
// mark_service_wasinactive <svc>: the helpers the shell functions of the same names call
// (OpenRC keeps them in /lib/rc/sbin). Returns the exit code.
int MarkServiceMain(const std::string& applet, const std::vector<std::string>& args) noexcept;

}  // namespace ctinit::openrc
