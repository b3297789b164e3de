// Shutdown: the end of a run (runlevel 0 or 6), as pid1.h's spec describes it: the shutdown
// budget, the final sweep (SIGTERM+SIGCONT to everything left, SIGKILL after final_grace, the
// names of what had to be killed), the bounded sync, the summary line, and what happens next
// (exit, reboot(2), or boot again in place).
//
// It owns its timers and makes every syscall through System, so a test drives it on a virtual
// clock (shutdown_test.cc). PID 1 tells it when a stop begins (Begin), when the level's own
// services are done (Sweep), and when children were reaped (Reaped); it calls back through
// Hooks for what belongs to the rest of PID 1.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "init/base/log.h"
#include "init/runtime/config.h"
#include "init/runtime/container_runtime.h"
#include "init/runtime/system.h"

namespace ctinit {

class Shutdown {
 public:
  // How the run ends once the sweep is over.
  enum class End {
    kExit,        // level 0: exit with the app's code (or `systemctl exit N`)
    kExitReboot,  // level 6, RebootMode::kExit: exit with reboot_exit_code
    kBootAgain,   // level 6: reboot(2) was not made or failed: start from sysinit in place
  };
  struct Report {
    End end;
    int exit_code;                    // kExitReboot: reboot_exit_code
    char level;                       // '0' or '6'
    std::vector<std::string> killed;  // what needed SIGKILL ("sleep[42]")
    double seconds;                   // from the request to the end
  };
  struct Hooks {
    std::function<void(Clock::time_point)> cap_stop_waits;  // the supervisor's stop deadline
    std::function<void()> freeze;                           // the supervisor starts nothing more
    std::function<void()> reap;                             // reap what has ended
    std::function<void(const Report&)> done;
  };
  // The time the reaper gets after the final SIGKILL.
  static constexpr auto kKillMargin = std::chrono::milliseconds(500);

  Shutdown(System& sys, Hooks hooks);
  // From the configuration: budget, final_grace, reboot mode and exit code. `pid1`: signal
  // everything (kill -1) rather than our descendants. Without a configured budget, `runtime`'s
  // default applies (container_runtime.h); final_grace is then cut to fit it.
  void Configure(const Config& config, bool pid1,
                 ContainerRuntime runtime = DetectContainerRuntime());

  // The stop to `level` ('0' or '6') is requested: the budget starts now. The level's own stop
  // gets budget - final_grace - kKillMargin, then the sweep begins whatever is left.
  void Begin(char level);
  // A halt asked for during a reboot wins (docker stop while rebooting stops the container).
  void PreferHalt() { level_ = '0'; }
  // The final sweep, now (`why` for the log).
  void Sweep(const char* why);
  // The level a sweep without Begin (no supervisor) ends in.
  void SetLevel(char level) { level_ = level; }
  // Children were reaped: the sweep may be over.
  void Reaped();

  bool under_way() const { return started_.has_value(); }
  bool sweeping() const { return phase_ == Phase::kTerm || phase_ == Phase::kKill; }
  bool idle() const { return phase_ == Phase::kIdle; }
  std::chrono::milliseconds budget() const { return budget_; }
  // Back to the state before any request (after a boot in place).
  void Reset();

 private:
  enum class Phase { kIdle, kTerm, kKill, kFinished };
  void Poll();
  void ReapNow();
  void Kill();
  void CheckDone();
  void Finish();
  End Next();
  static constexpr auto Guarded = log::Guarded;

  System& sys_;
  Hooks hooks_;
  std::unique_ptr<Timer> budget_timer_, sweep_timer_, poll_timer_;
  std::chrono::milliseconds budget_{8000}, final_grace_{2000};
  std::string budget_why_;  // "50 s (incus/LXC default)", for the log
  int reboot_exit_code_ = 129;
  RebootMode reboot_ = RebootMode::kAuto;
  bool pid1_ = false;
  Phase phase_ = Phase::kIdle;
  char level_ = 0;
  std::optional<Clock::time_point> started_;
  std::vector<std::string> killed_;
};

}  // namespace ctinit
