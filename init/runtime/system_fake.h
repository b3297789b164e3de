// FakeSystem: a System (system.h) for tests. Nothing reaches the kernel: processes are entries
// in `procs`, signals are recorded in `kills` (and end the processes they would end), the clock
// is virtual and moves only in Advance(), which fires due timers in order and runs what was
// posted. Single-threaded, like PID 1.
#pragma once

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>

#include "init/runtime/system.h"

namespace ctinit {

class FakeSystem : public System {
 public:
  struct Proc {
    pid_t pid;
    std::string name;
    bool ignores_term = false;  // survives SIGTERM (needs the final SIGKILL)
    bool unkillable = false;    // survives SIGKILL too (a process in D state)
  };
  std::vector<Proc> procs;  // live processes besides ourselves
  std::vector<std::pair<pid_t, int>> kills;
  std::deque<sys::Reaped> reapable;  // what ReapOne returns, in order
  std::vector<std::vector<std::string>> spawned;
  std::vector<std::vector<std::string>> spawned_env;  // the environment of each, in order
  std::vector<sys::SpawnOptions> spawned_options;     // and what PID 1 handed it
  pid_t self = 1;
  int reboots = 0;
  int reboot_errno = EPERM;  // what a reboot(2) "fails" with
  int syncs = 0;
  bool sync_finishes = true;
  std::vector<std::string> fifos_opened;
  std::vector<std::string> directories;                // made, in order
  std::vector<std::string> removed_directories;        // removed, in order
  std::map<pid_t, std::vector<uid_t>> process_uids;    // ProcessUids; none: unknown
  std::vector<sys::ProcInfo> table;                    // GuessDaemon's /proc
  std::map<pid_t, std::vector<std::string>> environ;   // GuessDaemon's /proc/PID/environ
  std::vector<std::pair<pid_t, std::string>> guesses;  // GuessDaemon calls: launcher, token
  Clock::time_point now = Clock::time_point(std::chrono::hours(1000));

  // Moves the clock by `d`, firing every timer that comes due on the way, in order.
  void Advance(Clock::duration d) {
    const Clock::time_point end = now + d;
    RunPosted();
    for (;;) {
      FakeTimer* next = nullptr;
      for (auto* t : timers_)
        if (t->armed && t->when <= end && (!next || t->when < next->when)) next = t;
      if (!next) break;
      now = std::max(now, next->when);
      next->armed = false;
      auto fn = std::move(next->fn);
      fn();
      RunPosted();
    }
    now = end;
  }
  void RunPosted() {
    while (!posted_.empty()) {
      auto fn = std::move(posted_.front());
      posted_.pop_front();
      fn();
    }
  }
  bool Alive(pid_t pid) const {
    return std::any_of(procs.begin(), procs.end(), [&](const Proc& p) { return p.pid == pid; });
  }
  // Signals sent with `sig`, in order, as "pid" (or "-1").
  std::vector<pid_t> KillsWith(int sig) const {
    std::vector<pid_t> out;
    for (const auto& [pid, s] : kills)
      if (s == sig) out.push_back(pid);
    return out;
  }

  Clock::time_point Now() override { return now; }
  std::unique_ptr<Timer> NewTimer() override { return std::make_unique<FakeTimer>(this); }
  void Post(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }
  pid_t Spawn(const std::vector<std::string>& argv, const std::string&,
              const std::vector<std::string>& env, const ProcessContext&,
              const sys::SpawnOptions& options, std::string* err) override {
    if (argv.empty()) {
      *err = "empty command";
      return -1;
    }
    spawned.push_back(argv);
    spawned_env.push_back(env);
    spawned_options.push_back(options);
    procs.push_back({next_pid_, argv[0]});
    return next_pid_++;
  }
  int Kill(pid_t pid, int sig) override {
    if (sig != 0) kills.emplace_back(pid, sig);
    pid_t target = pid < -1 ? -pid : pid;
    bool found = false;
    for (auto it = procs.begin(); it != procs.end();) {
      if (target != -1 && it->pid != target) {
        ++it;
        continue;
      }
      found = true;
      if ((sig == SIGKILL && !it->unkillable) || (sig == SIGTERM && !it->ignores_term)) {
        reapable.push_back({it->pid, sig});  // "killed by sig"
        it = procs.erase(it);
      } else {
        ++it;
      }
    }
    return found ? 0 : ESRCH;
  }
  std::optional<sys::Reaped> ReapOne() override {
    if (reapable.empty()) return std::nullopt;
    auto r = reapable.front();
    reapable.pop_front();
    return r;
  }
  std::vector<pid_t> LiveProcesses(pid_t) override {
    std::vector<pid_t> out;
    for (const auto& p : procs) out.push_back(p.pid);
    return out;
  }
  pid_t Self() override { return self; }
  pid_t ProcessGroupOf(pid_t pid) override { return Alive(pid) ? pid : -1; }
  pid_t SessionOf(pid_t pid) override { return Alive(pid) ? pid : -1; }
  std::vector<uid_t> ProcessUids(pid_t pid) override {
    auto it = process_uids.find(pid);
    return it == process_uids.end() ? std::vector<uid_t>{} : it->second;
  }
  std::string ProcessName(pid_t pid) override {
    for (const auto& p : procs)
      if (p.pid == pid) return p.name + "[" + std::to_string(pid) + "]";
    return std::to_string(pid);
  }
  std::optional<SupervisorHost::PidFile> ReadPidFile(const std::string&) override {
    return std::nullopt;
  }
  // GuessDaemon: sys::PickDaemon over `table`, the environment entries in `environ`.
  std::optional<pid_t> GuessDaemon(pid_t launcher, const std::string& token) override {
    guesses.emplace_back(launcher, token);
    std::function<bool(pid_t)> carries;
    if (!token.empty())
      carries = [this, &token](pid_t pid) {
        auto it = environ.find(pid);
        return it != environ.end() &&
               std::find(it->second.begin(), it->second.end(), token) != it->second.end();
      };
    return sys::PickDaemon(table, launcher, self, carries);
  }
  bool MakeServiceDirectory(const ServiceSpec::Directory& dir, std::string*) override {
    directories.push_back(dir.path);
    return true;
  }
  bool RemoveServiceDirectory(const ServiceSpec::Directory& dir, std::string*) override {
    removed_directories.push_back(dir.path);
    return true;
  }
  int Reboot() override {
    ++reboots;
    return reboot_errno;
  }
  bool Sync(std::chrono::milliseconds) override {
    ++syncs;
    return sync_finishes;
  }
  int OpenFifo(const std::string& path, std::string* err, bool*) override {
    fifos_opened.push_back(path);
    *err = "fake: no fifo";
    return -1;
  }

 private:
  struct FakeTimer : Timer {
    explicit FakeTimer(FakeSystem* s) : sys(s) { sys->timers_.push_back(this); }
    ~FakeTimer() override { std::erase(sys->timers_, this); }
    void At(Clock::time_point w, std::function<void()> f) override {
      when = w;
      fn = std::move(f);
      armed = true;
    }
    void After(Clock::duration d, std::function<void()> f) override { At(sys->now + d, f); }
    void Cancel() override { armed = false; }
    FakeSystem* sys;
    Clock::time_point when;
    std::function<void()> fn;
    bool armed = false;
  };
  std::vector<FakeTimer*> timers_;
  std::deque<std::function<void()>> posted_;
  pid_t next_pid_ = 100;
};

}  // namespace ctinit
