// The seam between ctinit and the kernel: every process-related syscall PID 1 makes goes through
// here, so the supervisor and its tests never touch the real process table.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "init/model/service.h"

namespace ctinit::sys {

// What one spawn adds to the service's ProcessContext (model/service.h): nothing here is a
// service attribute, it is the step's or the runtime's. Default-constructed = nothing added.
struct SpawnOptions {
  std::string path;  // exec this file instead of looking argv[0] up in PATH
  // Run with ctinit's own credentials whatever the context says (systemd's '+'/'!' prefixes).
  bool full_privileges = false;
  // Become fds 3, 4, ... in the child, with LISTEN_PID set to the child's pid (socket
  // activation; the caller puts LISTEN_FDS and LISTEN_FDNAMES in the environment).
  std::vector<int> pass_fds;
  // Variables set to the child's own pid in its environment (WATCHDOG_PID).
  std::vector<std::string> pid_env;
  // When >= 0, the child's stdout and stderr (a pipe the caller reads), instead of the targets.
  int output_fd = -1;
  // When >= 0, that one stream (a pipe the caller reads) instead of its target and output_fd.
  int stdout_fd = -1, stderr_fd = -1;
  // When >= 0, the child's stdin instead of its target (an accepted connection).
  int stdin_fd = -1;
};

// True when nothing but sysvinit's plain spawn is asked for (posix_spawn suffices).
// `process.env`/`unset_env` do not count: the caller has already applied them to the env.
bool Plain(const ProcessContext& process, const SpawnOptions& opts);

// Starts `argv` (argv[0] looked up in PATH) with `env`, the way every ctinit child is started:
// its own session and process group (setsid), every signal disposition back to default, an empty
// signal mask, fds above 2 closed, cwd "/", stdio inherited from ctinit (the console).
// If the file is not executable as a binary (ENOEXEC) it is retried as /bin/sh -c "exec <text>".
// Returns the pid, or -1 with *err set ("cannot execute \"/x\": No such file or directory").
pid_t Spawn(const std::vector<std::string>& argv, const std::string& text,
            const std::vector<std::string>& env, std::string* err) noexcept;
// The same with a context (`process.env`/`unset_env` are not looked at: `env` is final):
// SIGPIPE ignored (ignore_sigpipe), the capability bounding set, credentials (setgroups,
// setgid, setuid — in that order) with the ambient capabilities kept across them and raised,
// no_new_privs, working
// directory, umask, nice, rlimits, and fds 0-2 opened as the targets say. A context that is not
// Plain() uses fork+exec with a close-on-exec pipe that carries the child's errno back, so a
// failure (unknown directory, exec error) is still reported synchronously with its step. The
// child opens the stdio files itself; PID 1 waits for its report at most 250 ms (a FIFO as
// StandardOutput=append: may hold the child's open() for ever): a child still busy then is
// taken as started, and a later failure shows as its exit 127.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& text,
            const std::vector<std::string>& env, const ProcessContext& process,
            const SpawnOptions& opts, std::string* err) noexcept;

// What this process can hand its children: the capabilities in both its bounding and its
// permitted set (bit N = capability N), and whether it may drop from the bounding set
// (CAP_SETPCAP is effective).
struct OwnCapabilities {
  uint64_t bounding = 0;
  bool can_limit = false;
};
OwnCapabilities ReadOwnCapabilities() noexcept;

// kill(2); ESRCH is not an error worth reporting, so this returns nothing.
void Kill(pid_t pid, int sig) noexcept;

// One reaped child, or nullopt when none is waiting (WNOHANG) or there are no children.
struct Reaped {
  pid_t pid;
  int status;  // raw wait status
};
std::optional<Reaped> ReapOne() noexcept;

// True when this process has no children left (waitpid says ECHILD).
bool NoChildren() noexcept;

// Live (non-zombie, non-kernel-thread) processes from /proc, this one excepted.
struct ProcInfo {
  pid_t pid, ppid, pgid, sid;
};
std::vector<ProcInfo> ProcessTable() noexcept;

// The pid in a pid file (a decimal number > 1), nullopt when it cannot be read. The file must
// be a regular file of at most kMaxPidFileBytes, not a symlink; it is opened without blocking
// (a FIFO planted there is refused at once) and a refusal other than "missing" is logged.
// `owner`, when given, gets the file's owner (a pid file not written by root is trusted only
// for the service's own processes: Supervisor, issue 11 case 1).
constexpr size_t kMaxPidFileBytes = 64 * 1024;
std::optional<pid_t> ReadPidFile(const std::string& path, uid_t* owner = nullptr) noexcept;

// The daemon a forking launcher (`launcher`, gone) left behind (systemd's GuessMainPID= without
// a cgroup), among the processes re-parented to `self` (the others are not the launcher's
// orphans), chosen by PickDaemon() from /proc.
//
// `token`, when not empty, is the "INVOCATION_ID=..." entry PID 1 put in that launcher's
// environment only (Spawner: unique to that start); a process "carries" it when its initial
// environment (/proc/PID/environ, what it was started or exec'd with) holds that entry.
// Candidates:
//   * still in the launcher's process group or session: it forked once;
//   * in a session whose leader is gone and not a session leader itself: it forked twice with
//     setsid() in between; with a token, only if it carries it;
//   * with a token: a session leader that carries it: daemon(3), it forked once and the child
//     called setsid() (without the token it looks like any service ctinit started itself).
// The one candidate, or nullopt when none or more than one is (then there is no telling). A
// process only carries the token if it descends from the launcher, or if someone who could read
// the launcher's environment (root or its user, who could signal the daemon anyway) copied it.
std::optional<pid_t> PickDaemon(const std::vector<ProcInfo>& table, pid_t launcher, pid_t self,
                                const std::function<bool(pid_t)>& carries_token) noexcept;
// PickDaemon over /proc, `token` looked for in /proc/PID/environ (its first 256 KiB).
std::optional<pid_t> GuessDaemon(pid_t launcher, pid_t self,
                                 const std::string& token = {}) noexcept;

// Pids of live (non-zombie) processes: every process visible in /proc except ourselves when
// `descendants_of` is 0, else only the descendants of that pid.
std::vector<pid_t> LiveProcesses(pid_t descendants_of) noexcept;

// "exited 3", "killed by SIGKILL" for logs; the shell-style code 0-255 / 128+sig.
std::string DescribeStatus(int status);
int ExitCodeOf(int status) noexcept;

}  // namespace ctinit::sys
