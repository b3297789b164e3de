// The shutdown sequence (shutdown.h) on FakeSystem's virtual clock: the budget, the final sweep
// (TERM, then KILL and the names of what needed it), the bounded sync and the reboot modes.
#include "init/runtime/shutdown.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "init/runtime/system_fake.h"

namespace ctinit {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ShutdownTest : public ::testing::Test {
 protected:
  ShutdownTest() {
    config_.shutdown_budget = milliseconds(8000);
    config_.final_grace = milliseconds(2000);
    config_.reboot = RebootMode::kRestart;
    Reconfigure(true);
  }
  void Reconfigure(bool pid1) {
    sys_.self = pid1 ? 1 : 50;
    shutdown_.Configure(config_, pid1);
  }
  Clock::duration Elapsed() const { return sys_.now - start_; }

  Config config_;
  FakeSystem sys_;
  Clock::time_point start_ = sys_.now;
  std::optional<Clock::time_point> cap_;
  int freezes_ = 0;
  std::optional<Shutdown::Report> report_;
  Shutdown shutdown_{sys_, Shutdown::Hooks{
                               .cap_stop_waits = [this](Clock::time_point t) { cap_ = t; },
                               .freeze = [this] { ++freezes_; },
                               .reap =
                                   [this] {
                                     while (sys_.ReapOne()) {
                                     }
                                     shutdown_.Reaped();
                                   },
                               .done = [this](const Shutdown::Report& r) { report_ = r; },
                           }};
};

TEST_F(ShutdownTest, TheLevelsOwnStopGetsTheBudgetLessGraceAndMarginThenTheSweepBegins) {
  sys_.procs = {{10, "daemon"}};
  shutdown_.Begin('0');
  ASSERT_TRUE(cap_);
  EXPECT_EQ(*cap_ - start_, milliseconds(8000 - 2000 - 500));
  EXPECT_TRUE(shutdown_.under_way());
  sys_.Advance(milliseconds(5499));
  EXPECT_THAT(sys_.kills, IsEmpty());
  EXPECT_FALSE(shutdown_.sweeping());
  sys_.Advance(milliseconds(1));
  EXPECT_EQ(freezes_, 1);
  EXPECT_THAT(sys_.kills, ElementsAre(std::pair(-1, SIGTERM), std::pair(-1, SIGCONT)));
  // The daemon ended on SIGTERM: nothing needed SIGKILL, and the run ends at once.
  ASSERT_TRUE(report_);
  EXPECT_EQ(report_->end, Shutdown::End::kExit);
  EXPECT_EQ(report_->level, '0');
  EXPECT_THAT(report_->killed, IsEmpty());
  EXPECT_EQ(sys_.syncs, 1);
  EXPECT_DOUBLE_EQ(report_->seconds, 5.5);
}

TEST_F(ShutdownTest, WithoutAConfiguredBudgetTheRuntimesDefaultApplies) {
  config_.shutdown_budget.reset();
  shutdown_.Configure(config_, true, ContainerRuntime::kLxc);
  EXPECT_EQ(shutdown_.budget(), milliseconds(50000));
  sys_.procs = {{10, "slow rc 0"}};
  shutdown_.Begin('0');
  ASSERT_TRUE(cap_);
  EXPECT_EQ(*cap_ - start_, milliseconds(50000 - 2000 - 500));
  shutdown_.Configure(config_, true, ContainerRuntime::kDocker);
  EXPECT_EQ(shutdown_.budget(), milliseconds(8000));
  // A configured budget wins over every runtime's default.
  config_.shutdown_budget = milliseconds(12000);
  shutdown_.Configure(config_, true, ContainerRuntime::kLxc);
  EXPECT_EQ(shutdown_.budget(), milliseconds(12000));
}

TEST_F(ShutdownTest, WhatIgnoresTermIsKilledAfterTheGraceAndNamedInTheReport) {
  sys_.procs = {{10, "daemon"}, {11, "stubborn", true}};
  shutdown_.Begin('0');
  shutdown_.Sweep("runlevel done");
  EXPECT_TRUE(sys_.KillsWith(SIGKILL).empty());
  sys_.Advance(milliseconds(1999));
  EXPECT_FALSE(report_);
  EXPECT_TRUE(sys_.KillsWith(SIGKILL).empty());
  sys_.Advance(milliseconds(1));
  EXPECT_THAT(sys_.KillsWith(SIGKILL), ElementsAre(-1));
  ASSERT_TRUE(report_);
  EXPECT_THAT(report_->killed, ElementsAre("stubborn[11]"));
  EXPECT_EQ(sys_.syncs, 1);
  EXPECT_FALSE(shutdown_.under_way());
}

TEST_F(ShutdownTest, TheGraceIsCutToWhatIsLeftOfTheBudget) {
  sys_.procs = {{11, "stubborn", true}};
  shutdown_.Begin('0');
  sys_.Advance(milliseconds(7000));  // the level's stop ran late: 1000 ms of budget left
  EXPECT_TRUE(shutdown_.sweeping());
  // The sweep began at 5500 ms; the KILL comes at 8000 - 500, not 5500 + 2000 = 7500.
  EXPECT_THAT(sys_.KillsWith(SIGKILL), IsEmpty());
  sys_.Advance(milliseconds(500));
  EXPECT_THAT(sys_.KillsWith(SIGKILL), ElementsAre(-1));
  EXPECT_EQ(Elapsed(), milliseconds(7500));
}

TEST_F(ShutdownTest, NotPid1SignalsOnlyItsDescendantsOneByOne) {
  Reconfigure(false);
  sys_.procs = {{10, "a"}, {11, "b", true}};
  shutdown_.Sweep("no supervisor");
  EXPECT_THAT(sys_.KillsWith(SIGTERM), ElementsAre(10, 11));
  EXPECT_THAT(sys_.KillsWith(SIGCONT), ElementsAre(10, 11));
  sys_.Advance(milliseconds(2000));
  EXPECT_THAT(sys_.KillsWith(SIGKILL), ElementsAre(11));
  ASSERT_TRUE(report_);
  EXPECT_THAT(report_->killed, ElementsAre("b[11]"));
}

TEST_F(ShutdownTest, WhenAKilledProcessNeverGoesTheRunEndsAfterTheKillMargin) {
  // A process in D state survives SIGKILL for a while: the end does not wait for it.
  Reconfigure(false);
  sys_.procs = {{11, "stuck", true, true}};
  shutdown_.Sweep("runlevel done");
  sys_.Advance(milliseconds(2000));
  EXPECT_THAT(sys_.KillsWith(SIGKILL), ElementsAre(11));
  sys_.Advance(Shutdown::kKillMargin - milliseconds(1));
  EXPECT_FALSE(report_);
  sys_.Advance(milliseconds(1));
  ASSERT_TRUE(report_);
  EXPECT_EQ(report_->end, Shutdown::End::kExit);
  EXPECT_THAT(report_->killed, ElementsAre("stuck[11]"));
}

TEST_F(ShutdownTest, ASyncThatDoesNotFinishDoesNotHoldTheEnd) {
  sys_.sync_finishes = false;
  shutdown_.Sweep("runlevel done");
  sys_.RunPosted();
  ASSERT_TRUE(report_);
  EXPECT_EQ(sys_.syncs, 1);
}

TEST_F(ShutdownTest, RebootModeExitEndsWithTheRebootExitCode) {
  config_.reboot = RebootMode::kExit;
  config_.reboot_exit_code = 129;
  Reconfigure(true);
  shutdown_.Begin('6');
  shutdown_.Sweep("runlevel done");
  sys_.RunPosted();
  ASSERT_TRUE(report_);
  EXPECT_EQ(report_->end, Shutdown::End::kExitReboot);
  EXPECT_EQ(report_->exit_code, 129);
  EXPECT_EQ(sys_.reboots, 0);
}

TEST_F(ShutdownTest, RebootModeSyscallCallsRebootAndBootsAgainWhenItFails) {
  config_.reboot = RebootMode::kSyscall;
  Reconfigure(true);
  shutdown_.Begin('6');
  shutdown_.Sweep("runlevel done");
  sys_.RunPosted();
  EXPECT_EQ(sys_.reboots, 1);
  ASSERT_TRUE(report_);
  EXPECT_EQ(report_->end, Shutdown::End::kBootAgain);
  EXPECT_EQ(report_->level, '6');
}

TEST_F(ShutdownTest, RebootModeRestartAndAutoOutsideLxcBootAgainWithoutReboot) {
  for (RebootMode mode : {RebootMode::kRestart, RebootMode::kAuto}) {
    report_.reset();
    config_.reboot = mode;
    Reconfigure(true);
    shutdown_.Reset();
    shutdown_.Begin('6');
    shutdown_.Sweep("runlevel done");
    sys_.RunPosted();
    ASSERT_TRUE(report_);
    EXPECT_EQ(report_->end, Shutdown::End::kBootAgain);
  }
  EXPECT_EQ(sys_.reboots, 0);
}

TEST_F(ShutdownTest, AHaltDuringARebootWins) {
  config_.reboot = RebootMode::kSyscall;
  Reconfigure(true);
  shutdown_.Begin('6');
  shutdown_.PreferHalt();
  shutdown_.Sweep("runlevel done");
  sys_.RunPosted();
  ASSERT_TRUE(report_);
  EXPECT_EQ(report_->end, Shutdown::End::kExit);
  EXPECT_EQ(report_->level, '0');
  EXPECT_EQ(sys_.reboots, 0);
}

}  // namespace
}  // namespace ctinit
