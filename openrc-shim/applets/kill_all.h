// The shim's kill_all (OpenRC 0.63 src/kill_all, Linux): signal every process that is not the
// caller's business to keep. OpenRC's killprocs service calls it at shutdown; a container's
// scripts rarely do, but when one does it means the same thing inside the container's pid
// namespace, so the shim does the same thing (ctinit, PID 1, is never signalled).
//
//   kill_all [-d|--dry-run] [-o|--omit PID[,;:PID…]]… [SIGNAL]
//   SIGNAL: a number 1..31, default 9 (SIGKILL); anything else: "Invalid signal X", exit 1.
//   Spared: pid 1, every --omit pid (a non-positive one: "Invalid omit pid value X", exit 1),
//   the processes of the caller's own session, and kernel threads (a process whose parent
//   chain reaches pid 2, or whose /proc status cannot be read). All others get SIGNAL, while
//   everything is held with SIGSTOP (kill(-1)) and released with SIGCONT afterwards, so that
//   nothing forks away meanwhile. --dry-run prints " * Would send signal N to process P" and
//   sends nothing (the shim does not SIGSTOP for a dry run either). /proc not mounted: it is
//   mounted first ("Unable to mount /proc file system", exit 1, when that fails). Exit 0.
// Nothing here throws.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace ctinit::openrc {

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = -1;  // -1: its status could not be read
  pid_t sid = -1;
};

// The pids kill_all signals among `procs` (the rules above; `own_sid` is the caller's session).
std::vector<pid_t> KillAllTargets(const std::vector<ProcessInfo>& procs, pid_t own_sid,
                                  const std::set<pid_t>& omit);

int KillAllMain(const std::vector<std::string>& args) noexcept;

}  // namespace ctinit::openrc
