#include "openrc-shim/applets/healthcheck.h"

#include <gtest/gtest.h>

#include <deque>

namespace ctinit::openrc {
namespace {

using std::chrono::seconds;

// A daemon that ctinit supervises, on a virtual clock: `pid` changes when it is stopped (ctinit
// respawns it `respawn_after` seconds later), and `gone_at` ends the supervision.
class FakeHost final : public HealthcheckHost {
 public:
  pid_t DaemonPid() override {
    if (now_ >= gone_at) return -1;
    if (respawn_at_ > 0 && now_ >= respawn_at_) {
      pid = next_pid++;
      respawn_at_ = 0;
    }
    return pid;
  }
  int RunScript(const std::string& command) override {
    calls.push_back(std::to_string(now_) + " " + command);
    if (command == "healthcheck") {
      if (check_results.empty()) return 0;
      int rc = check_results.front();
      check_results.pop_front();
      return rc;
    }
    return 0;
  }
  void StopDaemon(pid_t p) override {
    calls.push_back(std::to_string(now_) + " stop " + std::to_string(p));
    pid = 0;
    respawn_at_ = now_ + respawn_after;
  }
  void Sleep(seconds d) override { now_ += static_cast<int>(d.count()); }
  void Log(const std::string& text) override { logs.push_back(text); }

  pid_t pid = 100;
  pid_t next_pid = 200;
  int respawn_after = 1;
  int gone_at = 1000;
  std::deque<int> check_results;
  std::vector<std::string> calls, logs;

 private:
  int now_ = 0;
  int respawn_at_ = 0;
};

HealthcheckPlan Plan(int delay, int timer) {
  HealthcheckPlan p;
  p.svc = "web";
  p.script = "/etc/init.d/web";
  p.delay = seconds(delay);
  p.timer = seconds(timer);
  return p;
}

TEST(HealthMonitor, ChecksAfterTheDelayThenEveryTimer) {
  FakeHost host;
  host.gone_at = 12;
  RunHealthMonitor(Plan(2, 3), &host);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"2 healthcheck", "5 healthcheck", "8 healthcheck",
                                                  "11 healthcheck"}));
}

TEST(HealthMonitor, TimerAloneIsAlsoTheFirstWait) {
  FakeHost host;
  host.gone_at = 9;
  RunHealthMonitor(Plan(0, 4), &host);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"4 healthcheck", "8 healthcheck"}));
}

TEST(HealthMonitor, DelayWithoutTimerChecksOncePerRun) {
  FakeHost host;
  host.gone_at = 20;
  RunHealthMonitor(Plan(3, 0), &host);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"3 healthcheck"}));
}

TEST(HealthMonitor, AFailedCheckRunsUnhealthyStopsTheDaemonAndReArmsOnTheNewRun) {
  FakeHost host;
  host.gone_at = 11;
  host.check_results = {1};  // the first check fails, the later ones pass
  RunHealthMonitor(Plan(2, 5), &host);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"2 healthcheck", "2 unhealthy", "2 stop 100",
                                                  "5 healthcheck", "10 healthcheck"}));
  ASSERT_EQ(host.logs.size(), 2u);
  EXPECT_EQ(host.logs[0], "health check for web failed");
  EXPECT_EQ(host.logs[1], "stopping web, pid 100");
}

TEST(HealthMonitor, ARespawnBySomeoneElseRestartsTheDelay) {
  FakeHost host;
  host.gone_at = 8;
  HealthcheckPlan plan = Plan(3, 10);
  // The daemon crashes on its own at t=2 and comes back at t=3 (a fake "stop" by nobody).
  struct Crashing : public HealthcheckHost {
    FakeHost* inner;
    int t = 0;
    pid_t DaemonPid() override { return t < 2 ? 100 : 101; }
    int RunScript(const std::string& c) override { return inner->RunScript(c); }
    void StopDaemon(pid_t p) override { inner->StopDaemon(p); }
    void Sleep(seconds d) override {
      t += static_cast<int>(d.count());
      inner->Sleep(d);
    }
    void Log(const std::string& s) override { inner->Log(s); }
  } crashing;
  crashing.inner = &host;
  // The supervision ends at t=8.
  struct Bounded : public HealthcheckHost {
    HealthcheckHost* inner;
    int t = 0;
    pid_t DaemonPid() override { return t >= 8 ? -1 : inner->DaemonPid(); }
    int RunScript(const std::string& c) override { return inner->RunScript(c); }
    void StopDaemon(pid_t p) override { inner->StopDaemon(p); }
    void Sleep(seconds d) override {
      t += static_cast<int>(d.count());
      inner->Sleep(d);
    }
    void Log(const std::string& s) override { inner->Log(s); }
  } bounded;
  bounded.inner = &crashing;
  RunHealthMonitor(plan, &bounded);
  // Without the crash the check would be at 3; the new run at 2 moves it to 5.
  EXPECT_EQ(host.calls, (std::vector<std::string>{"5 healthcheck"}));
}

TEST(HealthMonitor, EndsWhenNoLongerSupervisedOrWithNothingToDo) {
  FakeHost host;
  host.gone_at = 1;
  RunHealthMonitor(Plan(1, 1), &host);
  EXPECT_TRUE(host.calls.empty());
  FakeHost idle;
  RunHealthMonitor(Plan(0, 0), &idle);
  EXPECT_TRUE(idle.calls.empty());
}

}  // namespace
}  // namespace ctinit::openrc
