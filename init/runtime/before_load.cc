#include "init/runtime/before_load.h"

#include <signal.h>

#include <algorithm>

#include "init/base/log.h"
#include "init/runtime/sys.h"

namespace ctinit {

BeforeLoadRunner::BeforeLoadRunner(System& system, SpawnFn spawn)
    : system_(system), spawn_(std::move(spawn)), timer_(system.NewTimer()) {}

bool BeforeLoadRunner::Run(std::vector<Command> commands, std::function<void()> done) {
  if (busy()) return false;
  commands_ = std::move(commands);
  next_ = 0;
  done_ = done ? std::move(done) : [] {};
  StartNext();
  return true;
}

void BeforeLoadRunner::StartNext() {
  while (next_ < commands_.size()) {
    current_ = commands_[next_++];
    started_ = system_.Now();
    pid_ = spawn_(*current_);
    if (pid_ > 0) {
      timer_->After(current_->bound, [this] { TimedOut(); });
      return;
    }
    log::Warn("{}: could not be started; loading without it", current_->name);
  }
  current_.reset();
  pid_ = -1;
  // Not from inside the reaper's loop: the load may start services.
  system_.Post(std::exchange(done_, nullptr));
}

bool BeforeLoadRunner::Exited(pid_t pid, int status) {
  if (auto it = std::find(abandoned_.begin(), abandoned_.end(), pid); it != abandoned_.end()) {
    abandoned_.erase(it);
    return true;
  }
  if (!current_ || pid != pid_) return false;
  timer_->Cancel();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(system_.Now() - started_);
  if (status != 0)
    log::Warn("{} (pid {}) {} after {} ms", current_->name, pid, sys::DescribeStatus(status),
              ms.count());
  else
    log::Verbose("{} (pid {}) done in {} ms", current_->name, pid, ms.count());
  StartNext();
  return true;
}

void BeforeLoadRunner::Abandon() {
  timer_->Cancel();
  if (current_ && pid_ > 0) abandoned_.push_back(pid_);
  current_.reset();
  pid_ = -1;
  commands_.clear();
  done_ = nullptr;
}

void BeforeLoadRunner::TimedOut() {
  if (!current_) return;
  log::Warn("{} (pid {}) still running after {} ms: killed; loading without it", current_->name,
            pid_, current_->bound.count());
  if (system_.Kill(-pid_, SIGKILL) != 0) system_.Kill(pid_, SIGKILL);
  abandoned_.push_back(pid_);
  StartNext();
}

}  // namespace ctinit
