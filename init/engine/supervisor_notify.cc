// Notifications (supervisor.h, "Notify" and "Watchdog"): who may notify, what the fields do, and
// the watchdog.
#include <charconv>

#include "init/base/log.h"
#include "init/engine/supervisor.h"
#include "init/engine/supervisor_internal.h"

namespace ctinit {

using namespace supervisor_internal;  // NOLINT

Supervisor::Slot* Supervisor::NotifyTarget(pid_t sender, pid_t sender_pgid) {
  // The candidates: the slot whose main or control process sent it, the one whose group it
  // came from; the first in list order that accepts it from there.
  SyncIndexes();
  std::vector<Slot*> candidates;
  if (auto it = by_pid_.find(sender); sender > 0 && it != by_pid_.end())
    candidates.push_back(it->second);
  if (auto it = by_group_.find(sender_pgid); sender_pgid > 0 && it != by_group_.end())
    candidates.push_back(it->second);
  std::sort(candidates.begin(), candidates.end(),
            [](const Slot* a, const Slot* b) { return a->position < b->position; });
  for (Slot* c : candidates) {
    Slot& s = *c;
    ++stats_.slots_visited;
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

bool Supervisor::OnNotify(pid_t sender, pid_t sender_pgid, const std::vector<std::string>& fields,
                          uid_t sender_uid) {
  Slot* target = NotifyTarget(sender, sender_pgid);
  if (!target) return false;
  auto entry = Enter([this, sender, sender_pgid, fields, sender_uid] {
    OnNotify(sender, sender_pgid, fields, sender_uid);
  });
  if (!entry) return true;
  Slot& s = *target;
  Touch(s);
  // MAINPID= first, whatever its place in the datagram (systemd): READY=1 then applies to the
  // new main process (its start_post steps get it as $MAINPID).
  for (const auto& f : fields) {
    if (f.rfind("MAINPID=", 0) != 0) continue;
    long long v = 0;
    auto [p, ec] = std::from_chars(f.data() + 8, f.data() + f.size(), v);
    if (ec == std::errc() && p == f.data() + f.size() && v > 1 && v < (1LL << 31) && s.pid > 0 &&
        v != s.pid) {
      auto pid = static_cast<pid_t>(v);
      if (sender_uid != 0 && !host_->ProcessBelongsTo(pid, s.group)) {
        // systemd: only root may name a process outside the service as its main process.
        log::Warn("{}: MAINPID={} from uid {} refused: that process is not the service's",
                  s.spec.name, pid, sender_uid);
        continue;
      }
      s.pid = pid;
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

bool Supervisor::OnNotifyFromExited(pid_t sender, const std::vector<std::string>& fields,
                                    uid_t sender_uid, int* waiting) {
  // Only a NotifyAccess=all service can have been meant: for main and exec the sender must be
  // a process ctinit started and still knows (OnNotify() has looked for it already).
  Slot* only = nullptr;
  int count = 0;
  for (Slot& s : slots_) {
    ++stats_.slots_visited;
    if (s.spec.readiness != Readiness::kNotify || s.phase != Phase::kStart || s.pid <= 0 ||
        s.spec.notify_access != ServiceSpec::NotifyAccess::kAll)
      continue;
    uid_t runs_as = s.spec.process.credentials ? s.spec.process.credentials->uid : 0;
    if (sender_uid != 0 && sender_uid != runs_as) continue;
    ++count;
    only = &s;
  }
  if (waiting) *waiting = count;
  if (count != 1) return false;
  log::Verbose("{}: notification from pid {}, which has exited, taken as its own", only->spec.name,
               sender);
  // As if its main process had sent it: NotifyAccess=all accepts that.
  return OnNotify(only->pid, only->group, fields, sender_uid);
}

void Supervisor::ArmWatchdog(Slot& s) {
  Touch(s);
  if (s.watchdog_limit.count() <= 0) {
    s.watchdog_at.reset();
    return;
  }
  s.watchdog_at = host_->Now() + s.watchdog_limit;
}

void Supervisor::FireWatchdog(Slot& s) {
  Touch(s);
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

}  // namespace ctinit
