// OpenRC's output_logger= / error_logger= (start-stop-daemon and supervise-daemon
// --stdout-logger / --stderr-logger): a command, run as `/bin/sh -c CMD`, that reads the
// daemon's stdout or stderr on its stdin (OpenRC 0.63 rc_pipe_command: its own output goes to
// /dev/null).
//
// start-stop-daemon's child starts the loggers itself (StartLogger). ctinit's supervisor spawns
// supervise-daemon's daemons, so the shim has it run the daemon through this applet:
//   ctinit run-with-loggers [--stdout-logger CMD] [--stderr-logger CMD] -- PROGRAM [ARGS…]
// starts the loggers, points its stdout/stderr at them and execs PROGRAM (looked up in PATH):
// the daemon keeps the pid ctinit spawned, and is started again with fresh loggers at each
// respawn, as under OpenRC's supervisor. The loggers are detached (their own session, parent
// PID 1): a stop signal to the daemon's group does not reach them, they end at the end of
// their input — when the daemon is gone. Errors: " * run-with-loggers: …", exit 127 (as a
// failed exec). Nothing here throws but std::bad_alloc.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

inline constexpr const char* kRunWithLoggers = "run-with-loggers";

// Starts `/bin/sh -c command` reading a new pipe, its stdout and stderr on `devnull` (when
// >= 0); returns the pipe's write end, or -1 with *error set. `detach`: the logger is a
// grandchild in its own session (re-parented to PID 1), not a child of the caller.
int StartLogger(const std::string& command, int devnull, bool detach, std::string* error);

// The applet (args after the applet name). Returns only on error (the exit code).
int RunWithLoggersMain(const std::vector<std::string>& args) noexcept;

}  // namespace ctinit::openrc
