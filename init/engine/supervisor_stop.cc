// Stopping (supervisor.h, "Stopping order" and the stop half of the per-service state machine):
// stop requests in reverse dependency order, stop steps, signals, the final kill, and the end of
// a run with its restart decision.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include "init/base/log.h"
#include "init/engine/supervisor.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

milliseconds Supervisor::StopWait(const Slot& s) const {
  return s.spec.stop_timeout.count() > 0 ? s.spec.stop_timeout : level_kill_wait_;
}

void Supervisor::RequestStop(Slot& s, bool transition) {
  Touch(s);
  if (!Active(s)) {
    s.restart_at.reset();
    return;
  }
  if (s.stop_queued() || (s.state == ServiceState::kStopping && s.stop_begun())) return;
  s.SetDesired(true, false, s.starts_again());
  s.transition = transition;
  if (transition) maybe_transition_ = true;
  again_ = true;  // the drain begins it (once what is ordered after it has stopped)
}

bool Supervisor::StopWaits(const Slot& s) {
  auto still_stopping = [&](const Slot& d) {
    return &d != &s && Active(d) && (d.stop_queued() || d.state == ServiceState::kStopping);
  };
  if (const Named* n = NamedOf(s.spec.name)) {
    stats_.slots_visited += n->stop_first.size();
    for (const Slot* d : n->stop_first)
      if (still_stopping(*d)) return true;
  }
  if (Stage(s) == 2) return false;  // no stage comes after the last one
  // A sysinit or boot stage service (few): a later stage still stopping holds it.
  stats_.slots_visited += slots_.size();
  return std::any_of(slots_.begin(), slots_.end(),
                     [&](const Slot& d) { return Stage(d) > Stage(s) && still_stopping(d); });
}

void Supervisor::BeginStops() {
  auto later = [](const Slot* a, const Slot* b) { return a->position > b->position; };
  bool progress = true;
  while (progress) {
    progress = false;
    // One pass over the slots with a stop request, in list order; a request made during the
    // pass joins it when it comes later in the list (as a pass over every slot would find it).
    SyncIndexes();
    const uint64_t pass = ++walks_;
    std::vector<Slot*> heap;
    size_t seen = 0;
    auto take_new = [&](size_t after) {
      for (; seen < stop_requests_.size(); ++seen) {
        Slot* s = stop_requests_[seen];
        if (!s->stop_queued() || s->walk_mark == pass || Retired(*s)) continue;
        if (s->position <= after && after != SIZE_MAX) continue;  // the next pass takes it
        s->walk_mark = pass;
        heap.push_back(s);
        std::push_heap(heap.begin(), heap.end(), later);
      }
    };
    take_new(SIZE_MAX);
    stop_requests_.clear();
    seen = 0;
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Slot& s = *heap.back();
      heap.pop_back();
      ++stats_.slots_visited;
      if (!s.stop_queued() || StopWaits(s)) {
        if (s.stop_queued()) stop_requests_.push_back(&s);
        continue;
      }
      BeginStop(s);  // the queued stop begins
      progress = true;
      SyncIndexes();
      take_new(s.position);
    }
  }
}

void Supervisor::BeginStop(Slot& s) {
  Touch(s);
  s.SetDesired(false, true, s.starts_again());
  s.restart_at.reset();
  s.watchdog_at.reset();
  s.poll_at.reset();
  switch (s.phase) {
    case Phase::kIdle:
      if (s.state == ServiceState::kUp) {  // a started kScripted
        SetState(s, ServiceState::kStopping);
        StopSteps(s, 0);
      } else {
        EndRun(s, /*ran=*/false);  // between restarts: the last run has ended already
      }
      return;
    case Phase::kRunning:
      SetState(s, ServiceState::kStopping);
      StopSteps(s, 0);
      return;
    case Phase::kReload:
      SetState(s, ServiceState::kStopping);
      host_->KillGroup(s.ctl, SIGTERM);  // its end continues with the stop steps
      return;
    case Phase::kCondition:
    case Phase::kStartPre:
    case Phase::kStart:
    case Phase::kStartPost:
      SetState(s, ServiceState::kStopping);
      Terminate(s);
      return;
    case Phase::kStop:
    case Phase::kStopSignal:
    case Phase::kStopPost:
      return;  // already on its way
  }
}

void Supervisor::StopSteps(Slot& s, size_t index) {
  Touch(s);
  if (s.was_up && RunSteps(s, Phase::kStop, index) == StepResult::kRunning) return;
  Terminate(s);
}

void Supervisor::Terminate(Slot& s) {
  Touch(s);
  s.phase = Phase::kStopSignal;
  s.watchdog_at.reset();
  if (s.state == ServiceState::kStarting || s.state == ServiceState::kUp)
    SetState(s, ServiceState::kStopping);
  const ServiceSpec& sp = s.spec;
  const int sig = s.watchdog_fired ? sp.watchdog_signal : sp.stop_signal;
  bool signalled = false;
  if (s.pid > 0) {
    switch (sp.kill_mode) {
      case KillMode::kGroup:
      case KillMode::kControlGroup:
        host_->KillGroup(s.pid, sig);
        if (sp.send_sighup) host_->KillGroup(s.pid, SIGHUP);
        signalled = true;
        break;
      case KillMode::kProcess:
      case KillMode::kMixed:
        host_->KillProcess(s.pid, sig);
        if (sp.send_sighup) host_->KillProcess(s.pid, SIGHUP);
        signalled = true;
        break;
      case KillMode::kNone:
        // No signals: stopped once its stop steps have run; the process is left alone.
        log::Info("{}: kill mode none: leaving pid {}", sp.name, s.pid);
        s.pid = 0;
        break;
    }
  }
  if (sp.kill_mode == KillMode::kControlGroup && s.group > 0 && s.group != s.pid &&
      host_->GroupAlive(s.group)) {
    host_->KillGroup(s.group, sig);
    signalled = true;
  }
  if (s.ctl > 0) host_->KillGroup(s.ctl, SIGTERM);
  if (signalled) {
    if (sp.report_states && !s.transition)
      log::Info("{}: sent signal {} to pid {}", sp.name, sig, s.pid);
    else
      batch_.push_back(sp.name);
  }
  auto now = host_->Now();
  auto deadline = now + StopWait(s);
  if (stop_cap_ && deadline > *stop_cap_) deadline = *stop_cap_;
  s.deadline.reset();
  if (Terminated(s)) {
    AfterTerminate(s);
    return;
  }
  if (sp.kill_mode == KillMode::kMixed && s.pid <= 0 && s.ctl <= 0) {
    FinalKill(s);  // mixed: what is left of the group once the main process is gone
    if (Terminated(s)) AfterTerminate(s);
    return;
  }
  if (deadline <= now) {
    FinalKill(s);
  } else {
    s.deadline = deadline;
  }
}

void Supervisor::FinalKill(Slot& s) {
  Touch(s);
  s.killed = true;
  s.deadline.reset();
  const ServiceSpec& sp = s.spec;
  if (!sp.send_sigkill || sp.kill_mode == KillMode::kNone) {
    // SendSIGKILL=no: stop waiting; what is left stays (until the final sweep).
    log::Warn("{}: did not stop in time; leaving its processes", sp.name);
    s.pid = 0;
    s.ctl = 0;
    AfterTerminate(s);
    return;
  }
  int sig = sp.final_kill_signal > 0 ? sp.final_kill_signal : SIGKILL;
  if (s.pid > 0) {
    if (sp.kill_mode == KillMode::kProcess)
      host_->KillProcess(s.pid, sig);
    else
      host_->KillGroup(s.pid, sig);
  }
  if ((sp.kill_mode == KillMode::kControlGroup || sp.kill_mode == KillMode::kMixed) &&
      s.group > 0 && s.group != s.pid && host_->GroupAlive(s.group))
    host_->KillGroup(s.group, sig);
  if (s.ctl > 0) host_->KillGroup(s.ctl, SIGKILL);
  // A group that survives SIGKILL (not our children, so no SIGCHLD tells us) is not waited
  // for long.
  if (s.pid <= 0 && s.ctl <= 0) s.deadline = host_->Now() + milliseconds(1000);
}

bool Supervisor::Terminated(const Slot& s) {
  if (Busy(s)) return false;
  if ((s.spec.kind == Kind::kLongRun) &&
      (s.spec.kill_mode == KillMode::kControlGroup || s.spec.kill_mode == KillMode::kMixed) &&
      s.group > 0 && host_->GroupAlive(s.group))
    return false;
  return true;
}

void Supervisor::Advance(Slot& s) {
  Touch(s);
  if (s.phase != Phase::kStopSignal) return;
  if (s.spec.kill_mode == KillMode::kMixed && s.pid <= 0 && s.ctl <= 0 && !s.killed &&
      s.group > 0 && host_->GroupAlive(s.group)) {
    FinalKill(s);  // mixed: the rest of the group gets SIGKILL once the main process is gone
  }
  if (Terminated(s)) AfterTerminate(s);
}

void Supervisor::AfterTerminate(Slot& s) {
  Touch(s);
  s.deadline.reset();
  StopPost(s, 0);
}

void Supervisor::StopPost(Slot& s, size_t index) {
  Touch(s);
  if (RunSteps(s, Phase::kStopPost, index) == StepResult::kRunning) return;
  EndRun(s);
}

namespace {

enum class Outcome { kClean, kExitCode, kSignal, kTimeout, kWatchdog };

bool RestartFor(Restart policy, Outcome o) {
  switch (policy) {
    case Restart::kAlways:
      return true;
    case Restart::kNo:
      return false;
    case Restart::kOnSuccess:
      return o == Outcome::kClean;
    case Restart::kOnFailure:
      return o != Outcome::kClean;
    case Restart::kOnAbnormal:
      return o == Outcome::kSignal || o == Outcome::kTimeout || o == Outcome::kWatchdog;
    case Restart::kOnAbort:
      return o == Outcome::kSignal;
    case Restart::kOnWatchdog:
      return o == Outcome::kWatchdog;
  }
  return false;
}

}  // namespace

void Supervisor::EndRun(Slot& s, bool ran) {
  Touch(s);
  s.phase = Phase::kIdle;
  s.deadline.reset();
  s.poll_at.reset();
  s.restart_at.reset();
  s.watchdog_at.reset();
  s.pid = 0;
  s.ctl = 0;
  s.group = 0;
  s.killed = false;
  bool requested = s.stop_begun();
  bool again = s.starts_again();
  s.SetDesired(s.stop_queued(), false, again);
  s.transition = false;
  if (ran) host_->AfterStop(s.spec);
  auto start_again = [this, &s] {
    s.SetStartsAgain(false);
    s.executed = false;
    if (s.manual)
      s.demand = true;
    else
      s.override = true;
    GrowWanted(s);
  };
  if (requested) {
    // Stopped between restarts: no state change, but the stop is reported all the same.
    SetState(s, ServiceState::kStopped, ChangeReason::kStopped,
             s.state == ServiceState::kStopped ? "stopped" : "");
    if (s.manual) DropDemand(s);
    if (again) start_again();
    return;
  }
  if (s.skipped) {
    // A start condition said "not now": done for this level, neither failed nor restarted.
    s.executed = true;
    if (s.manual) DropDemand(s);
    if (again) s.SetStartsAgain(false);
    SetState(s, ServiceState::kStopped, ChangeReason::kSkipped, s.why);
    return;
  }
  Outcome o = Outcome::kClean;
  if (s.watchdog_fired) {
    o = Outcome::kWatchdog;
  } else if (s.timed_out) {
    o = Outcome::kTimeout;
  } else if (s.run_status >= 0 && WIFSIGNALED(s.run_status) && !CleanEnd(s.spec, s.run_status)) {
    o = Outcome::kSignal;
  } else if (s.run_failed || (s.run_status >= 0 && !CleanEnd(s.spec, s.run_status))) {
    o = Outcome::kExitCode;
  }
  std::string what =
      (s.run_failed && !s.why.empty()) || s.run_status < 0 ? s.why : Describe(s.run_status);
  bool prevented = s.run_status >= 0 && WIFEXITED(s.run_status) &&
                   Contains(s.spec.restart_prevent_status, WEXITSTATUS(s.run_status));
  if (again) {
    // Start() came while it was ending on its own: it starts again, whatever its policy.
    start_again();
    SetState(s, ServiceState::kStopped, ChangeReason::kStartingAgain, what + ", starting again");
    return;
  }
  if (s.spec.kind == Kind::kLongRun && !prevented && RestartFor(s.spec.restart, o)) {
    if (s.spec.restart_delay.count() > 0) {
      s.restart_at = host_->Now() + s.spec.restart_delay;
      SetState(s, ServiceState::kStopped, ChangeReason::kRestarting,
               fmt::format("{}, restarting in {:.3f} s", what, Seconds(s.spec.restart_delay)));
    } else {
      SetState(s, ServiceState::kStopped, ChangeReason::kRestarting, what + ", restarting");
    }
    return;  // started again by StartIfNeeded (the limiter applies)
  }
  s.executed = true;
  if (s.manual) DropDemand(s);
  if (o == Outcome::kClean) {
    SetState(s, ServiceState::kStopped, ChangeReason::kFinished,
             s.spec.kind == Kind::kTask ? "finished" : what);
  } else {
    SetState(s, ServiceState::kFailed, ChangeReason::kFailed, what);
    for (const auto& n : s.spec.on_failure) Start(n);
  }
  // Whatever binds_to it goes down with it.
  if (const Named* n = NamedOf(s.spec.name)) {
    for (Slot* t : std::vector<Slot*>(n->bound)) {
      if (t != &s && Active(*t)) {
        NotWanted(*t);
        RequestStop(*t, false);
      }
    }
  }
}

}  // namespace ctinit
