// Shared by the supervisor's test files: a fake SupervisorHost (spawns get increasing fake
// pids, the clock only moves when a test advances it, the armed timer is fired by Advance()
// when it is due), spec builders, and the fixture.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "init/base/log.h"
#include "init/engine/supervisor.h"

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
  void KillGroup(pid_t pgid, int sig) override {
    kills.emplace_back(pgid, sig);
    group_kills.emplace_back(pgid, sig);
  }
  // As the default did (into `kills`), and told apart in `process_kills`.
  void KillProcess(pid_t pid, int sig) override {
    kills.emplace_back(pid, sig);
    process_kills.emplace_back(pid, sig);
  }
  bool GroupAlive(pid_t pgid) override { return groups_alive.count(pgid) > 0; }
  bool ProcessAlive(pid_t pid) override { return dead.count(pid) == 0; }
  std::optional<PidFile> ReadPidFile(const std::string& path) override {
    ++pidfile_reads;
    auto it = pidfiles.find(path);
    if (it == pidfiles.end()) return std::nullopt;
    auto owner = pidfile_owners.find(path);
    return PidFile{it->second, owner == pidfile_owners.end() ? 0 : owner->second};
  }
  // A pid belongs to the group it is listed under in `members`, or to its own group.
  bool ProcessBelongsTo(pid_t pid, pid_t service_pgid) override {
    auto it = members.find(pid);
    return (it == members.end() ? pid : it->second) == service_pgid;
  }
  bool ProcessRunsAs(pid_t pid, uid_t uid) override {
    auto it = runs_as.find(pid);
    return it != runs_as.end() && it->second == uid;
  }
  std::optional<pid_t> GuessMainPid(pid_t launcher) override {
    auto it = guesses.find(launcher);
    if (it == guesses.end()) return std::nullopt;
    return it->second;
  }
  bool PrepareStart(const ServiceSpec& spec, std::string* err) override {
    prepared.push_back(spec.name);
    auto it = prepare_fail.find(spec.name);
    if (it == prepare_fail.end()) return true;
    *err = it->second;
    return false;
  }
  void AfterStop(const ServiceSpec& spec) override { after_stops.push_back(spec.name); }
  void StateChanged(const ServiceSpec& spec, ServiceState from, ServiceState to,
                    ChangeReason reason, const std::string& why) override {
    states.push_back({spec.name, from, to, why, reason});
    if (on_state) on_state(states.back());
  }
  void MainStarted(const ServiceSpec& spec, pid_t pid) override {
    mains.emplace_back(spec.name, pid);
  }
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
  struct StateRec {
    std::string name;
    ServiceState from, to;
    std::string why;
    ChangeReason reason = ChangeReason::kNone;
  };
  // The state changes of `name`, in order.
  std::vector<StateRec> StatesOf(const std::string& name) const {
    std::vector<StateRec> out;
    for (const auto& s : states)
      if (s.name == name) out.push_back(s);
    return out;
  }

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

  // Additions for the unit-style tests (defaults keep the base host's behaviour).
  std::vector<std::pair<pid_t, int>> group_kills;    // KillGroup calls only
  std::vector<std::pair<pid_t, int>> process_kills;  // KillProcess calls only
  std::set<pid_t> groups_alive;                      // GroupAlive answers true for these
  std::set<pid_t> dead;                              // ProcessAlive answers false for these
  std::map<std::string, pid_t> pidfiles;             // ReadPidFile contents by path
  std::map<std::string, uid_t> pidfile_owners;       // their owners (default root)
  std::map<pid_t, uid_t> runs_as;                    // ProcessRunsAs: pid -> its only uid
  std::map<pid_t, pid_t> members;                    // ProcessBelongsTo: pid -> its group
  int pidfile_reads = 0;
  std::map<pid_t, pid_t> guesses;                   // GuessMainPid: launcher -> daemon
  std::map<std::string, std::string> prepare_fail;  // PrepareStart fails for these names
  std::vector<std::string> prepared;                // PrepareStart calls
  std::vector<std::string> after_stops;             // AfterStop calls
  std::vector<StateRec> states;                     // StateChanged calls
  std::function<void(const StateRec&)> on_state;
  std::vector<std::pair<std::string, pid_t>> mains;  // MainStarted calls
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
  // The latest spawn whose command text is `text` exits.
  void ExitText(const std::string& text, int status = 0) {
    for (auto it = host_.spawns.rbegin(); it != host_.spawns.rend(); ++it) {
      if (it->text == text) {
        ASSERT_TRUE(sup_->OnChildExit(it->pid, status)) << text;
        return;
      }
    }
    ADD_FAILURE() << text << " was never spawned";
  }
  pid_t PidOfText(const std::string& text) const {
    for (auto it = host_.spawns.rbegin(); it != host_.spawns.rend(); ++it)
      if (it->text == text) return it->pid;
    ADD_FAILURE() << text << " was never spawned";
    return -1;
  }
  // Command texts spawned since `from` (an index into spawns).
  std::vector<std::string> TextsSince(size_t from) const {
    std::vector<std::string> out;
    for (size_t i = from; i < host_.spawns.size(); ++i) out.push_back(host_.spawns[i].text);
    return out;
  }
  std::vector<std::pair<pid_t, int>> KillsOf(pid_t pid) const {
    std::vector<std::pair<pid_t, int>> out;
    for (const auto& k : host_.kills)
      if (k.first == pid) out.push_back(k);
    return out;
  }

  FakeHost host_;
  std::unique_ptr<Supervisor> sup_;
};

// The unit-style tests' fixture (supervisor_units_test.cc and friends): builders for daemons,
// scripted services and steps, and lookups by command text. Static members, so that they do
// not clash with the free helpers of other test files.
class UnitsTest : public SupervisorTest {
 protected:
  static constexpr milliseconds kWait{3000};
  static constexpr int kFail = 1 << 8;  // wait status: exited 1
  static constexpr int Code(int c) { return c << 8; }

  static Command Cmd(const std::string& text) {
    Command c;
    c.text = text;
    c.argv = {text};
    return c;
  }
  // A systemd-style long-run of level 3.
  static ServiceSpec Daemon(const std::string& n, Restart r = Restart::kNo,
                            const std::string& levels = "3") {
    ServiceSpec s = Spec(n, Trigger::kRunlevel, Kind::kLongRun, false, levels, "unit");
    s.restart = r;
    return s;
  }
  static ServiceSpec Manual(const std::string& n, Restart r = Restart::kNo) {
    ServiceSpec s = Daemon(n, r, "");
    s.trigger = Trigger::kManual;
    return s;
  }
  static ServiceSpec NotifyDaemon(const std::string& n, Restart r = Restart::kNo) {
    ServiceSpec s = Daemon(n, r);
    s.readiness = Readiness::kNotify;
    return s;
  }
  static ServiceSpec Forking(const std::string& n, const std::string& pidfile) {
    ServiceSpec s = Daemon(n);
    s.readiness = Readiness::kForking;
    s.pidfile = pidfile;
    return s;
  }
  // A scripted service: "<n> start" / "<n> stop".
  static ServiceSpec Scripted(const std::string& n, const std::string& levels = "3",
                              std::vector<std::string> after = {}) {
    ServiceSpec s = Spec(n, Trigger::kRunlevel, Kind::kScripted, false, levels, "openrc");
    s.command = Cmd(n + " start");
    s.stop = {Cmd(n + " stop")};
    s.after = std::move(after);
    return s;
  }

  int CountText(const std::string& text) const {
    int n = 0;
    for (const auto& s : host_.spawns) n += s.text == text;
    return n;
  }
  // The extra environment of the latest spawn of `text`.
  std::vector<std::string> EnvOfText(const std::string& text) const {
    for (size_t i = host_.spawns.size(); i-- > 0;)
      if (host_.spawns[i].text == text) return host_.envs[i];
    ADD_FAILURE() << text << " was never spawned";
    return {};
  }
  ServiceState State(const std::string& n) const {
    auto st = sup_->Get(n);
    if (!st) {
      ADD_FAILURE() << n << " is unknown";
      return ServiceState::kStopped;
    }
    return st->state;
  }
  std::string Text(const std::string& n) const {
    auto st = sup_->Get(n);
    return st ? st->status_text : "<unknown>";
  }
  pid_t MainPid(const std::string& n) const {
    auto st = sup_->Get(n);
    return st ? st->pid : -1;
  }
  // A notification from the latest main process of `name` (its own process group).
  bool Notify(const std::string& name, std::vector<std::string> fields) {
    pid_t pid = PidOfText("/bin/" + name);
    return sup_->OnNotify(pid, pid, fields);
  }
  std::vector<std::pair<pid_t, int>> GroupKillsOf(pid_t pid) const {
    std::vector<std::pair<pid_t, int>> out;
    for (const auto& k : host_.group_kills)
      if (k.first == pid) out.push_back(k);
    return out;
  }
  std::vector<std::pair<pid_t, int>> ProcessKillsOf(pid_t pid) const {
    std::vector<std::pair<pid_t, int>> out;
    for (const auto& k : host_.process_kills)
      if (k.first == pid) out.push_back(k);
    return out;
  }
};

}  // namespace ctinit::testing_support
