// Running one short-lived helper process with a deadline, for the OpenRC front end.
//
// The dependency extraction (depend.h) has to run each init script's depend() in a shell. It does
// that through the ScriptRunner interface so that
//   * tests can substitute a fake, and
//   * PID 1 can later supply a runner that integrates with its event loop (sys::Spawn + the single
//     reaper in pid1.cc) instead of the blocking one below.
//
// SpawnScriptRunner — the real, *blocking* implementation
// -------------------------------------------------------
// It posix_spawn()s the child in a new session (so it is its own process group), with
//   fd 0 = /dev/null, fds 1 and 2 = one pipe ("output"), fd 3 = a second pipe ("fd3"),
//   every other fd closed, an empty signal mask and default dispositions, cwd = request.cwd,
//   exactly request.env as environment,
// then poll()s both pipes (and a pidfd for the child when the kernel has pidfd_open) until the
// child has exited and the pipes are drained, or until the deadline. At the deadline the whole
// process group gets SIGKILL. When the child has exited, anything it left behind in its process
// group is SIGKILLed too (while the child is still an unreaped zombie, so the group id cannot
// have been reused). Finally it waitpid()s **that one pid**.
//
// CONSTRAINT: because it waits for its own child, SpawnScriptRunner must only be used while no
// other code reaps children, i.e. in PID 1 *before* the event loop and its waitpid(-1) reaper
// start (ctinit's design allows exactly one reaper), or in ordinary processes (tests, tools).
//
// Output is capped (kMaxFd3Bytes, kMaxOutputBytes); what goes beyond is read and dropped so the
// child never blocks on a full pipe. No function here throws.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ctinit::openrc {

struct RunRequest {
  std::vector<std::string> argv;  // argv[0] is an absolute path (no PATH lookup)
  std::vector<std::string> env;   // the complete environment, "K=V"
  std::string cwd = "/";
  std::chrono::milliseconds timeout{5000};
};

struct RunResult {
  bool spawned = false;    // false: the child could not be started; `error` says why
  bool timed_out = false;  // killed at the deadline
  int status = 0;          // raw wait status (when spawned)
  std::string fd3;         // everything the child wrote to fd 3
  std::string output;      // everything it wrote to fds 1 and 2
  std::string error;       // "cannot execute \"/bin/bash\": No such file or directory"
};

class ScriptRunner {
 public:
  virtual ~ScriptRunner() = default;
  virtual RunResult Run(const RunRequest& request) noexcept = 0;
};

class SpawnScriptRunner final : public ScriptRunner {
 public:
  static constexpr size_t kMaxFd3Bytes = 1 << 20;
  static constexpr size_t kMaxOutputBytes = 64 << 10;
  RunResult Run(const RunRequest& request) noexcept override;
};

}  // namespace ctinit::openrc
