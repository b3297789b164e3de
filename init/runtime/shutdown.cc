#include "init/runtime/shutdown.h"

#include <signal.h>
#include <string.h>

#include <cerrno>
#include <cstdlib>

namespace ctinit {

namespace {

bool InContainerLxc() {
  const char* c = getenv("container");
  return c && std::string(c) == "lxc";
}

}  // namespace

Shutdown::Shutdown(System& sys, Hooks hooks)
    : sys_(sys),
      hooks_(std::move(hooks)),
      budget_timer_(sys.NewTimer()),
      sweep_timer_(sys.NewTimer()),
      poll_timer_(sys.NewTimer()) {}

void Shutdown::Configure(const Config& config, bool pid1, ContainerRuntime runtime) {
  budget_ = config.shutdown_budget.value_or(DefaultsFor(runtime).shutdown_budget);
  budget_why_ = DescribeShutdownBudget(budget_, config.shutdown_budget.has_value(), runtime);
  final_grace_ = std::min(config.final_grace, budget_);
  reboot_ = config.reboot;
  reboot_exit_code_ = config.reboot_exit_code;
  pid1_ = pid1;
}

void Shutdown::Begin(char level) {
  level_ = level;
  started_ = sys_.Now();
  auto cut = budget_ - final_grace_ - kKillMargin;
  if (cut < std::chrono::milliseconds(0)) cut = std::chrono::milliseconds(0);
  log::Info("shutdown budget {}: the level's own stop gets {} ms", budget_why_, cut.count());
  if (hooks_.cap_stop_waits) hooks_.cap_stop_waits(*started_ + cut);
  budget_timer_->After(cut, [this] {
    if (phase_ == Phase::kIdle)
      Guarded("shutdown budget", [this] { Sweep("shutdown budget used up"); });
  });
}

void Shutdown::Sweep(const char* why) {
  phase_ = Phase::kTerm;
  budget_timer_->Cancel();
  if (hooks_.freeze) hooks_.freeze();
  if (!started_) started_ = sys_.Now();
  log::Verbose("final sweep ({}): sending SIGTERM to every remaining process", why);
  if (pid1_) {
    sys_.Kill(-1, SIGTERM);
    sys_.Kill(-1, SIGCONT);
  } else {
    for (pid_t p : sys_.LiveProcesses(sys_.Self())) {
      sys_.Kill(p, SIGTERM);
      sys_.Kill(p, SIGCONT);
    }
  }
  auto left = budget_ - (sys_.Now() - *started_) - kKillMargin;
  auto grace = std::min<Clock::duration>(final_grace_, left);
  if (grace < Clock::duration::zero()) grace = Clock::duration::zero();
  sweep_timer_->After(grace, [this] {
    if (phase_ == Phase::kTerm) Guarded("final sweep", [this] { Kill(); });
  });
  Poll();
  ReapNow();
}

// Processes that `docker exec` or `nsenter` put in the container are not our children: their end
// sends us no SIGCHLD. While sweeping (never while idle) look again every 50 ms.
void Shutdown::Poll() {
  poll_timer_->After(std::chrono::milliseconds(50), [this] {
    if (!sweeping()) return;
    Guarded("final sweep", [this] { CheckDone(); });
    if (sweeping()) Poll();
  });
}

void Shutdown::Kill() {
  phase_ = Phase::kKill;
  auto left = sys_.LiveProcesses(pid1_ ? 0 : sys_.Self());
  for (pid_t p : left) killed_.push_back(sys_.ProcessName(p));
  if (pid1_) {
    sys_.Kill(-1, SIGKILL);
  } else {
    for (pid_t p : left) sys_.Kill(p, SIGKILL);
  }
  sweep_timer_->After(kKillMargin, [this] {
    if (phase_ == Phase::kKill) Guarded("shutdown", [this] { Finish(); });
  });
  ReapNow();
}

// PID 1's reaper tells us (Reaped) when it is done.
void Shutdown::ReapNow() {
  if (hooks_.reap)
    hooks_.reap();
  else
    Reaped();
}

void Shutdown::Reaped() {
  if (sweeping()) CheckDone();
}

void Shutdown::CheckDone() {
  bool none_left = pid1_ ? sys_.Kill(-1, 0) == ESRCH : sys_.LiveProcesses(sys_.Self()).empty();
  if (!none_left) return;
  sweep_timer_->Cancel();
  poll_timer_->Cancel();
  sys_.Post([this] {
    if (sweeping()) Guarded("shutdown", [this] { Finish(); });
  });
}

void Shutdown::Finish() {
  phase_ = Phase::kFinished;
  if (hooks_.reap) hooks_.reap();
  poll_timer_->Cancel();
  // sync() can hang on a dead network or FUSE mount; PID 1's exit must not.
  if (!sys_.Sync(std::chrono::seconds(1)))
    log::Warn("sync() did not finish within 1000 ms: going on");
  Report report;
  report.level = level_ ? level_ : '0';
  report.seconds = std::chrono::duration<double>(sys_.Now() - *started_).count();
  report.killed = std::move(killed_);
  std::string killed;
  for (const auto& n : report.killed) killed += (killed.empty() ? ": " : ", ") + n;
  log::Info("shutdown complete in {:.3f} s (runlevel {}), {} processes needed SIGKILL{}",
            report.seconds, report.level, report.killed.size(), killed);
  killed_.clear();
  started_.reset();
  report.end = Next();
  report.exit_code = report.end == End::kExitReboot ? reboot_exit_code_ : 0;
  if (hooks_.done) hooks_.done(report);
}

// What follows the sweep: level 0 exits; level 6 exits, reboots or boots again per RebootMode.
Shutdown::End Shutdown::Next() {
  if (level_ != '6') return End::kExit;
  if (reboot_ == RebootMode::kExit) return End::kExitReboot;
  if (reboot_ == RebootMode::kSyscall ||
      (reboot_ == RebootMode::kAuto && pid1_ && InContainerLxc())) {
    log::Info("rebooting");
    int e = sys_.Reboot();
    log::Warn("reboot(2) failed: {}: booting again in place", strerror(e));
  }
  return End::kBootAgain;
}

void Shutdown::Reset() {
  budget_timer_->Cancel();
  sweep_timer_->Cancel();
  poll_timer_->Cancel();
  phase_ = Phase::kIdle;
  level_ = 0;
  started_.reset();
  killed_.clear();
}

}  // namespace ctinit
