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
  if (!Active(s)) {
    s.restart_at.reset();
    return;
  }
  if (s.stop_requested || (s.state == ServiceState::kStopping && s.by_request)) return;
  s.stop_requested = true;
  s.transition = transition;
  again_ = true;  // the drain begins it (once what is ordered after it has stopped)
}

void Supervisor::BeginStops() {
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& s : slots_) {
      if (!s.stop_requested) continue;
      bool waiting = std::any_of(slots_.begin(), slots_.end(), [&](const Slot& d) {
        return &d != &s && (OrderedAfter(d, s.spec.name) || Stage(d) > Stage(s)) && Active(d) &&
               (d.stop_requested || d.state == ServiceState::kStopping);
      });
      if (waiting) continue;
      s.stop_requested = false;
      BeginStop(s);
      progress = true;
    }
  }
}

void Supervisor::BeginStop(Slot& s) {
  s.by_request = true;
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
  if (s.was_up && RunSteps(s, Phase::kStop, index) == StepResult::kRunning) return;
  Terminate(s);
}

void Supervisor::Terminate(Slot& s) {
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
  if (s.phase != Phase::kStopSignal) return;
  if (s.spec.kill_mode == KillMode::kMixed && s.pid <= 0 && s.ctl <= 0 && !s.killed &&
      s.group > 0 && host_->GroupAlive(s.group)) {
    FinalKill(s);  // mixed: the rest of the group gets SIGKILL once the main process is gone
  }
  if (Terminated(s)) AfterTerminate(s);
}

void Supervisor::AfterTerminate(Slot& s) {
  s.deadline.reset();
  StopPost(s, 0);
}

void Supervisor::StopPost(Slot& s, size_t index) {
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
  s.phase = Phase::kIdle;
  s.deadline.reset();
  s.poll_at.reset();
  s.restart_at.reset();
  s.watchdog_at.reset();
  s.pid = 0;
  s.ctl = 0;
  s.group = 0;
  s.killed = false;
  bool requested = s.by_request;
  s.by_request = false;
  s.transition = false;
  if (ran) host_->AfterStop(s.spec);
  auto start_again = [&s] {
    s.restart_after_stop = false;
    s.executed = false;
    if (s.manual)
      s.demand = true;
    else
      s.override = true;
  };
  if (requested) {
    // Stopped between restarts: no state change, but the stop is reported all the same.
    SetState(s, ServiceState::kStopped, ChangeReason::kStopped,
             s.state == ServiceState::kStopped ? "stopped" : "");
    if (s.manual) s.demand = false;
    if (s.restart_after_stop) start_again();
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
  if (s.restart_after_stop) {
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
  if (s.manual) s.demand = false;
  if (o == Outcome::kClean) {
    SetState(s, ServiceState::kStopped, ChangeReason::kFinished,
             s.spec.kind == Kind::kTask ? "finished" : what);
  } else {
    SetState(s, ServiceState::kFailed, ChangeReason::kFailed, what);
    for (const auto& n : s.spec.on_failure) Start(n);
  }
  // Whatever binds_to it goes down with it.
  for (auto& t : slots_) {
    if (&t != &s && Contains(t.spec.binds_to, s.spec.name) && Active(t)) {
      NotWanted(t);
      RequestStop(t, false);
    }
  }
}

}  // namespace ctinit
