// The supervisor's requests (supervisor.h, "Requests"): AddSupervised, Start, Stop, Restart,
// ReloadService, and the stops they imply (dependents, conflicts).
#include <signal.h>

#include <algorithm>
#include <memory>

#include "init/base/log.h"
#include "init/engine/supervisor.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

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
  // From a callback: not now (the caller may be walking the services); checked again then.
  auto shared = std::make_shared<ServiceSpec>(std::move(spec));
  auto entry = Enter([this, shared] {
    std::string e, name = shared->name;
    if (!AddSupervised(std::move(*shared), &e)) log::Warn("{}: {}", name, e);
  });
  if (!entry) return true;
  spec = std::move(*shared);
  if (Slot* old = Find(spec.name)) RemoveSlot(*old);  // an ended supervised service of that name
  Slot s;
  s.spec = std::move(spec);
  s.spec.kind = Kind::kLongRun;
  s.manual = true;
  s.demand = true;
  std::string name = s.spec.name;
  AddSlot(std::move(s));
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
  return StartAs(name, /*forgive_limit=*/true, err);
}

bool Supervisor::Activate(const std::string& name, std::string* err) {
  if (const Slot* s = Find(name); s && s->disabled) {
    if (err) *err = "start limit hit";
    return false;
  }
  return StartAs(name, /*forgive_limit=*/false, err);
}

bool Supervisor::StartAs(const std::string& name, bool forgive_limit, std::string* err) {
  Slot* s = Requested(name, true, err);
  if (!s) return false;
  auto entry = Enter([this, name, forgive_limit] { StartAs(name, forgive_limit, nullptr); });
  if (!entry) return true;
  Touch(*s);
  if (s->manual) {
    s->demand = true;
  } else {
    s->override = true;
  }
  if (s->state == ServiceState::kStopping) {
    s->SetStartsAgain(true);
  } else if (s->stop_queued()) {
    // A stop that has not begun (it waits for its dependents) is replaced by this start.
    s->SetDesired(false, false, s->starts_again());
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
    Touch(*d);
    ++stats_.slots_visited;
    if (d != s && d->override && !*d->override) {
      d->override.reset();
      wanted_dirty_ = true;  // what it pulls in may be wanted again through others too
    }
    if (d->phase == Phase::kIdle && !Busy(*d) && d->state != ServiceState::kUp && !d->restart_at) {
      d->state = ServiceState::kStopped;
      d->executed = false;
      if (forgive_limit) {
        d->disabled = false;
        d->spawn_count = 0;
        d->spawn_window = {};
      }
    }
    for (const auto* names : {&d->spec.needs, &d->spec.wants, &d->spec.binds_to})
      for (const auto& n : *names)
        if (Slot* x = Find(n); x && !Contains(seen, static_cast<const Slot*>(x))) {
          seen.push_back(x);
          queue.push_back(x);
        }
  }
  GrowWanted(*s);
  Process();
  return true;
}

void Supervisor::StopDependents(const std::string& name, bool restart) {
  std::vector<std::string> queue{name};
  std::vector<std::string> seen{name};
  while (!queue.empty()) {
    std::string n = queue.back();
    queue.pop_back();
    const Named* named = NamedOf(n);
    if (!named) continue;
    for (Slot* slot : std::vector<Slot*>(named->stopped_with)) {
      Slot& t = *slot;
      ++stats_.slots_visited;
      if (Contains(seen, t.spec.name) || !Active(t)) continue;
      seen.push_back(t.spec.name);
      queue.push_back(t.spec.name);
      if (restart) {
        t.SetStartsAgain(true);
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
  auto entry = Enter([this, name] { Stop(name); });
  if (!entry) return true;
  Touch(*s);
  wanted_dirty_ = true;
  if (s->manual) {
    s->demand = false;
  } else {
    s->override = false;
  }
  s->SetStartsAgain(false);
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
  auto entry = Enter([this, name, only_if_active] { Restart(name, only_if_active); });
  if (!entry) return true;
  if (!Active(*s) || s->state == ServiceState::kStopping) {
    if (only_if_active) return true;  // try-restart of a stopped service: nothing to do
    entry.reset();                    // Start is a call of its own, not one made from inside
    return Start(name, err);
  }
  Touch(*s);
  s->SetStartsAgain(true);
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
  auto entry = Enter([this, name] { ReloadService(name); });
  if (!entry) return true;
  if (RunSteps(*s, Phase::kReload, 0) != StepResult::kRunning) {
    if (err) *err = "the reload command could not be run";
    s->phase = s->spec.kind == Kind::kLongRun ? Phase::kRunning : Phase::kIdle;
    Process();
    return false;
  }
  Process();
  return true;
}

void Supervisor::StopConflicts(Slot& s) {
  // What it names in conflicts and what names it there, in list order.
  std::vector<Slot*> hit;
  for (const auto& n : s.spec.conflicts)
    if (const Named* named = NamedOf(n))
      hit.insert(hit.end(), named->slots.begin(), named->slots.end());
  if (const Named* named = NamedOf(s.spec.name))
    hit.insert(hit.end(), named->conflicting.begin(), named->conflicting.end());
  if (hit.empty()) return;
  std::sort(hit.begin(), hit.end(),
            [](const Slot* a, const Slot* b) { return a->position < b->position; });
  hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
  for (Slot* t : hit) {
    if (t == &s) continue;
    NotWanted(*t);
    RequestStop(*t, false);
  }
}

}  // namespace ctinit
