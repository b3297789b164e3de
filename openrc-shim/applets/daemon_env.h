// What a daemon that the shim's start-stop-daemon or supervise-daemon starts keeps of the
// script's environment, as OpenRC 0.63 src/start-stop-daemon/start-stop-daemon.c and
// src/supervise-daemon/supervise-daemon.c clean it: no RC_* variable but RC_SVCNAME and
// RC_SERVICE, and no OpenRC helper directory (/lib/rc/bin, /lib/rc/sbin) in PATH.
#pragma once

#include <string>

namespace ctinit::openrc {

// True for RC_* names other than RC_SVCNAME and RC_SERVICE.
bool IsRcInternal(const std::string& name);

// `path` without empty entries and without /lib/rc/bin and /lib/rc/sbin.
std::string DaemonPath(const std::string& path);

}  // namespace ctinit::openrc
