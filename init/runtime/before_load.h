// BeforeLoadRunner: PID 1's side of FrontEnd::BeforeLoad (init/model/front_end.h) — the
// programs a front end needs run before it loads (the units front end's `ctinit run-generators`)
// are started one after the other through PID 1's spawner; their ends come from PID 1's one
// reaper (Exited()), so nothing here waits or blocks. When the last one has ended (or been
// given up), `done` is posted to the event loop.
//
// Bounds: a command still running at its `bound` gets SIGKILL on its process group (every
// child is its own group leader, sys.h) and one warning; the runner moves on at once and its
// later exit is swallowed. A command that cannot be started or exits non-zero is one warning.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "init/model/front_end.h"
#include "init/runtime/system.h"

namespace ctinit {

class BeforeLoadRunner {
 public:
  using Command = FrontEnd::BeforeLoadCommand;
  // Starts one command: its pid, or -1 (the spawner has logged why).
  using SpawnFn = std::function<pid_t(const Command&)>;

  BeforeLoadRunner(System& system, SpawnFn spawn);

  // Runs `commands` in order, then posts `done`. False (and nothing happens) while a run is
  // under way. With no commands, `done` is posted at once.
  bool Run(std::vector<Command> commands, std::function<void()> done);
  // The reaper's news. True when `pid` was one of ours (the reaper is then done with it).
  bool Exited(pid_t pid, int status);
  bool busy() const { return done_ != nullptr; }
  // Forgets a run under way without calling its `done` (a boot in place starts afresh); a
  // command still running is left to end by itself, its exit still swallowed.
  void Abandon();

 private:
  void StartNext();
  void TimedOut();

  System& system_;
  SpawnFn spawn_;
  std::unique_ptr<Timer> timer_;
  std::vector<Command> commands_;
  size_t next_ = 0;
  std::optional<Command> current_;
  pid_t pid_ = -1;
  Clock::time_point started_{};
  std::vector<pid_t> abandoned_;  // killed at their bound, not reaped yet
  std::function<void()> done_;
};

}  // namespace ctinit
