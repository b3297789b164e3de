// Process events of the per-service state machine: a main or control process ended, a forking
// daemon's pid file, a phase's deadline.
#include <signal.h>

#include "init/base/log.h"
#include "init/engine/supervisor.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

void Supervisor::Adopt(Slot& s, pid_t pid) {
  Touch(s);
  if (!host_->ProcessAlive(pid)) {
    s.run_failed = true;
    FailStart(s, fmt::format("the daemon (pid {} from its pid file) is gone", pid));
    return;
  }
  s.pid = pid;
  host_->MainStarted(s.spec, pid);
  StartPost(s);
}

void Supervisor::ReadPidFile(Slot& s) {
  Touch(s);
  auto now = host_->Now();
  if (!s.spec.pidfile.empty()) {
    if (auto p = host_->ReadPidFile(s.spec.pidfile); p && p->pid > 0) {
      s.poll_at.reset();
      if (p->owner != 0 && !host_->ProcessBelongsTo(p->pid, s.group) &&
          !host_->ProcessRunsAs(p->pid, p->owner)) {
        // systemd: a pid file a non-root user could write names only the service's processes
        // (here also: one of that user's own processes, see ProcessRunsAs).
        log::Warn(
            "{}: pid file {} (owner uid {}) names pid {}, which is not the service's: refused",
            s.spec.name, s.spec.pidfile, p->owner, p->pid);
        FailStart(s, fmt::format("its pid file names a process that is not the service's (pid {})",
                                 p->pid));
        return;
      }
      Adopt(s, p->pid);
      return;
    }
    // Not written yet: look again every 100 ms, within the start timeout (or 5 s).
    if (!s.deadline) s.deadline = now + milliseconds(5000);
    s.poll_at = now + milliseconds(100);
    return;
  }
  if (s.spec.guess_main_pid) {
    if (auto p = host_->GuessMainPid(s.group); p && *p > 0) {
      Adopt(s, *p);
      return;
    }
  }
  StartPost(s);  // up without a known main process
}

void Supervisor::OnMainExit(Slot& s, int status) {
  Touch(s);
  s.pid = 0;
  s.watchdog_at.reset();
  s.last_status = status;
  switch (s.phase) {
    case Phase::kStart:
      s.run_status = status;
      if (s.spec.kind == Kind::kTask) {
        s.run_failed = !Succeeded(s.spec, status);
        StopPost(s, 0);
      } else if (s.spec.kind == Kind::kScripted) {
        if (Succeeded(s.spec, status)) {
          s.run_status = -1;
          StartPost(s);
        } else {
          FailStart(s, "start " + Describe(status));
        }
      } else if (s.spec.readiness == Readiness::kForking) {
        if (Succeeded(s.spec, status)) {
          s.run_status = -1;
          ReadPidFile(s);
        } else {
          FailStart(s, "the start command " + Describe(status));
        }
      } else {
        FailStart(s, "it " + Describe(status) + " before it was ready");
      }
      return;
    case Phase::kRunning:
      s.run_status = status;
      if (s.was_up && !s.spec.stop.empty()) {
        SetState(s, ServiceState::kStopping, ChangeReason::kExited, Describe(status));
        StopSteps(s, 0);
      } else if ((s.spec.kill_mode == KillMode::kControlGroup ||
                  s.spec.kill_mode == KillMode::kMixed) &&
                 s.group > 0 && host_->GroupAlive(s.group)) {
        Terminate(s);  // what it left behind in its group
      } else {
        StopPost(s, 0);
      }
      return;
    case Phase::kStartPost:
    case Phase::kReload:
      s.run_status = status;
      if (s.phase == Phase::kStartPost) s.run_failed = true;
      Terminate(s);  // the running step goes too
      return;
    case Phase::kStopSignal:
      if (s.run_status < 0 && !s.stop_begun()) s.run_status = status;
      Advance(s);
      return;
    default:
      return;  // kStop: the remaining stop steps run; then nothing is left to signal
  }
}

void Supervisor::OnCtlExit(Slot& s, int status) {
  Touch(s);
  s.ctl = 0;
  s.deadline.reset();
  if (s.phase == Phase::kStopSignal) return Advance(s);
  const std::vector<Command>* list = StepsOf(s.spec, s.phase);
  if (!list) return;
  size_t i = s.step_index;
  bool ok = Succeeded(s.spec, status) || (i < list->size() && (*list)[i].ignore_failure);
  switch (s.phase) {
    case Phase::kCondition:
      if (ok) return ConditionSteps(s, i + 1);
      if (WIFEXITED(status) && WEXITSTATUS(status) < 255) {
        // systemd: 1-254 means "not now" — like a false Condition*=, but stop_post runs.
        s.skipped = true;
        s.why = "skipped: its start condition " + Describe(status);
        return StopPost(s, 0);
      }
      return FailStart(s, "its start condition " + Describe(status));
    case Phase::kStartPre:
      if (!ok) return FailStart(s, "a start_pre step " + Describe(status));
      return StartPre(s, i + 1);
    case Phase::kStartPost:
      if (!ok) return FailStart(s, "a start_post step " + Describe(status));
      switch (RunSteps(s, Phase::kStartPost, i + 1)) {
        case StepResult::kRunning:
          return;
        case StepResult::kFailed:
          return FailStart(s, "a start_post step could not be run");
        case StepResult::kDone:
          BecameUp(s);
      }
      return;
    case Phase::kReload:
      if (s.stop_begun()) return StopSteps(s, 0);  // a stop came while it reloaded
      if (!ok) {
        log::Warn("{}: reload step {}", s.spec.name, Describe(status));
        s.phase = s.spec.kind == Kind::kLongRun ? Phase::kRunning : Phase::kIdle;
        host_->StateChanged(s.spec, s.state, s.state, ChangeReason::kReloadFailed, "reload failed");
        return;
      }
      if (RunSteps(s, Phase::kReload, i + 1) == StepResult::kRunning) return;
      s.phase = s.spec.kind == Kind::kLongRun ? Phase::kRunning : Phase::kIdle;
      host_->StateChanged(s.spec, s.state, s.state, ChangeReason::kReloaded, "reloaded");
      return;
    case Phase::kStop:
      if (!ok) log::Warn("{}: stop step {}", s.spec.name, Describe(status));
      StopSteps(s, i + 1);
      return;
    case Phase::kStopPost:
      if (!ok) log::Warn("{}: stop_post step {}", s.spec.name, Describe(status));
      StopPost(s, i + 1);
      return;
    default:
      return;
  }
}

void Supervisor::OnDeadline(Slot& s) {
  Touch(s);
  switch (s.phase) {
    case Phase::kCondition:
    case Phase::kStartPre:
    case Phase::kStart:
    case Phase::kStartPost:
      log::Warn("{}: start timed out", s.spec.name);
      s.timed_out = true;
      if (s.pid <= 0 && s.ctl <= 0 && s.phase == Phase::kStart) {
        FailStart(s, "its pid file did not appear in time");
        return;
      }
      FailStart(s, "start timed out");
      return;
    case Phase::kReload:
    case Phase::kStop:
    case Phase::kStopPost:
      if (s.ctl > 0) {
        log::Warn("{}: step timed out; sending SIGKILL to pid {}", s.spec.name, s.ctl);
        host_->KillGroup(s.ctl, SIGKILL);
      }
      return;
    case Phase::kStopSignal:
      if (!s.killed) {
        log::Info("Sending SIGKILL to {} (pid {}): it did not stop in time", s.spec.name, s.pid);
        FinalKill(s);
      } else {
        log::Warn("{}: processes still around after SIGKILL; not waiting for them", s.spec.name);
        s.pid = 0;
        s.ctl = 0;
        s.group = 0;
        AfterTerminate(s);
      }
      return;
    default:
      return;
  }
}

}  // namespace ctinit
