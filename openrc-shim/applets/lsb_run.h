// lsb-run: how ctinit's OpenRC native mode runs a plain LSB script of a runlevel, as Debian's
// OpenRC does (openrc-shim/lsb_header.h): the script itself with `start` / `stop`, and the
// service state OpenRC would record for it under $RC_SVCDIR (service_state.h), so that
// rc-status, rc-service and other scripts' service_started() see it as OpenRC shows it.
//
//   ctinit lsb-run SCRIPT VERB [ARG...]
//
//   start   marked starting; then started when the script exits 0, else stopped + failed
//   stop    marked stopping; then stopped when the script exits 0, else started + failed
//   other   run as they are (restart, status, reload, …), no mark
//
// The exit status is the script's (128 + signal when a signal ended it; 1 when it could not be
// run, with one line on stderr). The script is a child of this process, not of PID 1, so the
// wait here blocks nothing of PID 1's.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

// `args`: SCRIPT VERB [ARG...] (without the applet's own name).
int LsbRunMain(const std::vector<std::string>& args);

}  // namespace ctinit::openrc
