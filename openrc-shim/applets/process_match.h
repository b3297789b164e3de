// Which processes are "the daemon" for the shim's start-stop-daemon (start_stop_daemon.h), as
// OpenRC 0.63 src/librc/librc-daemon.c rc_find_pids() finds them:
//   * --pidfile given and the file holds a pid: exactly that pid, if it exists.
//   * otherwise every process (but this one) that matches all of: the owner when --user names a
//     non-root user; --exec X: its /proc/<pid>/exe is X, or its comm (/proc/<pid>/stat, at most
//     15 characters) is basename(X); argv: its /proc/<pid>/cmdline starts with the expected
//     words (argv[0] = --name if given else --exec, then for --start the arguments after `--`).
//     With only --name N: comm is N.
//   * Zombies never match (the shim may run where nobody reaps them yet; OpenRC counts them
//     until reaped).
// FindPids is pure (tests build the processes by hand); ReadProcs reads /proc. Nothing here
// throws.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ctinit::openrc {

// What a process looks like for matching.
struct ProcInfo {
  pid_t pid = 0;
  uid_t uid = 0;
  bool zombie = false;
  std::string comm;                  // /proc/<pid>/stat field 2
  std::string exe;                   // readlink /proc/<pid>/exe ("" if unreadable)
  std::vector<std::string> cmdline;  // /proc/<pid>/cmdline
};

struct MatchSpec {
  pid_t pid = 0;                  // > 0: only this pid (from the pidfile); < 0: nothing
  std::string exec;               // "" = no exec test
  std::vector<std::string> argv;  // expected leading cmdline words ("" = none)
  uid_t uid = 0;                  // 0 = any owner
};

std::vector<pid_t> FindPids(const std::vector<ProcInfo>& procs, const MatchSpec& spec,
                            pid_t self) noexcept;

// Every process in `proc_root` (normally "/proc").
std::vector<ProcInfo> ReadProcs(const std::string& proc_root) noexcept;

}  // namespace ctinit::openrc
