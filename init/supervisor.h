// The supervisor: runs a ServiceSet through sysvinit's runlevel machine.
//
// It is pure logic. Everything it does to the world goes through SupervisorHost (spawn, kill,
// timers, utmp), and the world reaches it through On*() calls; after each call the supervisor has
// already done all the work that call made possible (dinit's "process the queues" at the end of
// every handler), and has re-armed the host's single timer for its next deadline, if any.
//
// Levels
// ------
// `level()` is one of: '#' (sysinit stage), '*' (boot stage), 'S', '0'..'9'.
//   '#'  start: run kSysInit services. When nothing but kBoot services is running, go to the
//        default level: 'S' directly, else '*'. BootTime() is reported then.
//   '*'  run kBoot services. When nothing but kBoot services is running: enter the default level
//        ("Entering runlevel: N").
//   'S'  when nothing is running any more, leave S for the default level (through '*' if boot
//        services never ran) — sysvinit's "end of single-user mode". Either way the entries whose
//        levels are exactly "S" are re-armed; if the default level is S itself, they run again
//        at once (sulogin comes back).
//   N    steady state. Once nothing blocking is running and every task wanted in N has run, the
//        level is *settled*: SupervisorHost::LevelSettled(N) is called once per entry into N.
//
// Starting (StartIfNeeded): walk the services in list order; start each one that is wanted in
// the current level and not running (kTask: only if it has not run since the level was entered;
// kLongRun: whenever it is not running, subject to its RespawnLimit); stop walking at the first
// `blocking` service that is running. A service that fails to spawn counts as having run.
//
// Changing level (RequestLevel): record the new level, then stop every running service that is
// not wanted there (kBoot services and demand services survive, the latter except when going to
// S): SIGTERM to its process group, then SIGKILL when `kill_wait` has passed or at once if
// kill_wait is zero. While services are being stopped nothing new starts. Tasks that are not wanted
// in the new level forget that they ran, so they run again on the next entry.
//
// Per-service states: stopped (never run or exited), running, stopping (TERM sent, waiting),
// disabled (respawning too fast, until `disabled_until`). `executed` records that a task has
// run in this level entry; event services (power, ctrlaltdel, kbrequest) start with executed set
// and an event clears it.
//
// Freeze(): no more starts, no more respawns; used by the final shutdown sweep.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "init/service.h"

namespace ctinit {

using Clock = std::chrono::steady_clock;

class SupervisorHost {
 public:
  virtual ~SupervisorHost() = default;
  // Start the service's command. Returns the pid, or -1 (the host has logged why).
  virtual pid_t Spawn(const ServiceSpec& spec, char level, char prev_level) = 0;
  // Send `sig` to the process group `pgid`.
  virtual void KillGroup(pid_t pgid, int sig) = 0;
  virtual Clock::time_point Now() = 0;
  // Wake the supervisor (OnTimer) at `when`; replaces the previous request. nullopt = no timer.
  virtual void ArmTimer(std::optional<Clock::time_point> when) = 0;
  // The boot stage is over (sysvinit writes the BOOT_TIME record here).
  virtual void BootTime() = 0;
  // The current level changed (utmp RUN_LVL, /var/run/runlevel).
  virtual void LevelChanged(char level, char prev) = 0;
  // Every task wanted in `level` has run and nothing blocking is running.
  virtual void LevelSettled(char level) = 0;
  // A service's process ended.
  virtual void ServiceExited(const ServiceSpec& spec, pid_t pid, int status) = 0;
};

class Supervisor {
 public:
  // `default_level` is where boot ends and where leaving S goes (initdefault); `boot_level`, if
  // not 0, replaces it for the first boot only (a level given on the command line).
  Supervisor(SupervisorHost* host, ServiceSet set, char default_level, char boot_level = 0);

  // Starts the boot sequence from '#'. Also used to boot again in place after a reboot.
  void Boot();
  // telinit N / S / 0 / 6 (Q, U, a/b/c are handled by Reload/Demand/the host).
  // `kill_wait` is the TERM→KILL wait for services that are not wanted in the new level.
  void RequestLevel(char level, std::chrono::milliseconds kill_wait);
  // telinit q: replace the services; running ones keep running when their definition's action is
  // unchanged; removed ones and changed ones are stopped like on a level change.
  void Reload(ServiceSet set, std::chrono::milliseconds kill_wait);
  // telinit a|b|c: ondemand services with that letter start (no level change).
  void Demand(char which);
  // A power / ctrlaltdel / kbrequest event: its services run if the level is in their levels.
  void Trigger(Trigger event);
  // True if any service reacts to `event` (SIGINT falls back to reboot when none does).
  bool HasServicesFor(enum Trigger event) const;
  // Stop starting anything, for good (until Boot()).
  void Freeze();
  // Cut the running kill wait short: SIGKILL whatever is still being stopped.
  void KillStoppingNow();

  // A child exited. Returns true if it was one of the services (else it is an orphan).
  bool OnChildExit(pid_t pid, int status);
  void OnTimer();

  char level() const { return level_; }
  char prev_level() const { return prev_; }
  bool frozen() const { return frozen_; }
  // Pids of running services (for tests and the shutdown summary).
  std::vector<pid_t> RunningPids() const;
  // Test hooks.
  struct ServiceView {
    bool running;
    bool executed;
    bool disabled;
    int starts;
  };
  std::optional<ServiceView> View(const std::string& name) const;

 private:
  struct Slot {
    ServiceSpec spec;
    pid_t pid = 0;
    bool executed = false;
    bool demand = false;
    bool stopping = false;  // TERM sent as part of a level change or reload
    bool disabled = false;  // respawning too fast
    Clock::time_point disabled_until{};
    int spawn_count = 0;               // sysvinit's ch->count
    Clock::time_point spawn_window{};  // start of the counting window; epoch = none yet
    int starts = 0;                    // total, for tests and logs
  };

  bool Wanted(const Slot& s) const;
  void Process();
  void StartIfNeeded();
  bool Start(Slot& s);
  bool BootTransitions();  // true if it re-armed the S entries (staying in S)
  void EnterLevel(char level, char prev);
  void StopUnwanted(std::chrono::milliseconds kill_wait, std::vector<Slot> removed);
  void ForgetRespawnFailures();
  void RearmTimer();
  bool AnythingRunningExceptBoot() const;
  bool Settled() const;

  SupervisorHost* host_;
  std::vector<Slot> slots_;
  std::vector<Slot> removed_;  // dropped by a reload, still being stopped
  char default_level_;
  char boot_level_;
  char boot_target_ = 0;
  char level_ = '#';
  char prev_ = 'N';
  bool did_boot_ = false;
  bool frozen_ = false;
  bool settled_reported_ = false;
  bool no_more_logged_ = false;
  bool in_process_ = false;
  bool again_ = false;
  std::optional<Clock::time_point> kill_deadline_;
};

}  // namespace ctinit
