// ctinit status / ctinit list: what runs, from every source, in one view — asked of the running
// ctinit through its control socket (the `services` verb, init/protocol/control.h).
//
//   ctinit list [--json]
//       every service ctinit knows (inittab entries, OpenRC scripts and supervise-daemon
//       services, systemd units, the app of app mode, and services a front end knows but does
//       not run) in one table: SOURCE NAME STATE PID SINCE LAST-EXIT/WHY.
//   ctinit status [--json]
//       the same table, then one summary line ("5 services: 4 started, 1 failed").
//   ctinit status [--json] NAME
//       that service in detail, with its recent output (the last lines a script or a tagged
//       service wrote through ctinit; daemons that write to the console directly are not read
//       by ctinit, so none is shown for them).
//
// Colour (the state column) only when stdout is a terminal and NO_COLOR is unset or empty.
// --json writes JSON instead, for tools. Its field names are stable: an array of objects for
// list/status, one object for status NAME:
//   name, source ("inittab", "openrc", "unit", "app" or ""), state ("stopped", "starting",
//   "started", "stopping", "failed", "inactive"), pid (null if none), since_ms (how long ago it
//   entered the state, null if unknown), last_exit ("exited 1", "killed by SIGKILL", or
//   null), why (null or the reason: a failure, a skip, STATUS= text), description, origin
//   (the file it came from), and for status NAME: output (array of lines, oldest first).
//
// Exit status: 0; for status NAME 3 when the service is not running (stopped, failed,
// inactive) and 4 when ctinit does not know it (as systemctl); 3 when ctinit is not running
// (no socket, or nobody listening on it) with one line saying so; 1 on other errors (only
// root may talk to ctinit: the socket is 0600) and 2 on usage errors. Never throws.
#pragma once

#include <string>
#include <vector>

#include "init/protocol/control.h"

namespace ctinit {

// `verb` is "status" or "list"; `args` what follows it.
int StatusMain(const std::string& verb, const std::vector<std::string>& args,
               const std::string& socket_path = control::kSocketPath) noexcept;

// The formatting, exposed for tests. `colour`: ANSI colour for the state.
std::string FormatServiceTable(const std::vector<control::ServiceRecord>& records, bool colour);
std::string FormatSummary(const std::vector<control::ServiceRecord>& records);
std::string FormatServiceDetail(const control::ServiceRecord& record, bool colour);
std::string FormatServicesJson(const std::vector<control::ServiceRecord>& records);
std::string FormatServiceJson(const control::ServiceRecord& record);  // with its output
// "350ms", "12s", "5min", "3h", "2d"; "-" when unknown (negative).
std::string FormatAge(long long ms);

}  // namespace ctinit
