// The supervisor's levels (supervisor.h, "Levels" and "Wanted"): which services are wanted,
// level changes, reloads, demand letters and events, and the boot stages.
#include <algorithm>
#include <cctype>
#include <deque>
#include <memory>

#include "init/base/log.h"
#include "init/engine/supervisor.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

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
  // Only when an input changed: the level, an explicit request, the list (wanted_dirty_).
  if (!wanted_dirty_) return;
  wanted_dirty_ = false;
  stats_.slots_visited += slots_.size();
  std::vector<bool> before;
  before.reserve(slots_.size());
  std::deque<const Slot*> queue;
  for (auto& s : slots_) {
    before.push_back(s.wanted);
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
  size_t i = 0;
  for (auto& s : slots_)
    if (s.wanted != before[i++]) Touch(s);
}

void Supervisor::DropDemand(Slot& s) {
  s.demand = false;
  Touch(s);
  if (wanted_dirty_) return;
  // Nothing pulls a supervised service in, so only what it pulls in could change, and not a
  // service its own levels (or an explicit start) want anyway.
  for (const auto* names : {&s.spec.needs, &s.spec.wants, &s.spec.binds_to}) {
    for (const auto& n : *names) {
      const Slot* d = Find(n);
      if (!d || d->manual || (d->override && !*d->override) || LevelWanted(*d)) continue;
      wanted_dirty_ = true;
      return;
    }
  }
  s.wanted = false;  // what ComputeWanted would find
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

bool Supervisor::TransitionStopPending() {
  // Looked for only while some slot may belong to a level change or reload.
  if (!maybe_transition_) return false;
  bool any = false;
  for (const auto* v : {&slots_, &removed_}) {
    stats_.slots_visited += v->size();
    for (const auto& s : *v) {
      if (!s.transition) continue;
      any = true;
      if (s.stop_queued() || (s.state == ServiceState::kStopping && !s.killed)) return true;
    }
  }
  maybe_transition_ = any;
  return false;
}

void Supervisor::RequestLevel(char level, milliseconds kill_wait) {
  auto entry = Enter([this, level, kill_wait] { RequestLevel(level, kill_wait); });
  if (!entry) return;
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
  wanted_dirty_ = true;
  host_->LevelChanged(level_, prev_);
  ForgetRespawnFailures();
  for (auto& s : slots_) {
    if (s.manual) continue;
    s.override.reset();
    s.SetStartsAgain(false);
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
  auto shared = std::make_shared<ServiceSet>(std::move(set));
  auto entry = Enter([this, shared, kill_wait] { Reload(std::move(*shared), kill_wait); });
  if (!entry) return;
  set = std::move(*shared);
  if (set.default_level) default_level_ = *set.default_level;
  Slots fresh;
  Slots removed;
  for (auto& spec : set.services) {
    // The old slot of that name (the index finds the first; a manual one of that name is not
    // it).
    Slot* old = Find(spec.name);
    if (old && (old->manual || old->spec.name.empty())) {
      auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) {
        return !s.manual && !s.spec.name.empty() && s.spec.name == spec.name;
      });
      old = it == slots_.end() ? nullptr : &*it;
    }
    Slot s;
    if (old && old->spec.action_label == spec.action_label && old->spec.trigger == spec.trigger &&
        old->spec.kind == spec.kind) {
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
  Reindex();
  ForgetRespawnFailures();
  StopUnwanted(kill_wait, std::move(removed));
  Process();
}

void Supervisor::Demand(char which) {
  auto entry = Enter([this, which] { Demand(which); });
  if (!entry) return;
  which = static_cast<char>(std::tolower(static_cast<unsigned char>(which)));
  log::Info("Activating demand-procedures for '{}'", static_cast<char>(std::toupper(which)));
  wanted_dirty_ = true;
  for (auto& s : slots_) {
    if (s.spec.trigger == Trigger::kRunlevel && Has(s.spec.levels, which)) {
      Touch(s);
      s.demand = true;
      s.executed = false;
    }
  }
  Process();
}

void Supervisor::Trigger(enum Trigger event) {
  auto entry = Enter([this, event] { Trigger(event); });
  if (!entry) return;
  for (auto& s : slots_) {
    if (!s.manual && s.spec.trigger == event) {
      Touch(s);
      s.executed = false;
    }
  }
  Process();
}

bool Supervisor::HasServicesFor(enum Trigger event) const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [&](const Slot& s) { return !s.manual && s.spec.trigger == event; });
}

void Supervisor::StopUnwanted(milliseconds kill_wait, Slots removed) {
  level_kill_wait_ = kill_wait;
  ComputeWanted();
  for (auto& s : slots_) {
    if (Active(s) && !Keep(s)) RequestStop(s, true);
  }
  size_t first = removed_.size();
  for (auto& r : removed) r.transition = true;
  removed_.splice(removed_.end(), removed);
  if (removed_.size() > first) {
    Reindex();  // new slots in removed_
    for (auto it = std::next(removed_.begin(), static_cast<long>(first)); it != removed_.end();
         ++it)
      BeginStop(*it);
  }
  BeginStops();
  LogBatch();
}

void Supervisor::ForgetRespawnFailures() {
  TouchAll();
  for (auto& s : slots_) {
    s.disabled = false;
    s.spawn_count = 0;
    s.spawn_window = {};
  }
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
  wanted_dirty_ = true;
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
        wanted_dirty_ = true;
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
          Touch(s);
          rearmed |= s.executed;
          s.executed = false;
          s.disabled = false;
        }
      }
      if (!did_boot_ && default_level_ != 'S') {
        boot_target_ = default_level_;
        level_ = '*';
        wanted_dirty_ = true;
        host_->StageEntered('*');
      } else if (default_level_ != 'S') {
        EnterLevel(default_level_, 'S');
      }
      break;
    }
  }
  return rearmed;
}

bool Supervisor::Settled() {
  if (!IsRealLevel(level_) || TransitionStopPending()) return false;
  stats_.slots_visited += slots_.size();
  return !std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) {
    if (s.manual) return false;
    if (s.ctl > 0 && s.phase != Phase::kReload) return true;
    if (s.state == ServiceState::kStarting) return !SysvBoot(s.spec);
    return Pending(s);
  });
}

}  // namespace ctinit
