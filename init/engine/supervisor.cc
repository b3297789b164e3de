#include "init/engine/supervisor.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>

#include "init/base/log.h"

namespace ctinit {

namespace {

using std::chrono::milliseconds;

bool IsRealLevel(char l) { return l == 'S' || (l >= '0' && l <= '9'); }

bool IsEvent(Trigger t) {
  return t != Trigger::kSysInit && t != Trigger::kBoot && t != Trigger::kRunlevel &&
         t != Trigger::kManual;
}

bool Has(const std::string& levels, char l) { return levels.find(l) != std::string::npos; }

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

bool Succeeded(const ServiceSpec& spec, int status) {
  if (!WIFEXITED(status)) return false;
  int code = WEXITSTATUS(status);
  return code == 0 || Contains(spec.success_status, code);
}

// systemd's "clean": exit 0 / SuccessExitStatus, or one of the four clean signals.
bool CleanEnd(const ServiceSpec& spec, int status) {
  if (Succeeded(spec, status)) return true;
  if (!WIFSIGNALED(status)) return false;
  int sig = WTERMSIG(status);
  return sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE ||
         Contains(spec.success_signals, sig);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

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
}

// ---------------------------------------------------------------------------------------------
// Lookups and predicates

Supervisor::Slot* Supervisor::Find(const std::string& name) {
  for (auto& s : slots_)
    if (s.spec.name == name) return &s;
  return nullptr;
}

const Supervisor::Slot* Supervisor::Find(const std::string& name) const {
  for (const auto& s : slots_)
    if (s.spec.name == name) return &s;
  return nullptr;
}

bool Supervisor::LevelWanted(const Slot& s) const {
  if (s.manual) return s.demand;
  if (s.override) return *s.override;
  switch (s.spec.trigger) {
    case Trigger::kSysInit:
      return level_ == '#';
    case Trigger::kBoot:
      return level_ == '*';
    case Trigger::kRunlevel:
      if (IsRealLevel(level_) && Has(s.spec.levels, level_)) return true;
      return s.demand && IsRealLevel(level_) && level_ != 'S';
    case Trigger::kManual:
      return false;
    default:
      return IsRealLevel(level_) && Has(s.spec.levels, level_);
  }
}

void Supervisor::ComputeWanted() {
  std::deque<const Slot*> queue;
  for (auto& s : slots_) {
    s.wanted = LevelWanted(s);
    if (s.wanted) queue.push_back(&s);
  }
  while (!queue.empty()) {
    const Slot* s = queue.front();
    queue.pop_front();
    for (const auto* names : {&s->spec.needs, &s->spec.wants, &s->spec.binds_to}) {
      for (const auto& n : *names) {
        Slot* d = Find(n);
        if (!d || d->wanted || d->manual || (d->override && !*d->override)) continue;
        d->wanted = true;
        queue.push_back(d);
      }
    }
  }
}

bool Supervisor::KeepRule(const Slot& s) const {
  if (s.manual) return s.demand;
  if (s.override && !*s.override) return false;
  if (!s.spec.stop_on_level_change) return true;
  bool going_down = level_ == '0' || level_ == '6';
  if (going_down && !s.spec.stop_on_shutdown) return true;
  bool stage = s.spec.trigger == Trigger::kSysInit || s.spec.trigger == Trigger::kBoot;
  if (stage && s.spec.kind == Kind::kScripted) {
    return !IsRealLevel(level_) || Has(s.spec.levels, level_);
  }
  return s.spec.trigger == Trigger::kBoot && !s.spec.blocking;  // sysvinit "boot" survives
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

namespace {

// A sysvinit "boot" entry: runs in the boot stage and holds nothing up.
bool SysvBoot(const ServiceSpec& spec) {
  return spec.trigger == Trigger::kBoot && !spec.blocking && spec.kind != Kind::kScripted;
}

}  // namespace

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

bool Supervisor::TransitionStopPending() const {
  auto pending = [](const Slot& s) {
    return s.transition && (s.stop_requested || (s.state == ServiceState::kStopping && !s.killed));
  };
  return std::any_of(slots_.begin(), slots_.end(), pending) ||
         std::any_of(removed_.begin(), removed_.end(), pending);
}

// ---------------------------------------------------------------------------------------------
// Requests

void Supervisor::Boot() {
  if (Nested()) return Defer([this] { Boot(); });
  Entry entry(this);
  frozen_ = false;
  level_ = '#';
  prev_ = 'N';
  did_boot_ = false;
  settled_reported_ = false;
  no_more_logged_ = false;
  stop_cap_.reset();
  removed_.clear();
  queued_.clear();
  slots_.erase(std::remove_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.manual; }),
               slots_.end());
  for (auto& s : slots_) {
    Slot fresh;
    fresh.spec = std::move(s.spec);
    fresh.executed = IsEvent(fresh.spec.trigger);
    fresh.starts = s.starts;
    s = std::move(fresh);
  }
  host_->StageEntered('#');
  Process();
}

void Supervisor::RequestLevel(char level, milliseconds kill_wait) {
  if (Nested()) return Defer([this, level, kill_wait] { RequestLevel(level, kill_wait); });
  Entry entry(this);
  level = static_cast<char>(std::toupper(static_cast<unsigned char>(level)));
  if (level == level_ || frozen_) return;
  if (!IsRealLevel(level)) {
    log::Warn("bad runlevel: {}", level);
    return;
  }
  log::Info("Switching to runlevel: {}", level);
  prev_ = IsRealLevel(level_) ? level_ : 'N';
  level_ = level;
  settled_reported_ = false;
  no_more_logged_ = false;
  host_->LevelChanged(level_, prev_);
  ForgetRespawnFailures();
  for (auto& s : slots_) {
    if (s.manual) continue;
    s.override.reset();
    s.restart_after_stop = false;
  }
  ComputeWanted();
  for (auto& s : slots_) {
    if (s.manual || IsEvent(s.spec.trigger)) continue;
    bool idle = s.phase == Phase::kIdle && !Busy(s) && s.state != ServiceState::kUp;
    if (s.spec.kind == Kind::kTask) {
      if (s.wanted) continue;
      s.executed = false;  // runs again on the next entry into one of its levels
      if (idle) s.state = ServiceState::kStopped;
    } else if (idle && (s.executed || s.state == ServiceState::kFailed)) {
      // A new level entry retries what failed or ended (OpenRC clears failed/ per run).
      s.executed = false;
      s.state = ServiceState::kStopped;
    }
  }
  StopUnwanted(kill_wait, {});
  Process();
}

void Supervisor::Reload(ServiceSet set, milliseconds kill_wait) {
  if (Nested()) {
    auto shared = std::make_shared<ServiceSet>(std::move(set));
    return Defer([this, shared, kill_wait] { Reload(std::move(*shared), kill_wait); });
  }
  Entry entry(this);
  if (set.default_level) default_level_ = *set.default_level;
  Slots fresh;
  Slots removed;
  for (auto& spec : set.services) {
    auto old = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) {
      return !s.manual && !s.spec.name.empty() && s.spec.name == spec.name;
    });
    Slot s;
    if (old != slots_.end() && old->spec.action_label == spec.action_label &&
        old->spec.trigger == spec.trigger && old->spec.kind == spec.kind) {
      s = std::move(*old);  // keeps its processes and state; the new definition applies next time
      old->spec.name.clear();
    } else {
      s.executed = IsEvent(spec.trigger);
    }
    s.spec = std::move(spec);
    fresh.push_back(std::move(s));
  }
  for (auto& old : slots_) {
    if (old.manual) {
      fresh.push_back(std::move(old));
    } else if (!old.spec.name.empty() && Active(old)) {
      removed.push_back(std::move(old));
    }
  }
  slots_ = std::move(fresh);
  ForgetRespawnFailures();
  StopUnwanted(kill_wait, std::move(removed));
  Process();
}

void Supervisor::Demand(char which) {
  if (Nested()) return Defer([this, which] { Demand(which); });
  Entry entry(this);
  which = static_cast<char>(std::tolower(static_cast<unsigned char>(which)));
  log::Info("Activating demand-procedures for '{}'", static_cast<char>(std::toupper(which)));
  for (auto& s : slots_) {
    if (s.spec.trigger == Trigger::kRunlevel && Has(s.spec.levels, which)) {
      s.demand = true;
      s.executed = false;
    }
  }
  Process();
}

void Supervisor::Trigger(enum Trigger event) {
  if (Nested()) return Defer([this, event] { Trigger(event); });
  Entry entry(this);
  for (auto& s : slots_) {
    if (!s.manual && s.spec.trigger == event) s.executed = false;
  }
  Process();
}

bool Supervisor::HasServicesFor(enum Trigger event) const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [&](const Slot& s) { return !s.manual && s.spec.trigger == event; });
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
             s.phase == Phase::kStopPost))
          s.deadline = when;
  }
  RearmTimer();
}

void Supervisor::KillStoppingNow() {
  if (Nested()) return Defer([this] { KillStoppingNow(); });
  Entry entry(this);
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

bool Supervisor::AddSupervised(ServiceSpec spec, std::string* err) {
  if (Slot* old = Find(spec.name)) {
    if (Active(*old)) {
      if (err) *err = "already running";
      return false;
    }
    if (!old->manual) {
      if (err) *err = "a service of that name exists";
      return false;
    }
  }
  if (frozen_) {
    if (err) *err = "ctinit is shutting down";
    return false;
  }
  if (Nested()) {
    // Not now: the caller may be walking the services. Checked again when it runs.
    auto shared = std::make_shared<ServiceSpec>(std::move(spec));
    Defer([this, shared] {
      std::string e, name = shared->name;
      if (!AddSupervised(std::move(*shared), &e)) log::Warn("{}: {}", name, e);
    });
    return true;
  }
  Entry entry(this);
  if (Slot* old = Find(spec.name)) slots_.erase(slots_.begin() + (old - slots_.data()));
  Slot s;
  s.spec = std::move(spec);
  s.spec.kind = Kind::kLongRun;
  s.manual = true;
  s.demand = true;
  std::string name = s.spec.name;
  slots_.push_back(std::move(s));
  Process();
  if (in_process_) return true;  // queued from a callback: the running drain starts it
  Slot* added = Find(name);
  if (!added || (added->pid <= 0 && added->state != ServiceState::kStarting)) {
    if (err) *err = "cannot be started (see ctinit's log)";
    return false;
  }
  return true;
}

Supervisor::Slot* Supervisor::Requested(const std::string& name, bool refused_when_frozen,
                                        std::string* err) {
  Slot* s = Find(name);
  if (!s) {
    if (err) *err = "unknown service";
  } else if (refused_when_frozen && frozen_) {
    if (err) *err = "ctinit is shutting down";
    return nullptr;
  }
  return s;
}

bool Supervisor::Start(const std::string& name, std::string* err) {
  Slot* s = Requested(name, true, err);
  if (!s) return false;
  if (Nested()) {
    Defer([this, name] { Start(name); });
    return true;
  }
  Entry entry(this);
  if (s->manual) {
    s->demand = true;
  } else {
    s->override = true;
  }
  if (s->state == ServiceState::kStopping) {
    s->restart_after_stop = true;
  } else if (s->stop_requested) {
    // A stop that has not begun (it waits for its dependents) is replaced by this start.
    s->stop_requested = false;
    s->transition = false;
  }
  StopConflicts(*s);
  // It and what it pulls in get another chance if they failed or already ran; an earlier
  // explicit stop of something it pulls in no longer holds (systemd queues start jobs for them).
  std::vector<Slot*> queue{s};
  std::vector<const Slot*> seen{s};
  while (!queue.empty()) {
    Slot* d = queue.back();
    queue.pop_back();
    if (d != s && d->override && !*d->override) d->override.reset();
    if (d->phase == Phase::kIdle && !Busy(*d) && d->state != ServiceState::kUp && !d->restart_at) {
      d->state = ServiceState::kStopped;
      d->executed = false;
      d->disabled = false;
      d->spawn_count = 0;
      d->spawn_window = {};
    }
    for (const auto* names : {&d->spec.needs, &d->spec.wants, &d->spec.binds_to})
      for (const auto& n : *names)
        if (Slot* x = Find(n); x && !Contains(seen, static_cast<const Slot*>(x))) {
          seen.push_back(x);
          queue.push_back(x);
        }
  }
  Process();
  return true;
}

void Supervisor::StopDependents(const std::string& name, bool restart) {
  std::vector<std::string> queue{name};
  std::vector<std::string> seen{name};
  while (!queue.empty()) {
    std::string n = queue.back();
    queue.pop_back();
    for (auto& t : slots_) {
      if (Contains(seen, t.spec.name) || !Active(t)) continue;
      if (!Contains(t.spec.needs, n) && !Contains(t.spec.binds_to, n) &&
          !Contains(t.spec.part_of, n))
        continue;
      seen.push_back(t.spec.name);
      queue.push_back(t.spec.name);
      if (restart) {
        t.restart_after_stop = true;
      } else {
        NotWanted(t);
      }
      RequestStop(t, false);
    }
  }
}

bool Supervisor::Stop(const std::string& name, std::string* err) {
  Slot* s = Requested(name, false, err);
  if (!s) return false;
  if (Nested()) {
    Defer([this, name] { Stop(name); });
    return true;
  }
  Entry entry(this);
  if (s->manual) {
    s->demand = false;
  } else {
    s->override = false;
  }
  s->restart_after_stop = false;
  if (!Active(*s)) {
    Process();  // a manual service is forgotten now
    if (err) *err = "not running";
    return false;
  }
  StopDependents(name, false);
  RequestStop(*s, false);
  Process();
  return true;
}

bool Supervisor::Restart(const std::string& name, bool only_if_active, std::string* err) {
  Slot* s = Requested(name, true, err);
  if (!s) return false;
  if (Nested()) {
    Defer([this, name, only_if_active] { Restart(name, only_if_active); });
    return true;
  }
  if (!Active(*s) || s->state == ServiceState::kStopping) {
    if (only_if_active) return true;  // try-restart of a stopped service: nothing to do
    return Start(name, err);
  }
  Entry entry(this);
  s->restart_after_stop = true;
  s->executed = false;
  StopDependents(name, true);
  RequestStop(*s, false);
  Process();
  return true;
}

bool Supervisor::ReloadService(const std::string& name, std::string* err) {
  Slot* s = Requested(name, false, err);
  if (!s) return false;
  if (s->state != ServiceState::kUp || s->ctl > 0) {
    if (err) *err = s->state != ServiceState::kUp ? "not active" : "busy";
    return false;
  }
  if (s->spec.reload.empty()) {
    if (err) *err = "has no reload command";
    return false;
  }
  if (Nested()) {
    Defer([this, name] { ReloadService(name); });
    return true;
  }
  Entry entry(this);
  if (RunSteps(*s, Phase::kReload, 0) != StepResult::kRunning) {
    if (err) *err = "the reload command could not be run";
    s->phase = s->spec.kind == Kind::kLongRun ? Phase::kRunning : Phase::kIdle;
    Process();
    return false;
  }
  Process();
  return true;
}

Supervisor::Slot* Supervisor::NotifyTarget(pid_t sender, pid_t sender_pgid) {
  for (auto& s : slots_) {
    if (!s.spec.Notifies()) continue;
    using NA = ServiceSpec::NotifyAccess;
    NA access = s.spec.notify_access;
    bool from_main = s.pid > 0 && sender == s.pid;
    bool from_ctl = s.ctl > 0 && sender == s.ctl;
    bool from_group = sender_pgid > 0 && s.group > 0 && sender_pgid == s.group;
    if ((access == NA::kMain && from_main) || (access == NA::kExec && (from_main || from_ctl)) ||
        (access == NA::kAll && (from_main || from_ctl || from_group)))
      return &s;
  }
  return nullptr;
}

bool Supervisor::OnNotify(pid_t sender, pid_t sender_pgid, const std::vector<std::string>& fields) {
  Slot* target = NotifyTarget(sender, sender_pgid);
  if (!target) return false;
  if (Nested()) {
    Defer([this, sender, sender_pgid, fields] { OnNotify(sender, sender_pgid, fields); });
    return true;
  }
  Entry entry(this);
  Slot& s = *target;
  // MAINPID= first, whatever its place in the datagram (systemd): READY=1 then applies to the
  // new main process (its start_post steps get it as $MAINPID).
  for (const auto& f : fields) {
    if (f.rfind("MAINPID=", 0) != 0) continue;
    long long v = 0;
    auto [p, ec] = std::from_chars(f.data() + 8, f.data() + f.size(), v);
    if (ec == std::errc() && p == f.data() + f.size() && v > 1 && v < (1LL << 31) && s.pid > 0 &&
        v != s.pid) {
      s.pid = static_cast<pid_t>(v);
      host_->MainStarted(s.spec, s.pid);
    }
  }
  for (const auto& f : fields) {
    if (f == "READY=1") {
      if (s.phase == Phase::kStart && s.pid > 0) {
        s.deadline.reset();
        StartPost(s);
      }
    } else if (f.rfind("STATUS=", 0) == 0) {
      s.status_text = f.substr(7);
    } else if (f == "STOPPING=1") {
      if (s.state == ServiceState::kUp)
        SetState(s, ServiceState::kStopping, ChangeReason::kStoppingNotified, "stopping");
    } else if (f == "WATCHDOG=1") {
      if (s.watchdog_at) ArmWatchdog(s);
    } else if (f == "WATCHDOG=trigger") {
      if (s.watchdog_at) FireWatchdog(s);
    } else if (f.rfind("WATCHDOG_USEC=", 0) == 0) {
      unsigned long long usec = 0;
      auto [p, ec] = std::from_chars(f.data() + 14, f.data() + f.size(), usec);
      if (ec == std::errc() && p == f.data() + f.size() && s.spec.kind == Kind::kLongRun) {
        s.watchdog_limit = std::chrono::duration_cast<milliseconds>(
            std::chrono::microseconds(std::min<unsigned long long>(usec, 1ULL << 50)));
        if (s.watchdog_limit.count() == 0 && usec > 0) s.watchdog_limit = milliseconds(1);
        if (s.watchdog_at || s.phase == Phase::kRunning) ArmWatchdog(s);
      }
    }
  }
  Process();
  return true;
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

// ---------------------------------------------------------------------------------------------
// Starting

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

Supervisor::StepResult Supervisor::RunSteps(Slot& s, Phase phase, size_t index) {
  const std::vector<Command>* list = nullptr;
  switch (phase) {
    case Phase::kStartPre:
      list = &s.spec.start_pre;
      break;
    case Phase::kStartPost:
      list = &s.spec.start_post;
      break;
    case Phase::kReload:
      list = &s.spec.reload;
      break;
    case Phase::kStop:
      list = &s.spec.stop;
      break;
    case Phase::kStopPost:
      list = &s.spec.stop_post;
      break;
    default:
      return StepResult::kDone;
  }
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

// ---------------------------------------------------------------------------------------------
// Stopping

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

void Supervisor::StopUnwanted(milliseconds kill_wait, Slots removed) {
  level_kill_wait_ = kill_wait;
  ComputeWanted();
  for (auto& s : slots_) {
    if (Active(s) && !Keep(s)) RequestStop(s, true);
  }
  for (auto& r : removed) {
    r.transition = true;
    removed_.push_back(std::move(r));
    BeginStop(removed_.back());
  }
  BeginStops();
  LogBatch();
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

void Supervisor::StopConflicts(Slot& s) {
  for (auto& t : slots_) {
    if (&t == &s) continue;
    if (Contains(s.spec.conflicts, t.spec.name) || Contains(t.spec.conflicts, s.spec.name)) {
      NotWanted(t);
      RequestStop(t, false);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Process events

void Supervisor::Adopt(Slot& s, pid_t pid) {
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
  auto now = host_->Now();
  if (!s.spec.pidfile.empty()) {
    if (auto p = host_->ReadPidFile(s.spec.pidfile); p && *p > 0) {
      s.poll_at.reset();
      Adopt(s, *p);
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
      if (s.run_status < 0 && !s.by_request) s.run_status = status;
      Advance(s);
      return;
    default:
      return;  // kStop: the remaining stop steps run; then nothing is left to signal
  }
}

void Supervisor::OnCtlExit(Slot& s, int status) {
  s.ctl = 0;
  s.deadline.reset();
  const std::vector<Command>* list = nullptr;
  switch (s.phase) {
    case Phase::kStartPre:
      list = &s.spec.start_pre;
      break;
    case Phase::kStartPost:
      list = &s.spec.start_post;
      break;
    case Phase::kReload:
      list = &s.spec.reload;
      break;
    case Phase::kStop:
      list = &s.spec.stop;
      break;
    case Phase::kStopPost:
      list = &s.spec.stop_post;
      break;
    case Phase::kStopSignal:
      Advance(s);
      return;
    default:
      return;
  }
  size_t i = s.step_index;
  bool ok = Succeeded(s.spec, status) || (i < list->size() && (*list)[i].ignore_failure);
  switch (s.phase) {
    case Phase::kStartPre:
      if (!ok) return FailStart(s, "a start_pre step " + Describe(status));
      switch (RunSteps(s, Phase::kStartPre, i + 1)) {
        case StepResult::kRunning:
          return;
        case StepResult::kFailed:
          return FailStart(s, "a start_pre step could not be run");
        case StepResult::kDone:
          break;
      }
      SpawnMain(s);
      return;
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
      if (s.by_request) return StopSteps(s, 0);  // a stop came while it reloaded
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

void Supervisor::ArmWatchdog(Slot& s) {
  if (s.watchdog_limit.count() <= 0) {
    s.watchdog_at.reset();
    return;
  }
  s.watchdog_at = host_->Now() + s.watchdog_limit;
}

void Supervisor::FireWatchdog(Slot& s) {
  s.watchdog_at.reset();
  bool watched =
      s.phase == Phase::kStartPost || s.phase == Phase::kRunning || s.phase == Phase::kReload;
  if (!watched || s.pid <= 0) return;
  log::Warn("{}: watchdog timeout (limit {:.3f} s)! Sending signal {} to pid {}", s.spec.name,
            Seconds(s.watchdog_limit), s.spec.watchdog_signal, s.pid);
  s.watchdog_fired = true;
  s.run_failed = true;
  s.why = "watchdog timeout";
  Terminate(s);
}

void Supervisor::OnDeadline(Slot& s) {
  switch (s.phase) {
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

bool Supervisor::OnChildExit(pid_t pid, int status) {
  if (pid <= 0) return false;  // slots that are not running hold pid 0
  if (Nested()) {
    bool known = false;
    for (auto* v : {&slots_, &removed_})
      for (const auto& s : *v) known |= s.pid == pid || s.ctl == pid;
    Defer([this, pid, status] { OnChildExit(pid, status); });
    return known;
  }
  Entry entry(this);
  bool ours = false;
  for (auto* v : {&slots_, &removed_}) {
    for (auto& s : *v) {
      if (s.pid == pid) {
        // The host may change level from this callback: the slot must not look running.
        s.pid = 0;
        host_->ServiceExited(s.spec, pid, status);
        OnMainExit(s, status);
        ours = true;
        break;
      }
      if (s.ctl == pid) {
        OnCtlExit(s, status);
        ours = true;
        break;
      }
    }
    if (ours) break;
  }
  // A member of a group being waited for may have gone.
  for (auto* v : {&slots_, &removed_})
    for (auto& s : *v)
      if (s.phase == Phase::kStopSignal && s.pid <= 0 && s.ctl <= 0) Advance(s);
  Process();
  return ours;
}

void Supervisor::OnTimer() {
  if (Nested()) return Defer([this] { OnTimer(); });
  Entry entry(this);
  auto now = host_->Now();
  for (auto* v : {&slots_, &removed_}) {
    for (auto& s : *v) {
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
  }
  Process();
}

// ---------------------------------------------------------------------------------------------
// The drain

void Supervisor::DropForgotten() {
  slots_.erase(std::remove_if(slots_.begin(), slots_.end(),
                              [](const Slot& s) {
                                return s.manual && !s.demand && !Active(s) && !s.stop_requested;
                              }),
               slots_.end());
  removed_.erase(
      std::remove_if(removed_.begin(), removed_.end(), [](const Slot& s) { return !Active(s); }),
      removed_.end());
}

void Supervisor::ForgetRespawnFailures() {
  for (auto& s : slots_) {
    s.disabled = false;
    s.spawn_count = 0;
    s.spawn_window = {};
  }
}

void Supervisor::SetState(Slot& s, ServiceState st, ChangeReason reason, const std::string& why) {
  if (s.state == st && why.empty()) return;
  auto now = host_->Now();
  ServiceState from = s.state;
  if (s.spec.report_states && (from != st || !why.empty())) {
    std::string took;
    if ((st == ServiceState::kUp && from == ServiceState::kStarting) ||
        (st == ServiceState::kStopped && from == ServiceState::kStopping))
      took = fmt::format(" in {:.3f} s", Seconds(now - s.since));
    if (st == ServiceState::kFailed)
      log::Error("{}: failed{}{}", s.spec.name, why.empty() ? "" : ": ", why);
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

bool Supervisor::AnythingRunningExceptBoot() const {
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) {
    if (s.manual || SysvBoot(s.spec)) return false;
    return Busy(s) || s.state == ServiceState::kStarting || Pending(s);
  });
}

void Supervisor::EnterLevel(char level, char prev) {
  level_ = level;
  prev_ = prev;
  settled_reported_ = false;
  no_more_logged_ = false;
  log::Info("Entering runlevel: {}", level);
  host_->LevelChanged(level_, prev_);
}

bool Supervisor::BootTransitions() {
  if (level_ != '#' && level_ != '*' && level_ != 'S') return false;
  ComputeWanted();
  if (AnythingRunningExceptBoot() || TransitionStopPending()) return false;
  bool rearmed = false;
  switch (level_) {
    case '#':
      host_->BootTime();
      // sysvinit: a level given on the command line wins at boot; leaving S later goes back to
      // the configured default.
      boot_target_ = boot_level_ ? boot_level_ : default_level_;
      if (boot_target_ == 'S') {
        EnterLevel('S', 'N');
      } else {
        level_ = '*';
        host_->StageEntered('*');
      }
      break;
    case '*':
      did_boot_ = true;
      EnterLevel(boot_target_, 'N');
      break;
    case 'S': {
      for (auto& s : slots_) {
        if (s.spec.levels == "S" && s.spec.kind != Kind::kScripted) {
          rearmed |= s.executed;
          s.executed = false;
          s.disabled = false;
        }
      }
      if (!did_boot_ && default_level_ != 'S') {
        boot_target_ = default_level_;
        level_ = '*';
        host_->StageEntered('*');
      } else if (default_level_ != 'S') {
        EnterLevel(default_level_, 'S');
      }
      break;
    }
  }
  return rearmed;
}

bool Supervisor::Settled() const {
  if (!IsRealLevel(level_) || TransitionStopPending()) return false;
  return !std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) {
    if (s.manual) return false;
    if (s.ctl > 0 && s.phase != Phase::kReload) return true;
    if (s.state == ServiceState::kStarting) return !SysvBoot(s.spec);
    return Pending(s);
  });
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
  for (int round = 0; round < 16; ++round) {
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
    if (Settled() && !settled_reported_ && !frozen_) {
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
  RearmTimer();
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
  std::optional<Clock::time_point> next;
  auto consider = [&](const std::optional<Clock::time_point>& t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (auto* v : {&slots_, &removed_}) {
    for (const auto& s : *v) {
      consider(s.deadline);
      consider(s.poll_at);
      if (frozen_) continue;
      if (s.disabled && s.disabled_until != Clock::time_point::max()) consider(s.disabled_until);
      consider(s.restart_at);
      consider(s.watchdog_at);
    }
  }
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
