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
         !s.executed && !s.disabled && !s.restart_at && !s.stop_queued();
}

bool Supervisor::DepPending(const Slot& s) const {
  auto pending = [&](const std::string& name) {
    const Slot* d = Find(name);
    if (!d || d == &s) return false;
    if (d->state == ServiceState::kStarting || StartPhase(d->phase)) return true;
    if (!d->wanted) return false;
    // Wanted and going down (or about to): it comes back (a restart); wait for that.
    if (d->stop_queued() || d->state == ServiceState::kStopping) return true;
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
  Touch(s);
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
  Touch(s);
  s.SetDesired(s.stop_queued(), false, s.starts_again());
  s.killed = s.was_up = s.run_failed = s.timed_out = s.skipped = false;
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
  ConditionSteps(s, 0);
}

void Supervisor::ConditionSteps(Slot& s, size_t index) {
  switch (RunSteps(s, Phase::kCondition, index)) {
    case StepResult::kRunning:
      return;
    case StepResult::kFailed:
      return FailStart(s, "a start_condition step could not be run");
    case StepResult::kDone:
      return StartPre(s, 0);
  }
}

void Supervisor::StartPre(Slot& s, size_t index) {
  switch (RunSteps(s, Phase::kStartPre, index)) {
    case StepResult::kRunning:
      return;
    case StepResult::kFailed:
      return FailStart(s, "a start_pre step could not be run");
    case StepResult::kDone:
      SpawnMain(s);
  }
}

bool Supervisor::SpawnMain(Slot& s) {
  Touch(s);
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
    case Phase::kCondition:
      return &spec.start_condition;
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
  Touch(s);
  const std::vector<Command>* list = StepsOf(s.spec, phase);
  if (!list) return StepResult::kDone;
  bool must = StartPhase(phase);
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
  Touch(s);
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
  Touch(s);
  s.was_up = true;
  s.deadline.reset();
  s.poll_at.reset();
  s.phase = s.spec.kind == Kind::kLongRun ? Phase::kRunning : Phase::kIdle;
  SetState(s, ServiceState::kUp);
}

void Supervisor::FailStart(Slot& s, const std::string& why) {
  Touch(s);
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

std::vector<Supervisor::Slot*> Supervisor::WalkSeeds() {
  std::vector<Slot*> seeds;
  if (walk_all_) {
    walk_all_ = false;
    for (auto& s : slots_) seeds.push_back(&s);
    return seeds;
  }
  // What a walk over every service would find: only a slot that changed, or one that waits
  // for a slot that changed, or one that was left waiting, can start now.
  for (Slot* t : touched_) {
    if (Retired(*t)) continue;  // in removed_: never started again
    seeds.push_back(t);
    if (const Named* n = NamedOf(t->spec.name))
      seeds.insert(seeds.end(), n->start_waiters.begin(), n->start_waiters.end());
  }
  seeds.insert(seeds.end(), waiting_.begin(), waiting_.end());
  return seeds;
}

bool Supervisor::AnyStartInProgress() {
  stats_.slots_visited += slots_.size();
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) {
    return s.ctl > 0 || (Busy(s) && s.state != ServiceState::kUp) ||
           s.state == ServiceState::kStarting || s.state == ServiceState::kStopping;
  });
}

bool Supervisor::StartWalk(bool only_manual, const std::vector<Slot*>& seeds, bool* began,
                           Slot** first_waiting) {
  const uint64_t walk = ++walks_;
  // Visited in list order; a slot touched during the walk adds itself and its waiters when
  // they come later in the list (a walk over everything would reach them in this walk).
  auto later = [](const Slot* a, const Slot* b) { return a->position > b->position; };
  std::vector<Slot*> heap;
  auto add = [&](Slot* s) {
    if (s->walk_mark == walk) return;
    s->walk_mark = walk;
    heap.push_back(s);
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (Slot* s : seeds) add(s);
  // sysvinit: the walk stops at the first blocking service whose process runs.
  size_t cut = SIZE_MAX;
  for (const Slot* b : blocking_) {
    if (b->pid > 0) {
      cut = b->position;
      break;
    }
  }
  waiting_.clear();
  size_t absorbed = touched_.size();
  auto absorb = [&](const Slot& at) {
    for (; absorbed < touched_.size(); ++absorbed) {
      Slot* t = touched_[absorbed];
      if (Retired(*t)) continue;
      if (t->position > at.position) add(t);
      if (const Named* n = NamedOf(t->spec.name))
        for (Slot* w : n->start_waiters)
          if (w->position > at.position) add(w);
    }
  };
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Slot& s = *heap.back();
    heap.pop_back();
    if (s.position >= cut) break;
    ++stats_.slots_visited;
    if (Busy(s) || !Pending(s) || (only_manual && !s.manual)) continue;
    if (const Slot* d = FailedNeed(s)) {
      s.executed = true;
      SetState(s, ServiceState::kFailed, ChangeReason::kDependencyFailed,
               "dependency " + d->spec.name + " failed");
      for (const auto& n : s.spec.on_failure) Start(n);
      absorb(s);
      continue;
    }
    if (DepPending(s)) {
      if (!*first_waiting) *first_waiting = &s;
      waiting_.push_back(&s);
      continue;
    }
    if (const Slot* d = MissingRequisite(s)) {
      s.executed = true;
      SetState(s, ServiceState::kFailed, ChangeReason::kRequisiteMissing,
               "requisite " + d->spec.name + " is not started");
      for (const auto& n : s.spec.on_failure) Start(n);
      absorb(s);
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
    if (s.pid > 0 && s.spec.blocking) {
      walk_all_ = true;  // what comes after it was not looked at
      return false;
    }
    absorb(s);
  }
  if (cut != SIZE_MAX) {
    walk_all_ = true;
    return false;
  }
  return true;
}

void Supervisor::StartIfNeeded(bool only_manual) {
  if (frozen_) return;
  StartWalks(only_manual);
  // While only manual services may start, the others were passed over: all of them next time.
  if (only_manual) walk_all_ = true;
}

void Supervisor::StartWalks(bool only_manual) {
  Slot* first_waiting = nullptr;
  // Walk again while a walk started something and left something waiting: what it started
  // may be up already (a simple daemon, a grouping node), and a service earlier in the list
  // that waits for it may go now. Bounded: each walk but the last starts a service.
  for (size_t walk = 0; walk <= slots_.size(); ++walk) {
    bool began = false;
    first_waiting = nullptr;
    if (!StartWalk(only_manual, WalkSeeds(), &began, &first_waiting)) return;
    if (!began || !first_waiting) break;
  }
  if (first_waiting && !only_manual && !AnyStartInProgress()) {
    // Everything left waits on something that will never settle: a loop in `after`.
    log::Warn("{}: its dependencies wait on each other; starting it anyway",
              first_waiting->spec.name);
    Begin(*first_waiting);
  }
}

}  // namespace ctinit
