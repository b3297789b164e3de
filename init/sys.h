// The seam between ctinit and the kernel: every process-related syscall PID 1 makes goes through
// here, so the supervisor and its tests never touch the real process table.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ctinit::sys {

// Starts `argv` (argv[0] looked up in PATH) with `env`, the way every ctinit child is started:
// its own session and process group (setsid), every signal disposition back to default, an empty
// signal mask, fds above 2 closed, cwd "/", stdio inherited from ctinit (the console).
// If the file is not executable as a binary (ENOEXEC) it is retried as /bin/sh -c "exec <text>".
// Returns the pid, or -1 with *err set ("cannot execute \"/x\": No such file or directory").
pid_t Spawn(const std::vector<std::string>& argv, const std::string& text,
            const std::vector<std::string>& env, std::string* err) noexcept;

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

// Pids of live (non-zombie) processes: every process visible in /proc except ourselves when
// `descendants_of` is 0, else only the descendants of that pid.
std::vector<pid_t> LiveProcesses(pid_t descendants_of) noexcept;

// "exited 3", "killed by SIGKILL" for logs; the shell-style code 0-255 / 128+sig.
std::string DescribeStatus(int status);
int ExitCodeOf(int status) noexcept;

}  // namespace ctinit::sys
