// The supervisor (see supervisor.h): construction, lookups, status queries, the process and timer
// events, and the drain that every public call ends with. The rest is split by section:
// supervisor_levels.cc (levels and "wanted"), supervisor_requests.cc (Start/Stop/...),
// supervisor_start.cc, supervisor_stop.cc, supervisor_events.cc (a process ended, a deadline),
// supervisor_notify.cc (notify and watchdog).
#include "init/engine/supervisor.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <deque>

#include "init/base/log.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

const char* StateName(ServiceState s) {
  switch (s) {
    case ServiceState::kStopped:
      return "stopped";
    case ServiceState::kStarting:
      return "starting";
    case ServiceState::kUp:
      return "started";
    case ServiceState::kStopping:
      return "stopping";
    case ServiceState::kFailed:
      return "failed";
  }
  return "?";
}

const char* ReasonName(ChangeReason r) {
  switch (r) {
    case ChangeReason::kNone:
      return "none";
    case ChangeReason::kSkipped:
      return "skipped";
    case ChangeReason::kFinished:
      return "finished";
    case ChangeReason::kFailed:
      return "failed";
    case ChangeReason::kDependencyFailed:
      return "dependency-failed";
    case ChangeReason::kRequisiteMissing:
      return "requisite-missing";
    case ChangeReason::kStartLimitHit:
      return "start-limit-hit";
    case ChangeReason::kRespawnTooFast:
      return "respawning-too-fast";
    case ChangeReason::kRestarting:
      return "restarting";
    case ChangeReason::kStartingAgain:
      return "starting-again";
    case ChangeReason::kStopped:
      return "stopped";
    case ChangeReason::kExited:
      return "exited";
    case ChangeReason::kStoppingNotified:
      return "stopping-notified";
    case ChangeReason::kReloaded:
      return "reloaded";
    case ChangeReason::kReloadFailed:
      return "reload-failed";
  }
  return "?";
}

Supervisor::Supervisor(SupervisorHost* host, ServiceSet set, char default_level, char boot_level)
    : host_(host), default_level_(default_level), boot_level_(boot_level) {
  for (auto& spec : set.services) {
    Slot s;
    s.spec = std::move(spec);
    s.executed = IsEvent(s.spec.trigger);
    slots_.push_back(std::move(s));
  }
  Reindex();
}

bool Supervisor::Active(const Slot& s) {
  return Busy(s) || s.phase != Phase::kIdle || s.restart_at || s.state == ServiceState::kUp ||
         s.state == ServiceState::kStarting || s.state == ServiceState::kStopping;
}

int Supervisor::Stage(const Slot& s) {
  switch (s.spec.trigger) {
    case Trigger::kSysInit:
      return 0;
    case Trigger::kBoot:
      return 1;
    default:
      return 2;
  }
}

bool Supervisor::OrderedAfter(const Slot& later, const std::string& earlier) {
  return Contains(later.spec.after, earlier) || Contains(later.spec.needs, earlier) ||
         Contains(later.spec.binds_to, earlier);
}

void Supervisor::Boot() {
  auto entry = Enter([this] { Boot(); });
  if (!entry) return;
  frozen_ = false;
  level_ = '#';
  prev_ = 'N';
  did_boot_ = false;
  settled_reported_ = false;
  no_more_logged_ = false;
  stop_cap_.reset();
  removed_.clear();
  queued_.clear();
  std::erase_if(slots_, [](const Slot& s) { return s.manual; });
  for (auto& s : slots_) {
    Slot fresh;
    fresh.spec = std::move(s.spec);
    fresh.executed = IsEvent(fresh.spec.trigger);
    fresh.starts = s.starts;
    s = std::move(fresh);
  }
  Reindex();
  host_->StageEntered('#');
  Process();
}

void Supervisor::Freeze() {
  frozen_ = true;
  RearmTimer();
}

void Supervisor::CapStopWaits(std::optional<Clock::time_point> when) {
  stop_cap_ = when;
  if (when) {
    for (auto* v : {&slots_, &removed_})
      for (auto& s : *v)
        if (s.deadline && *s.deadline > *when &&
            (s.phase == Phase::kStop || s.phase == Phase::kStopSignal ||
             s.phase == Phase::kStopPost)) {
          s.deadline = when;
          Touch(s);
        }
  }
  RearmTimer();
}

void Supervisor::KillStoppingNow() {
  auto entry = Enter([this] { KillStoppingNow(); });
  if (!entry) return;
  TouchAll();
  for (auto* v : {&slots_, &removed_}) {
    for (auto& s : *v) {
      if (s.phase == Phase::kStopSignal && !s.killed) {
        log::Info("Sending SIGKILL to {} (pid {}): it did not stop in time", s.spec.name, s.pid);
        FinalKill(s);
      } else if ((s.phase == Phase::kStop || s.phase == Phase::kStopPost) && s.ctl > 0) {
        host_->KillGroup(s.ctl, SIGKILL);
      }
    }
  }
  Process();
}

std::optional<Supervisor::Status> Supervisor::Get(const std::string& name) const {
  const Slot* s = Find(name);
  if (!s) return std::nullopt;
  std::string text = s->status_text.empty() ? s->why : s->status_text;
  return Status{s->spec.name, s->state,      s->pid > 0 ? s->pid : s->ctl,
                s->manual,    s->wanted,     s->since,
                text,         s->last_status};
}

const ServiceSpec* Supervisor::Spec(const std::string& name) const {
  const Slot* s = Find(name);
  return s ? &s->spec : nullptr;
}

std::vector<Supervisor::Status> Supervisor::List() const {
  std::vector<Status> out;
  for (const auto& s : slots_) out.push_back(*Get(s.spec.name));
  return out;
}

bool Supervisor::OnChildExit(pid_t pid, int status) {
  if (pid <= 0) return false;  // slots that are not running hold pid 0
  auto entry = Enter([this, pid, status] { OnChildExit(pid, status); });
  if (!entry) return ByPid(pid) != nullptr;
  Slot* found = ByPid(pid);
  if (found) {
    Slot& s = *found;
    Touch(s);
    if (s.pid == pid) {
      // The host may change level from this callback: the slot must not look running.
      s.pid = 0;
      host_->ServiceExited(s.spec, pid, status);
      OnMainExit(s, status);
    } else {
      OnCtlExit(s, status);
    }
  }
  // A member of a group being waited for may have gone.
  SyncIndexes();
  std::vector<Slot*> waits;
  for (Slot* s : group_waits_) {
    s->in_group_waits = s->phase == Phase::kStopSignal;
    if (s->in_group_waits) waits.push_back(s);
  }
  std::sort(waits.begin(), waits.end(),
            [](const Slot* a, const Slot* b) { return a->position < b->position; });
  waits.erase(std::unique(waits.begin(), waits.end()), waits.end());
  group_waits_ = waits;
  stats_.slots_visited += waits.size();
  for (Slot* s : waits)
    if (s->phase == Phase::kStopSignal && s->pid <= 0 && s->ctl <= 0) Advance(*s);
  Process();
  return found != nullptr;
}

void Supervisor::OnTimer() {
  auto entry = Enter([this] { OnTimer(); });
  if (!entry) return;
  auto now = host_->Now();
  for (Slot* s : DueSlots(now)) OnTimerFor(*s, now);
  Process();
}

void Supervisor::OnTimerFor(Slot& s, Clock::time_point now) {
  Touch(s);
  if (s.disabled && now >= s.disabled_until) {
    s.disabled = false;
    s.spawn_count = 0;
    s.spawn_window = {};
  }
  if (s.restart_at && now >= *s.restart_at) s.restart_at.reset();
  if (s.poll_at && now >= *s.poll_at) {
    s.poll_at.reset();
    if (s.phase == Phase::kStart && s.pid <= 0) ReadPidFile(s);
  }
  if (s.deadline && now >= *s.deadline) {
    s.deadline.reset();
    OnDeadline(s);
  }
  if (s.watchdog_at && now >= *s.watchdog_at && !frozen_) FireWatchdog(s);
}

void Supervisor::DropForgotten() {
  // Only a slot that changed can have become forgettable (or, in removed_, done).
  auto forgettable = [](const Slot& s) {
    return s.manual && !s.demand && !Active(s) && !s.stop_queued();
  };
  std::vector<Slot*> forgotten;
  bool removed_done = false;
  stats_.slots_visited += touched_.size();
  for (Slot* s : touched_) {
    if (Retired(*s))
      removed_done = removed_done || !Active(*s);
    else if (forgettable(*s))
      forgotten.push_back(s);
  }
  if (removed_done) {
    // After a reload: once, so the whole list is indexed again.
    std::erase_if(slots_, forgettable);
    std::erase_if(removed_, [](const Slot& s) { return !Active(s); });
    Reindex();
    return;
  }
  for (Slot* s : forgotten) RemoveSlot(*s);
}

void Supervisor::SetState(Slot& s, ServiceState st, ChangeReason reason, const std::string& why) {
  Touch(s);
  if (s.state == st && why.empty()) return;
  auto now = host_->Now();
  ServiceState from = s.state;
  if (s.spec.report_states && (from != st || !why.empty())) {
    // The time taken, as OpenRC's progress lines give it: for the start or stop just ended.
    std::string took;
    if ((st == ServiceState::kUp && from == ServiceState::kStarting) ||
        (st == ServiceState::kStopped && from == ServiceState::kStopping))
      took = fmt::format(" in {:.3f} s", Seconds(now - s.since));
    if (st == ServiceState::kFailed &&
        (from == ServiceState::kStarting || from == ServiceState::kStopping))
      took = fmt::format(" after {:.3f} s", Seconds(now - s.since));
    if (st == ServiceState::kFailed)
      log::Error("{}: failed{}{}{}", s.spec.name, took, why.empty() ? "" : ": ", why);
    else
      log::Info("{}: {}{}{}{}", s.spec.name, StateName(st), took, why.empty() ? "" : ": ", why);
  }
  s.state = st;
  if (from != st) s.since = now;
  if (!why.empty() || st == ServiceState::kUp || st == ServiceState::kStarting) s.why = why;
  host_->StateChanged(s.spec, from, st, reason, why);
}

void Supervisor::LogBatch() {
  if (batch_.empty()) return;
  std::string names;
  for (const auto& n : batch_) names += (names.empty() ? "" : ", ") + n;
  batch_.clear();
  log::Info("Sending SIGTERM to services not wanted in runlevel {}: {}", level_, names);
}

void Supervisor::Process() {
  if (in_process_) {
    again_ = true;
    return;
  }
  in_process_ = true;
  // Even if a host callback throws, the next event must be able to drain again.
  struct Reset {
    bool* flag;
    ~Reset() { *flag = false; }
  } reset{&in_process_};
  // Bounded: each round either changes the level or ends the loop; callbacks into the host may
  // queue another round (again_). Staying in S re-arms the S entries: they get one more round
  // here (sysvinit restarts sulogin at once), but no more, so an S entry that cannot be spawned
  // does not spin.
  bool rearmed_s = false;
  int budget = 1000;  // calls queued from host callbacks, per drain
  int round = 0;
  for (; round < 16; ++round) {
    again_ = false;
    if (!RunQueued(&budget)) {
      log::Error("host callbacks keep calling back: dropping {} queued requests", queued_.size());
      queued_.clear();
    }
    ComputeWanted();
    BeginStops();
    DropForgotten();
    char before = level_;
    StartIfNeeded(/*only_manual=*/TransitionStopPending());
    LogBatch();
    bool rearmed = BootTransitions();
    if (level_ != before) continue;
    if (rearmed && !rearmed_s) {
      rearmed_s = true;
      continue;
    }
    ComputeWanted();
    if (!settled_reported_ && !frozen_ && Settled()) {
      settled_reported_ = true;
      if (!AnythingRunningExceptBoot() && !no_more_logged_ && level_ != 'S') {
        no_more_logged_ = true;
        log::Info("no more processes left in this runlevel");
      }
      host_->LevelSettled(level_);
    }
    if (!again_ && queued_.empty()) break;
  }
  if (!queued_.empty()) {
    log::Error("host callbacks keep calling back: dropping {} queued requests", queued_.size());
    queued_.clear();
  }
  if (round == 16) walk_all_ = true;  // cut short: what changed may not have been walked
  RearmTimer();
  for (Slot* s : touched_) s->touched = false;
  touched_.clear();
}

std::optional<Supervisor::Entry> Supervisor::Enter(std::function<void()> again) {
  if (depth_ > 0) {
    Defer(std::move(again));
    return std::nullopt;
  }
  return std::optional<Entry>(std::in_place, this);
}

void Supervisor::Defer(std::function<void()> call) {
  queued_.push_back(std::move(call));
  again_ = true;
}

bool Supervisor::RunQueued(int* budget) {
  while (!queued_.empty()) {
    if (--*budget < 0) return false;
    auto call = std::move(queued_.front());
    queued_.pop_front();
    // It runs as a call of its own: its own calls back are queued behind it.
    struct Depth {
      int* depth;
      int saved;
      ~Depth() { *depth = saved; }
    } depth{&depth_, depth_};
    depth_ = 0;
    call();
  }
  return true;
}

void Supervisor::RearmTimer() {
  SyncIndexes();
  std::optional<Clock::time_point> next;
  if (!fixed_timers_.empty()) next = fixed_timers_.begin()->first;
  if (!frozen_ && !live_timers_.empty() && (!next || live_timers_.begin()->first < *next))
    next = live_timers_.begin()->first;
  host_->ArmTimer(next);
}

std::vector<pid_t> Supervisor::RunningPids() const {
  std::vector<pid_t> out;
  for (auto* v : {&slots_, &removed_})
    for (const auto& s : *v) {
      if (s.pid > 0) out.push_back(s.pid);
      if (s.ctl > 0) out.push_back(s.ctl);
    }
  return out;
}

std::optional<Supervisor::ServiceView> Supervisor::View(const std::string& name) const {
  const Slot* s = Find(name);
  if (!s) return std::nullopt;
  return ServiceView{s->pid > 0, s->executed, s->disabled, s->starts, s->state};
}

}  // namespace ctinit
