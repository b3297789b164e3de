// Shared by the supervisor's test files: a fake SupervisorHost (spawns get increasing fake
// pids, the clock only moves when a test advances it, the armed timer is fired by Advance()
// when it is due), spec builders, and the fixture.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "init/log.h"
#include "init/supervisor.h"

namespace ctinit::testing_support {

using std::chrono::milliseconds;
using std::chrono::seconds;

class FakeHost : public SupervisorHost {
 public:
  struct SpawnRec {
    std::string name;
    pid_t pid;
    char level;
    char prev;
    std::string text;
  };

  pid_t Spawn(const ServiceSpec& spec, const Command& cmd, char level, char prev_level,
              const std::vector<std::string>& extra_env) override {
    pid_t pid = failing.count(spec.name) || failing.count(cmd.text) ? -1 : next_pid++;
    spawns.push_back({spec.name, pid, level, prev_level, cmd.text});
    envs.push_back(extra_env);
    return pid;
  }
  void KillGroup(pid_t pgid, int sig) override { kills.emplace_back(pgid, sig); }
  Clock::time_point Now() override { return now; }
  void ArmTimer(std::optional<Clock::time_point> when) override {
    timer = when;
    ++arm_calls;
  }
  void BootTime() override { ++boot_time; }
  void LevelChanged(char level, char prev) override { level_changes.emplace_back(level, prev); }
  void LevelSettled(char level) override {
    settled.push_back(level);
    if (on_settled) on_settled(level);
  }
  void ServiceExited(const ServiceSpec& spec, pid_t pid, int status) override {
    exited.push_back({spec.name, pid, status});
    if (on_exited) on_exited(spec);
  }

  // Names in spawn order (failed spawns included).
  std::vector<std::string> Names() const {
    std::vector<std::string> out;
    for (const auto& s : spawns) out.push_back(s.name);
    return out;
  }
  // Names spawned since `from` (an index into spawns).
  std::vector<std::string> NamesSince(size_t from) const {
    std::vector<std::string> out;
    for (size_t i = from; i < spawns.size(); ++i) out.push_back(spawns[i].name);
    return out;
  }
  int Count(const std::string& name) const {
    int n = 0;
    for (const auto& s : spawns) n += s.name == name;
    return n;
  }
  // The pid of the latest spawn of `name`.
  pid_t Pid(const std::string& name) const {
    for (auto it = spawns.rbegin(); it != spawns.rend(); ++it)
      if (it->name == name) return it->pid;
    ADD_FAILURE() << name << " was never spawned";
    return -1;
  }

  struct ExitRec {
    std::string name;
    pid_t pid;
    int status;
  };

  std::vector<SpawnRec> spawns;
  std::vector<std::vector<std::string>> envs;
  std::vector<std::pair<pid_t, int>> kills;
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(24);
  std::optional<Clock::time_point> timer;
  int arm_calls = 0;
  int boot_time = 0;
  std::vector<std::pair<char, char>> level_changes;
  std::vector<char> settled;
  std::vector<ExitRec> exited;
  std::set<std::string> failing;
  pid_t next_pid = 100;
  std::function<void(char)> on_settled;
  std::function<void(const ServiceSpec&)> on_exited;
};

inline ServiceSpec Spec(const std::string& name, Trigger trigger, Kind kind, bool blocking,
                        const std::string& levels, const std::string& label) {
  ServiceSpec s;
  s.name = name;
  s.origin = "test:" + name;
  s.trigger = trigger;
  s.kind = kind;
  s.blocking = blocking;
  s.levels = levels;
  s.command.text = "/bin/" + name;
  s.command.argv = {s.command.text};
  s.action_label = label;
  return s;
}

inline ServiceSpec SysInit(const std::string& n) {
  return Spec(n, Trigger::kSysInit, Kind::kTask, true, "", "sysinit");
}
inline ServiceSpec BootSvc(const std::string& n) {
  return Spec(n, Trigger::kBoot, Kind::kTask, false, "", "boot");
}
inline ServiceSpec BootWait(const std::string& n) {
  return Spec(n, Trigger::kBoot, Kind::kTask, true, "", "bootwait");
}
inline ServiceSpec Wait(const std::string& n, const std::string& levels) {
  return Spec(n, Trigger::kRunlevel, Kind::kTask, true, levels, "wait");
}
inline ServiceSpec Once(const std::string& n, const std::string& levels) {
  return Spec(n, Trigger::kRunlevel, Kind::kTask, false, levels, "once");
}
inline ServiceSpec Respawn(const std::string& n, const std::string& levels) {
  return Spec(n, Trigger::kRunlevel, Kind::kLongRun, false, levels, "respawn");
}
inline ServiceSpec OnDemand(const std::string& n, const std::string& levels) {
  return Spec(n, Trigger::kRunlevel, Kind::kLongRun, false, levels, "ondemand");
}
inline ServiceSpec Event(const std::string& n, Trigger t, bool blocking,
                         const std::string& levels) {
  return Spec(n, t, Kind::kTask, blocking, levels, "event");
}

class SupervisorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { log::Init(log::Level::kQuiet); }

  void Make(std::vector<ServiceSpec> specs, char default_level = '2') {
    ServiceSet set;
    set.services = std::move(specs);
    sup_ = std::make_unique<Supervisor>(&host_, std::move(set), default_level);
  }
  void Start(std::vector<ServiceSpec> specs, char default_level = '2') {
    Make(std::move(specs), default_level);
    sup_->Boot();
  }
  // The latest process of `name` exits.
  void Exit(const std::string& name, int status = 0) {
    pid_t pid = host_.Pid(name);
    ASSERT_TRUE(sup_->OnChildExit(pid, status)) << name << " pid " << pid;
  }
  // Moves the clock; fires the timer (repeatedly) while it is due.
  void Advance(Clock::duration d) {
    host_.now += d;
    for (int i = 0; i < 100 && host_.timer && *host_.timer <= host_.now; ++i) sup_->OnTimer();
  }
  bool Running(const std::string& name) const { return sup_->View(name)->running; }
  std::vector<std::pair<pid_t, int>> KillsOf(pid_t pid) const {
    std::vector<std::pair<pid_t, int>> out;
    for (const auto& k : host_.kills)
      if (k.first == pid) out.push_back(k);
    return out;
  }

  FakeHost host_;
  std::unique_ptr<Supervisor> sup_;
};

}  // namespace ctinit::testing_support
