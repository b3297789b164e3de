// Starting (supervisor.h, "Starting" and the start half of the per-service state machine): the
// walk in list order, the dependency checks, the limiter and the start phases.
#include <algorithm>

#include "init/base/log.h"
#include "init/engine/supervisor.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

bool Supervisor::Pending(const Slot& s) {
  return s.wanted && s.state == ServiceState::kStopped && s.phase == Phase::kIdle && !Busy(s) &&
         !s.executed && !s.disabled && !s.restart_at && !s.stop_requested;
}

bool Supervisor::DepPending(const Slot& s) const {
  auto pending = [&](const std::string& name) {
    const Slot* d = Find(name);
    if (!d || d == &s) return false;
    if (d->state == ServiceState::kStarting || StartPhase(d->phase)) return true;
    if (!d->wanted) return false;
    // Wanted and going down (or about to): it comes back (a restart); wait for that.
    if (d->stop_requested || d->state == ServiceState::kStopping) return true;
    return Pending(*d);
  };
  for (const auto* names : {&s.spec.after, &s.spec.needs, &s.spec.binds_to})
    for (const auto& n : *names)
      if (pending(n)) return true;
  return false;
}

const Supervisor::Slot* Supervisor::FailedNeed(const Slot& s) const {
  for (const auto* names : {&s.spec.needs, &s.spec.binds_to})
    for (const auto& n : *names)
      if (const Slot* d = Find(n); d && d != &s && d->state == ServiceState::kFailed) return d;
  return nullptr;
}

const Supervisor::Slot* Supervisor::MissingRequisite(const Slot& s) const {
  for (const auto& n : s.spec.requisite)
    if (const Slot* d = Find(n); d && d != &s && d->state != ServiceState::kUp) return d;
  return nullptr;
}

bool Supervisor::LimiterAllows(Slot& s) {
  if (s.spec.kind != Kind::kLongRun || s.spec.respawn_limit.max_starts <= 0) return true;
  auto now = host_->Now();
  const RespawnLimit& lim = s.spec.respawn_limit;
  // sysvinit spawn(): count starts within `interval` of the first one in the window.
  if (s.spawn_window != Clock::time_point{} && s.spawn_window + lim.interval > now) {
    ++s.spawn_count;
  } else {
    s.spawn_count = 0;
    s.spawn_window = now;
  }
  if (s.spawn_count < lim.max_starts) return true;
  s.disabled = true;
  if (lim.give_up) {
    s.disabled_until = Clock::time_point::max();
    s.executed = true;
    SetState(s, ServiceState::kFailed, ChangeReason::kStartLimitHit,
             fmt::format("start limit hit ({} starts within {} s), giving up", lim.max_starts,
                         lim.interval.count()));
    for (const auto& n : s.spec.on_failure) Start(n);
    return false;
  }
  s.disabled_until = now + lim.disable_for;
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(lim.disable_for).count();
  log::Warn("Id \"{}\" respawning too fast: disabled for {} minutes", s.spec.name, minutes);
  // Reported too (status output; a client waiting for the start learns why nothing happens).
  SetState(s, ServiceState::kStopped, ChangeReason::kRespawnTooFast,
           fmt::format("respawning too fast: disabled for {} minutes", minutes));
  return false;
}

void Supervisor::Begin(Slot& s) {
  s.by_request = s.killed = s.was_up = s.run_failed = s.timed_out = false;
  s.transition = false;
  s.run_status = -1;
  s.group = 0;  // the last run's group is gone (its number may be another's by now)
  s.status_text.clear();
  s.watchdog_at.reset();
  s.watchdog_limit = s.spec.watchdog;
  s.watchdog_fired = false;
  if (s.spec.condition) {
    std::string why;
    bool ok = true;
    try {
      ok = s.spec.condition(&why);
    } catch (const std::exception& e) {
      log::Warn("{}: condition check failed ({}); starting it", s.spec.name, e.what());
    }
    if (!ok) {
      s.executed = true;
      s.why = "skipped: " + why;
      if (s.spec.report_states) log::Info("{}: {}", s.spec.name, s.why);
      host_->StateChanged(s.spec, s.state, s.state, ChangeReason::kSkipped, s.why);
      return;
    }
  }
  if (!LimiterAllows(s)) return;
  StopConflicts(s);
  if (s.spec.kind == Kind::kTask) s.executed = true;
  SetState(s, ServiceState::kStarting);
  if (s.spec.assertion) {
    std::string why;
    bool ok = true;
    try {
      ok = s.spec.assertion(&why);
    } catch (const std::exception& e) {
      log::Warn("{}: assertion check failed ({}); starting it", s.spec.name, e.what());
    }
    if (!ok) {
      FailStart(s, why);
      return;
    }
  }
  if (std::string err; !host_->PrepareStart(s.spec, &err)) {
    FailStart(s, err);
    return;
  }
  switch (RunSteps(s, Phase::kStartPre, 0)) {
    case StepResult::kRunning:
      return;
    case StepResult::kFailed:
      FailStart(s, "a start_pre step could not be run");
      return;
    case StepResult::kDone:
      break;
  }
  SpawnMain(s);
}

bool Supervisor::SpawnMain(Slot& s) {
  ++s.starts;
  if (s.spec.kind == Kind::kScripted && s.spec.command.argv.empty()) {
    StartPost(s);  // a grouping node: nothing to run
    return true;
  }
  pid_t pid = host_->Spawn(s.spec, s.spec.command, level_, prev_, {});
  if (pid <= 0) {
    // A start that ended at once, as with sysvinit's fork+exec: stop_post runs, then the
    // restart rule decides (the caller tries again until the limiter ends it).
    FailStart(s, "could not be started");
    return false;
  }
  s.pid = pid;
  s.group = pid;  // started with setsid: its own session and process group
  s.phase = Phase::kStart;
  if (s.spec.kind == Kind::kLongRun && s.starts > 1)
    log::Info("respawned {} (pid {}, start {} in this window)", s.spec.name, pid,
              s.spawn_count + 1);
  if (s.spec.start_timeout.count() > 0) s.deadline = host_->Now() + s.spec.start_timeout;
  if (s.spec.kind != Kind::kLongRun) return true;
  if (s.spec.readiness == Readiness::kForking) return true;  // the launcher runs
  host_->MainStarted(s.spec, pid);
  if (s.spec.readiness == Readiness::kNotify) return true;  // until READY=1
  s.deadline.reset();
  StartPost(s);
  return true;
}

const std::vector<Command>* Supervisor::StepsOf(const ServiceSpec& spec, Phase phase) {
  switch (phase) {
    case Phase::kStartPre:
      return &spec.start_pre;
    case Phase::kStartPost:
      return &spec.start_post;
    case Phase::kReload:
      return &spec.reload;
    case Phase::kStop:
      return &spec.stop;
    case Phase::kStopPost:
      return &spec.stop_post;
    default:
      return nullptr;  // phases that run no step list
  }
}

Supervisor::StepResult Supervisor::RunSteps(Slot& s, Phase phase, size_t index) {
  const std::vector<Command>* list = StepsOf(s.spec, phase);
  if (!list) return StepResult::kDone;
  bool must = phase == Phase::kStartPre || phase == Phase::kStartPost;
  for (; index < list->size(); ++index) {
    std::vector<std::string> env;
    if (s.pid > 0 && s.spec.kind == Kind::kLongRun)
      env.push_back("MAINPID=" + std::to_string(s.pid));
    pid_t pid = host_->Spawn(s.spec, (*list)[index], level_, prev_, env);
    if (pid > 0) {
      s.ctl = pid;
      s.phase = phase;
      s.step_index = index;
      auto now = host_->Now();
      if (must) {
        if (s.spec.start_timeout.count() > 0)
          s.deadline = now + s.spec.start_timeout;
        else
          s.deadline.reset();
      } else if (phase == Phase::kReload) {
        s.deadline =
            now + (s.spec.start_timeout.count() > 0 ? s.spec.start_timeout : milliseconds(90000));
      } else {
        s.deadline = now + StopWait(s);
        if (stop_cap_ && *s.deadline > *stop_cap_) s.deadline = stop_cap_;
      }
      return StepResult::kRunning;
    }
    if (must && !(*list)[index].ignore_failure) return StepResult::kFailed;
  }
  return StepResult::kDone;
}

void Supervisor::StartPost(Slot& s) {
  if (s.spec.kind == Kind::kLongRun) ArmWatchdog(s);  // the start is complete (systemd)
  switch (RunSteps(s, Phase::kStartPost, 0)) {
    case StepResult::kRunning:
      return;
    case StepResult::kFailed:
      FailStart(s, "a start_post step could not be run");
      return;
    case StepResult::kDone:
      BecameUp(s);
  }
}

void Supervisor::BecameUp(Slot& s) {
  s.was_up = true;
  s.deadline.reset();
  s.poll_at.reset();
  s.phase = s.spec.kind == Kind::kLongRun ? Phase::kRunning : Phase::kIdle;
  SetState(s, ServiceState::kUp);
}

void Supervisor::FailStart(Slot& s, const std::string& why) {
  s.run_failed = true;
  s.why = why;
  s.deadline.reset();
  s.poll_at.reset();
  // A forking launcher's daemon may be left in the group without a known pid.
  bool leftovers =
      (s.spec.kill_mode == KillMode::kControlGroup || s.spec.kill_mode == KillMode::kMixed) &&
      s.group > 0 && host_->GroupAlive(s.group);
  if (Busy(s) || leftovers) {
    Terminate(s);
  } else {
    StopPost(s, 0);
  }
}

bool Supervisor::StartWalk(bool only_manual, bool* began, Slot** first_waiting,
                           bool* any_in_progress) {
  auto in_progress = [](const Slot& s) {
    return s.ctl > 0 || (Busy(s) && s.state != ServiceState::kUp) ||
           s.state == ServiceState::kStarting || s.state == ServiceState::kStopping;
  };
  for (auto& s : slots_) {
    if (Busy(s)) {
      *any_in_progress |= in_progress(s);
      if (s.spec.blocking && s.pid > 0) return false;
      continue;
    }
    *any_in_progress |= in_progress(s);
    if (!Pending(s) || (only_manual && !s.manual)) continue;
    if (const Slot* d = FailedNeed(s)) {
      s.executed = true;
      SetState(s, ServiceState::kFailed, ChangeReason::kDependencyFailed,
               "dependency " + d->spec.name + " failed");
      for (const auto& n : s.spec.on_failure) Start(n);
      continue;
    }
    if (DepPending(s)) {
      if (!*first_waiting) *first_waiting = &s;
      continue;
    }
    if (const Slot* d = MissingRequisite(s)) {
      s.executed = true;
      SetState(s, ServiceState::kFailed, ChangeReason::kRequisiteMissing,
               "requisite " + d->spec.name + " is not started");
      for (const auto& n : s.spec.on_failure) Start(n);
      continue;
    }
    *began = true;
    if (s.spec.kind == Kind::kLongRun && s.spec.restart == Restart::kAlways &&
        s.spec.restart_delay.count() == 0) {
      // An exec failure counts as a start that ended at once (sysvinit's fork+exec); the
      // limiter ends the retries, and the bound holds even for a limit whose window is zero.
      int tries = std::max(s.spec.respawn_limit.max_starts, 0);
      for (int i = 0; i <= tries && Pending(s); ++i) Begin(s);
    } else {
      Begin(s);
    }
    *any_in_progress |= in_progress(s);
    if (s.pid > 0 && s.spec.blocking) return false;
  }
  return true;
}

void Supervisor::StartIfNeeded(bool only_manual) {
  if (frozen_) return;
  Slot* first_waiting = nullptr;
  bool any_in_progress = false;
  // Walk again while a walk started something and left something waiting: what it started
  // may be up already (a simple daemon, a grouping node), and a service earlier in the list
  // that waits for it may go now. Bounded: each walk but the last starts a service.
  for (size_t walk = 0; walk <= slots_.size(); ++walk) {
    bool began = false;
    first_waiting = nullptr;
    any_in_progress = false;
    if (!StartWalk(only_manual, &began, &first_waiting, &any_in_progress)) return;
    if (!began || !first_waiting) break;
  }
  if (first_waiting && !any_in_progress && !only_manual) {
    // Everything left waits on something that will never settle: a loop in `after`.
    log::Warn("{}: its dependencies wait on each other; starting it anyway",
              first_waiting->spec.name);
    Begin(*first_waiting);
  }
}

}  // namespace ctinit
