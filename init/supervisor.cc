#include "init/supervisor.h"

#include <signal.h>

#include <algorithm>
#include <cctype>

#include "init/log.h"

namespace ctinit {

namespace {

bool IsRealLevel(char l) { return l == 'S' || (l >= '0' && l <= '9'); }

bool IsEvent(Trigger t) {
  return t != Trigger::kSysInit && t != Trigger::kBoot && t != Trigger::kRunlevel;
}

bool Has(const std::string& levels, char l) { return levels.find(l) != std::string::npos; }

}  // namespace

Supervisor::Supervisor(SupervisorHost* host, ServiceSet set, char default_level, char boot_level)
    : host_(host), default_level_(default_level), boot_level_(boot_level) {
  for (auto& spec : set.services) {
    Slot s;
    s.spec = std::move(spec);
    s.executed = IsEvent(s.spec.trigger);
    slots_.push_back(std::move(s));
  }
}

void Supervisor::Boot() {
  frozen_ = false;
  level_ = '#';
  prev_ = 'N';
  did_boot_ = false;
  settled_reported_ = false;
  no_more_logged_ = false;
  kill_deadline_.reset();
  for (auto& s : slots_) {
    s.executed = IsEvent(s.spec.trigger);
    s.demand = false;
  }
  ForgetRespawnFailures();
  Process();
}

// Is `s` part of the current level, regardless of whether it has run yet?
bool Supervisor::Wanted(const Slot& s) const {
  switch (s.spec.trigger) {
    case Trigger::kSysInit:
      return level_ == '#';
    case Trigger::kBoot:
      return level_ == '*';
    case Trigger::kRunlevel:
      if (IsRealLevel(level_) && Has(s.spec.levels, level_)) return true;
      return s.demand && IsRealLevel(level_) && level_ != 'S';
    default:
      return IsRealLevel(level_) && Has(s.spec.levels, level_);
  }
}

void Supervisor::RequestLevel(char level, std::chrono::milliseconds kill_wait) {
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
    if (s.spec.kind == Kind::kTask && !IsEvent(s.spec.trigger) && !Wanted(s)) s.executed = false;
  }
  StopUnwanted(kill_wait, {});
  Process();
}

void Supervisor::Reload(ServiceSet set, std::chrono::milliseconds kill_wait) {
  if (set.default_level) default_level_ = *set.default_level;
  std::vector<Slot> fresh;
  std::vector<Slot> removed;
  for (auto& spec : set.services) {
    auto old = std::find_if(slots_.begin(), slots_.end(),
                            [&](const Slot& s) { return s.spec.name == spec.name; });
    Slot s;
    if (old != slots_.end() && old->spec.action_label == spec.action_label &&
        old->spec.trigger == spec.trigger && old->spec.kind == spec.kind) {
      s = std::move(*old);  // keeps pid, executed, demand; the new command applies on next start
      old->spec.name.clear();
    } else {
      s.executed = IsEvent(spec.trigger);
    }
    s.spec = std::move(spec);
    fresh.push_back(std::move(s));
  }
  for (auto& old : slots_) {
    if (!old.spec.name.empty() && old.pid > 0) removed.push_back(std::move(old));
  }
  slots_ = std::move(fresh);
  ForgetRespawnFailures();
  StopUnwanted(kill_wait, std::move(removed));
  Process();
}

void Supervisor::Demand(char which) {
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
  for (auto& s : slots_) {
    if (s.spec.trigger == event) s.executed = false;
  }
  Process();
}

bool Supervisor::HasServicesFor(enum Trigger event) const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [&](const Slot& s) { return s.spec.trigger == event; });
}

void Supervisor::Freeze() {
  frozen_ = true;
  RearmTimer();
}

void Supervisor::StopUnwanted(std::chrono::milliseconds kill_wait, std::vector<Slot> removed) {
  std::string names;
  auto stop = [&](Slot& s) {
    s.stopping = true;
    host_->KillGroup(s.pid, SIGTERM);
    names += (names.empty() ? "" : ", ") + s.spec.name;
  };
  for (auto& s : slots_) {
    if (s.pid <= 0 || s.stopping || Wanted(s)) continue;
    if (s.spec.trigger == Trigger::kBoot && !s.spec.blocking) continue;  // "boot" survives
    stop(s);
  }
  for (auto& s : removed) {
    if (s.pid > 0 && !s.stopping) stop(s);
    removed_.push_back(std::move(s));
  }
  if (names.empty()) return;
  log::Info("Sending SIGTERM to services not wanted in runlevel {}: {}", level_, names);
  if (kill_wait.count() <= 0) {
    KillStoppingNow();
    return;
  }
  auto deadline = host_->Now() + kill_wait;
  if (!kill_deadline_ || deadline < *kill_deadline_) kill_deadline_ = deadline;
}

void Supervisor::KillStoppingNow() {
  kill_deadline_.reset();
  auto kill = [&](Slot& s) {
    if (s.pid <= 0 || !s.stopping) return;
    log::Info("Sending SIGKILL to {} (pid {}): it did not stop in time", s.spec.name, s.pid);
    host_->KillGroup(s.pid, SIGKILL);
  };
  for (auto& s : slots_) kill(s);
  for (auto& s : removed_) kill(s);
}

void Supervisor::ForgetRespawnFailures() {
  for (auto& s : slots_) {
    s.disabled = false;
    s.spawn_count = 0;
    s.spawn_window = {};
  }
}

bool Supervisor::Start(Slot& s) {
  auto now = host_->Now();
  if (s.spec.kind == Kind::kLongRun) {
    // sysvinit spawn(): count starts within `interval` of the first one in the window.
    if (s.spawn_window != Clock::time_point{} &&
        s.spawn_window + s.spec.respawn_limit.interval > now) {
      ++s.spawn_count;
    } else {
      s.spawn_count = 0;
      s.spawn_window = now;
    }
    if (s.spawn_count >= s.spec.respawn_limit.max_starts) {
      s.disabled = true;
      s.disabled_until = now + s.spec.respawn_limit.disable_for;
      auto minutes =
          std::chrono::duration_cast<std::chrono::minutes>(s.spec.respawn_limit.disable_for)
              .count();
      log::Warn("Id \"{}\" respawning too fast: disabled for {} minutes", s.spec.name, minutes);
      return false;
    }
  }
  ++s.starts;
  pid_t pid = host_->Spawn(s.spec, level_, prev_);
  s.pid = pid > 0 ? pid : 0;
  if (pid > 0 && s.spec.kind == Kind::kLongRun && s.starts > 1)
    log::Info("respawned {} (pid {}, start {} in this window)", s.spec.name, pid,
              s.spawn_count + 1);
  return pid > 0;
}

void Supervisor::StartIfNeeded() {
  if (frozen_) return;
  for (auto& s : slots_) {
    if (s.pid > 0) {
      if (s.spec.blocking) return;
      continue;
    }
    if (!Wanted(s)) continue;
    if (s.spec.kind == Kind::kLongRun) {
      // An exec failure counts as a start that ended at once, as with sysvinit's fork+exec; the
      // limiter ends this, and the bound holds even for a limit whose window is zero.
      for (int tries = 0; !s.disabled && !Start(s) && tries <= s.spec.respawn_limit.max_starts;
           ++tries) {
      }
    } else {
      if (s.executed) continue;
      s.executed = true;
      Start(s);
    }
    if (s.pid > 0 && s.spec.blocking) return;
  }
}

bool Supervisor::AnythingRunningExceptBoot() const {
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) {
    return s.pid > 0 && !(s.spec.trigger == Trigger::kBoot && !s.spec.blocking);
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
  if (AnythingRunningExceptBoot() || kill_deadline_) return false;
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
      }
      break;
    case '*':
      did_boot_ = true;
      EnterLevel(boot_target_, 'N');
      break;
    case 'S': {
      for (auto& s : slots_) {
        if (s.spec.levels == "S") {
          rearmed |= s.executed;
          s.executed = false;
          s.disabled = false;
        }
      }
      if (!did_boot_ && default_level_ != 'S') {
        boot_target_ = default_level_;
        level_ = '*';
      } else if (default_level_ != 'S') {
        EnterLevel(default_level_, 'S');
      }
      break;
    }
  }
  return rearmed;
}

bool Supervisor::Settled() const {
  if (!IsRealLevel(level_) || kill_deadline_) return false;
  return !std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) {
    return s.pid > 0 && s.spec.kind == Kind::kTask &&
           !(s.spec.trigger == Trigger::kBoot && !s.spec.blocking);
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
  for (int round = 0; round < 16; ++round) {
    again_ = false;
    if (kill_deadline_) {
      bool any = false;
      for (auto* v : {&slots_, &removed_})
        for (auto& s : *v) any |= s.pid > 0 && s.stopping;
      if (!any) kill_deadline_.reset();
    }
    char before = level_;
    if (!kill_deadline_) StartIfNeeded();
    bool rearmed = BootTransitions();
    if (level_ != before) continue;
    if (rearmed && !rearmed_s) {
      rearmed_s = true;
      continue;
    }
    if (Settled() && !settled_reported_ && !frozen_) {
      settled_reported_ = true;
      if (!AnythingRunningExceptBoot() && !no_more_logged_ && level_ != 'S') {
        no_more_logged_ = true;
        log::Info("no more processes left in this runlevel");
      }
      host_->LevelSettled(level_);
    }
    if (!again_) break;
  }
  RearmTimer();
}

bool Supervisor::OnChildExit(pid_t pid, int status) {
  if (pid <= 0) return false;  // slots that are not running hold pid 0
  auto finish = [&](Slot& s) {
    s.pid = 0;
    s.stopping = false;
    host_->ServiceExited(s.spec, pid, status);
  };
  for (auto& s : slots_) {
    if (s.pid == pid) {
      finish(s);
      Process();
      return true;
    }
  }
  for (auto it = removed_.begin(); it != removed_.end(); ++it) {
    if (it->pid == pid) {
      Slot s = std::move(*it);
      removed_.erase(it);
      finish(s);
      Process();
      return true;
    }
  }
  return false;
}

void Supervisor::OnTimer() {
  auto now = host_->Now();
  if (kill_deadline_ && now >= *kill_deadline_) KillStoppingNow();
  for (auto& s : slots_) {
    if (s.disabled && now >= s.disabled_until) {
      s.disabled = false;
      s.spawn_count = 0;
      s.spawn_window = {};
    }
  }
  Process();
}

void Supervisor::RearmTimer() {
  std::optional<Clock::time_point> next = kill_deadline_;
  if (!frozen_) {
    for (const auto& s : slots_) {
      if (s.disabled && (!next || s.disabled_until < *next)) next = s.disabled_until;
    }
  }
  host_->ArmTimer(next);
}

std::vector<pid_t> Supervisor::RunningPids() const {
  std::vector<pid_t> out;
  for (auto* v : {&slots_, &removed_})
    for (const auto& s : *v)
      if (s.pid > 0) out.push_back(s.pid);
  return out;
}

std::optional<Supervisor::ServiceView> Supervisor::View(const std::string& name) const {
  for (const auto& s : slots_) {
    if (s.spec.name == name) return ServiceView{s.pid > 0, s.executed, s.disabled, s.starts};
  }
  return std::nullopt;
}

}  // namespace ctinit
