// The supervisor's indexes (supervisor.h, private section): what makes the work of an event
// depend on what it changed and not on the number of services. Every change of a slot marks
// it touched; the drain walks the touched slots and those that name them, and the pid maps,
// the timers and the stop requests are brought up to date from the touched slots only.
#include <algorithm>
#include <deque>

#include "init/engine/supervisor.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

namespace {

// Appends `s` unless it is already last (each slot adds itself to a list in one go, so a
// name that a slot lists twice gives one entry).
template <typename T>
void AddOnce(std::vector<T*>* v, T* s) {
  if (v->empty() || v->back() != s) v->push_back(s);
}

template <typename Map, typename T>
void Unmap(Map* m, pid_t key, T* s) {
  if (auto it = m->find(key); key > 0 && it != m->end() && it->second == s) m->erase(it);
}

std::optional<Clock::time_point> Earliest(std::optional<Clock::time_point> a,
                                          std::optional<Clock::time_point> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// Moves `s` in `timers` from the time it was entered at to `t` (none: out).
template <typename T>
void Retime(std::multimap<Clock::time_point, T*>* timers, std::optional<Clock::time_point>* indexed,
            std::optional<Clock::time_point> t, T* s) {
  if (*indexed == t) return;
  if (*indexed) {
    auto [from, to] = timers->equal_range(**indexed);
    for (auto it = from; it != to; ++it)
      if (it->second == s) {
        timers->erase(it);
        break;
      }
  }
  *indexed = t;
  if (t) timers->emplace(*t, s);
}

}  // namespace

void Supervisor::Reindex() {
  named_.clear();
  by_pid_.clear();
  by_group_.clear();
  fixed_timers_.clear();
  live_timers_.clear();
  stop_requests_.clear();
  group_waits_.clear();
  waiting_.clear();
  blocking_.clear();
  touched_.clear();  // may hold slots that are gone: not dereferenced
  size_t position = 0;
  for (auto* v : {&slots_, &removed_}) {
    if (v == &removed_) position = kRemovedPosition;
    for (auto& s : *v) {
      s.position = position++;
      s.touched = false;
      s.in_group_waits = false;
      s.indexed_pid = s.indexed_ctl = s.indexed_group = 0;
      s.indexed_fixed.reset();
      s.indexed_live.reset();
    }
  }
  for (auto& s : slots_) {
    IndexNames(s, /*add=*/true);
    if (s.spec.blocking) blocking_.push_back(&s);
  }
  wanted_dirty_ = true;
  walk_all_ = true;
  maybe_transition_ = true;
  TouchAll();
  SyncIndexes();
}

void Supervisor::IndexNames(Slot& s, bool add) {
  // Each list is in list order. A slot added is the last one, so it goes at the end; a slot
  // removed is a supervised service, and they come last: it is found from the end.
  auto enter = [&](const std::string& name, std::vector<Slot*> Named::*list) {
    if (add) return AddOnce(&(named_[name].*list), &s);
    auto it = named_.find(name);
    if (it == named_.end()) return;
    std::vector<Slot*>& v = it->second.*list;
    if (auto at = std::find(v.rbegin(), v.rend(), &s); at != v.rend())
      v.erase(std::next(at).base());
    const Named& n = it->second;
    if (n.slots.empty() && n.start_waiters.empty() && n.stop_first.empty() &&
        n.stopped_with.empty() && n.bound.empty() && n.conflicting.empty())
      named_.erase(it);  // every connection has a name of its own: none may stay behind
  };
  const ServiceSpec& sp = s.spec;
  for (const auto* names : {&sp.after, &sp.needs, &sp.binds_to, &sp.requisite})
    for (const auto& n : *names) enter(n, &Named::start_waiters);
  for (const auto* names : {&sp.after, &sp.needs, &sp.binds_to})
    for (const auto& n : *names) enter(n, &Named::stop_first);
  for (const auto* names : {&sp.needs, &sp.binds_to, &sp.part_of})
    for (const auto& n : *names) enter(n, &Named::stopped_with);
  for (const auto& n : sp.binds_to) enter(n, &Named::bound);
  for (const auto& n : sp.conflicts) enter(n, &Named::conflicting);
  enter(sp.name, &Named::slots);  // last: taking it out may leave the entry empty
}

Supervisor::Slot& Supervisor::AddSlot(Slot slot) {
  size_t position = slots_.empty() ? 0 : slots_.back().position + 1;
  Slot& s = slots_.emplace_back(std::move(slot));
  s.position = position;
  ++stats_.slots_visited;
  IndexNames(s, /*add=*/true);  // after any other of that name: Find keeps the first
  if (s.spec.blocking) blocking_.push_back(&s);
  Touch(s);  // the next walk starts from it and the pid maps and timers take it in
  GrowWanted(s);
  return s;
}

void Supervisor::RemoveSlot(Slot& s) {
  ++stats_.slots_visited;
  IndexNames(s, /*add=*/false);
  if (s.spec.blocking) std::erase(blocking_, &s);
  Unmap(&by_pid_, s.indexed_pid, &s);
  Unmap(&by_pid_, s.indexed_ctl, &s);
  Unmap(&by_group_, s.indexed_group, &s);
  Retime(&fixed_timers_, &s.indexed_fixed, std::nullopt, &s);
  Retime(&live_timers_, &s.indexed_live, std::nullopt, &s);
  for (auto* v : {&touched_, &waiting_, &stop_requests_, &group_waits_}) std::erase(*v, &s);
  // Supervised services come last in the list: a few steps from its end.
  for (auto it = slots_.end(); it != slots_.begin();) {
    if (&*--it == &s) {
      slots_.erase(it);
      return;
    }
  }
}

void Supervisor::Touch(Slot& s) {
  if (s.touched) return;
  s.touched = true;
  touched_.push_back(&s);
}

void Supervisor::TouchAll() {
  stats_.slots_visited += slots_.size() + removed_.size();
  for (auto* v : {&slots_, &removed_})
    for (auto& s : *v) Touch(s);
}

void Supervisor::SyncIndexes() {
  for (Slot* s : touched_) SyncSlot(*s);
}

void Supervisor::SyncSlot(Slot& s) {
  ++stats_.slots_visited;
  auto repoint = [&](std::unordered_map<pid_t, Slot*>* map, pid_t* indexed, pid_t now) {
    if (*indexed == now) return;
    Unmap(map, *indexed, &s);
    *indexed = now;
    if (now > 0) (*map)[now] = &s;
  };
  repoint(&by_pid_, &s.indexed_pid, s.pid);
  repoint(&by_pid_, &s.indexed_ctl, s.ctl);
  repoint(&by_group_, &s.indexed_group, s.group);
  Retime(&fixed_timers_, &s.indexed_fixed, Earliest(s.deadline, s.poll_at), &s);
  std::optional<Clock::time_point> live = Earliest(s.restart_at, s.watchdog_at);
  if (s.disabled && s.disabled_until != Clock::time_point::max())
    live = Earliest(live, s.disabled_until);
  Retime(&live_timers_, &s.indexed_live, live, &s);
  if (s.stop_queued()) stop_requests_.push_back(&s);
  if (s.phase == Phase::kStopSignal && !s.in_group_waits) {
    s.in_group_waits = true;
    group_waits_.push_back(&s);
  }
  if (s.transition) maybe_transition_ = true;
}

const Supervisor::Named* Supervisor::NamedOf(const std::string& name) const {
  auto it = named_.find(name);
  return it == named_.end() ? nullptr : &it->second;
}

Supervisor::Slot* Supervisor::Find(const std::string& name) {
  return const_cast<Slot*>(std::as_const(*this).Find(name));
}

const Supervisor::Slot* Supervisor::Find(const std::string& name) const {
  const Named* n = NamedOf(name);
  return n && !n->slots.empty() ? n->slots.front() : nullptr;
}

Supervisor::Slot* Supervisor::ByPid(pid_t pid) {
  SyncIndexes();  // a process spawned in this drain
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end()) return nullptr;
  Slot* s = it->second;
  return s->pid == pid || s->ctl == pid ? s : nullptr;
}

void Supervisor::GrowWanted(Slot& s) {
  // "Wanted" is closed under pulling in: what a wanted service pulls in is wanted already, so
  // only what is reachable from `s` through services not wanted yet can change.
  if (wanted_dirty_ || s.wanted || !LevelWanted(s)) return;
  std::deque<Slot*> queue{&s};
  s.wanted = true;
  Touch(s);
  while (!queue.empty()) {
    const Slot* from = queue.front();
    queue.pop_front();
    ++stats_.slots_visited;
    for (const auto* names : {&from->spec.needs, &from->spec.wants, &from->spec.binds_to}) {
      for (const auto& n : *names) {
        Slot* d = Find(n);
        if (!d || d->wanted || d->manual || (d->override && !*d->override)) continue;
        d->wanted = true;
        Touch(*d);
        queue.push_back(d);
      }
    }
  }
}

std::vector<Supervisor::Slot*> Supervisor::DueSlots(Clock::time_point now) {
  SyncIndexes();
  std::vector<Slot*> due;
  for (auto* timers : {&fixed_timers_, &live_timers_})
    for (auto it = timers->begin(); it != timers->end() && it->first <= now; ++it)
      due.push_back(it->second);
  std::sort(due.begin(), due.end(),
            [](const Slot* a, const Slot* b) { return a->position < b->position; });
  due.erase(std::unique(due.begin(), due.end()), due.end());
  stats_.slots_visited += due.size();
  return due;
}

}  // namespace ctinit
