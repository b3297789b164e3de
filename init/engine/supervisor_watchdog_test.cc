// The supervisor's watchdog (systemd's WatchdogSec=): when it is armed, what re-arms it, what
// it sends when it fires, and how Restart= treats a watchdog failure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

class WatchdogTest : public UnitsTest {
 protected:
  static ServiceSpec Watched(const std::string& n, Restart r = Restart::kNo,
                             Readiness readiness = Readiness::kSpawned) {
    ServiceSpec s = Daemon(n, r);
    s.readiness = readiness;
    s.watchdog = seconds(10);
    s.stop_timeout = seconds(2);
    s.restart_delay = milliseconds(100);
    return s;
  }
};

TEST_F(WatchdogTest, FiresWithSigabrtWhenNoKeepAliveCame) {
  auto d = Watched("d");
  d.stop = {Cmd("execstop")};
  d.stop_post = {Cmd("stoppost")};
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  EXPECT_EQ(State("d"), ServiceState::kUp);
  Advance(seconds(10) - milliseconds(1));
  EXPECT_THAT(host_.kills, IsEmpty());
  Advance(milliseconds(1));
  // The watchdog signal to the main process (its group: KillMode=control-group), no ExecStop.
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGABRT)));
  EXPECT_EQ(State("d"), ServiceState::kStopping);
  ASSERT_TRUE(sup_->OnChildExit(pid, SIGABRT));
  EXPECT_THAT(TextsSince(1), ElementsAre("stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("watchdog timeout"));
  EXPECT_EQ(CountText("/bin/d"), 1);  // Restart=no
}

TEST_F(WatchdogTest, KeepAlivesReArmIt) {
  Start({Watched("d")}, '3');
  for (int i = 0; i < 5; ++i) {
    Advance(seconds(9));
    ASSERT_TRUE(Notify("d", {"WATCHDOG=1"}));
  }
  EXPECT_THAT(host_.kills, IsEmpty());
  EXPECT_EQ(State("d"), ServiceState::kUp);
  Advance(seconds(10));
  EXPECT_EQ(host_.kills.size(), 1u);
}

TEST_F(WatchdogTest, NotifyServiceIsWatchedOnlyOnceReady) {
  auto d = Watched("d", Restart::kNo, Readiness::kNotify);
  Start({d}, '3');
  Advance(seconds(30));  // no READY=1 yet, no start timeout: not watched
  EXPECT_THAT(host_.kills, IsEmpty());
  ASSERT_TRUE(Notify("d", {"READY=1"}));
  Advance(seconds(10));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(PidOfText("/bin/d"), SIGABRT)));
}

TEST_F(WatchdogTest, WatchdogSignalAndFinalKill) {
  auto d = Watched("d");
  d.watchdog_signal = SIGUSR2;
  d.kill_mode = KillMode::kProcess;
  Start({d}, '3');
  pid_t pid = PidOfText("/bin/d");
  Advance(seconds(10));
  EXPECT_THAT(ProcessKillsOf(pid), ElementsAre(Pair(pid, SIGUSR2)));
  Advance(seconds(2));  // it ignored the signal: stop_timeout, then the final kill
  EXPECT_THAT(ProcessKillsOf(pid), ElementsAre(Pair(pid, SIGUSR2), Pair(pid, SIGKILL)));
  ASSERT_TRUE(sup_->OnChildExit(pid, SIGKILL));
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(Text("d"), HasSubstr("watchdog timeout"));
}

TEST_F(WatchdogTest, TriggerFiresAtOnce) {
  Start({Watched("d")}, '3');
  ASSERT_TRUE(Notify("d", {"WATCHDOG=trigger"}));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(PidOfText("/bin/d"), SIGABRT)));
}

TEST_F(WatchdogTest, WatchdogUsecChangesTheLimitForThisRunOnly) {
  Start({Watched("d", Restart::kOnWatchdog)}, '3');
  ASSERT_TRUE(Notify("d", {"WATCHDOG_USEC=30000000"}));
  Advance(seconds(29));
  EXPECT_THAT(host_.kills, IsEmpty());
  Advance(seconds(1));
  pid_t first = PidOfText("/bin/d");
  EXPECT_THAT(host_.kills, ElementsAre(Pair(first, SIGABRT)));
  ASSERT_TRUE(sup_->OnChildExit(first, SIGABRT));
  Advance(milliseconds(100));
  ASSERT_EQ(CountText("/bin/d"), 2);
  // The next run has the unit's own limit again.
  Advance(seconds(10));
  EXPECT_THAT(host_.kills.back(), Pair(PidOfText("/bin/d"), SIGABRT));
}

TEST_F(WatchdogTest, WatchdogUsecZeroTurnsItOff) {
  Start({Watched("d")}, '3');
  ASSERT_TRUE(Notify("d", {"WATCHDOG_USEC=0"}));
  Advance(seconds(60));
  EXPECT_THAT(host_.kills, IsEmpty());
}

TEST_F(WatchdogTest, RestartPoliciesOnAWatchdogFailure) {
  // systemd: on-failure, on-abnormal, on-watchdog and always restart; on-abort, on-success and
  // no do not (the result is "watchdog", not "signal", though SIGABRT ended it).
  const std::pair<Restart, int> kCases[] = {{Restart::kOnWatchdog, 2}, {Restart::kOnFailure, 2},
                                            {Restart::kOnAbnormal, 2}, {Restart::kAlways, 2},
                                            {Restart::kOnAbort, 1},    {Restart::kOnSuccess, 1},
                                            {Restart::kNo, 1}};
  for (const auto& [r, runs] : kCases) {
    SCOPED_TRACE(static_cast<int>(r));
    host_ = FakeHost();
    Start({Watched("d", r)}, '3');
    Advance(seconds(10));
    ASSERT_TRUE(sup_->OnChildExit(PidOfText("/bin/d"), SIGABRT));
    Advance(milliseconds(100));
    EXPECT_EQ(CountText("/bin/d"), runs);
    EXPECT_EQ(State("d"), runs == 2 ? ServiceState::kUp : ServiceState::kFailed);
  }
}

TEST_F(WatchdogTest, OnWatchdogDoesNotRestartOtherFailures) {
  Start({Watched("d", Restart::kOnWatchdog)}, '3');
  ExitText("/bin/d", SIGSEGV);
  Advance(milliseconds(100));
  EXPECT_EQ(CountText("/bin/d"), 1);
  EXPECT_EQ(State("d"), ServiceState::kFailed);
}

TEST_F(WatchdogTest, StoppingDisarmsIt) {
  Start({Watched("d")}, '3');
  pid_t pid = PidOfText("/bin/d");
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGTERM)));
  Advance(seconds(1));
  Advance(seconds(10));  // no SIGABRT while it is being stopped (only the final kill)
  EXPECT_THAT(host_.kills, ElementsAre(Pair(pid, SIGTERM), Pair(pid, SIGKILL)));
}

TEST_F(WatchdogTest, KeepAlivesFromOthersAreRefused) {
  Start({Watched("d")}, '3');
  pid_t pid = PidOfText("/bin/d");
  EXPECT_FALSE(sup_->OnNotify(pid + 50, pid, {"WATCHDOG=1"}));  // NotifyAccess=main
  Advance(seconds(10));
  EXPECT_EQ(host_.kills.size(), 1u);
}

TEST_F(WatchdogTest, NoWatchdogMeansNoNotifySocket) {
  Start({Daemon("plain")}, '3');
  pid_t pid = PidOfText("/bin/plain");
  EXPECT_FALSE(sup_->OnNotify(pid, pid, {"WATCHDOG=1"}));
  Advance(seconds(600));
  EXPECT_THAT(host_.kills, IsEmpty());
  EXPECT_FALSE(host_.timer.has_value());  // idle means idle
}

}  // namespace
}  // namespace ctinit
