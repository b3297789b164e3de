// Start conditions (ServiceSpec::start_condition, systemd's ExecCondition=): exit 0 goes on to
// start_pre, 1-254 skips the start without failing it, 255 or a signal fails it.
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

class ConditionTest : public UnitsTest {
 protected:
  // A long-run "d" with a condition step, a start_pre and a stop_post step.
  static ServiceSpec Guarded(Restart r = Restart::kNo, bool ignore_failure = false) {
    ServiceSpec d = Daemon("d", r);
    Command cond = Cmd("cond");
    cond.ignore_failure = ignore_failure;
    d.start_condition = {cond, Cmd("cond2")};
    d.start_pre = {Cmd("pre")};
    d.stop_post = {Cmd("stoppost")};
    return d;
  }
};

TEST_F(ConditionTest, ExitZeroRunsTheNextStepsInOrder) {
  Start({Guarded()}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("cond"));
  EXPECT_EQ(State("d"), ServiceState::kStarting);
  ExitText("cond");
  EXPECT_THAT(TextsSince(0), ElementsAre("cond", "cond2"));
  ExitText("cond2");
  EXPECT_THAT(TextsSince(0), ElementsAre("cond", "cond2", "pre"));
  ExitText("pre");
  EXPECT_THAT(TextsSince(0), ElementsAre("cond", "cond2", "pre", "/bin/d"));
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(ConditionTest, ExitOneTo254SkipsCleanlyWithoutRestart) {
  for (int code : {1, 254}) {
    host_ = FakeHost();
    auto dep = Scripted("dep", "3", {"d"});
    dep.needs = {"d"};
    Start({Guarded(Restart::kAlways), dep}, '3');
    ExitText("cond", Code(code));
    // The rest of the start does not run; stop_post does, as with systemd.
    EXPECT_THAT(TextsSince(0), ElementsAre("cond", "stoppost")) << code;
    EXPECT_EQ(State("d"), ServiceState::kStarting);
    ExitText("stoppost");
    EXPECT_EQ(State("d"), ServiceState::kStopped) << code;
    auto states = host_.StatesOf("d");
    ASSERT_FALSE(states.empty());
    EXPECT_EQ(states.back().reason, ChangeReason::kSkipped);
    EXPECT_THAT(states.back().why,
                HasSubstr("skipped: its start condition exited " + std::to_string(code)));
    // Done for its dependents (a skipped need is not a failed one), and never restarted.
    EXPECT_THAT(TextsSince(2), ElementsAre("dep start"));
    Advance(std::chrono::hours(1));
    EXPECT_EQ(CountText("cond"), 1);
    EXPECT_EQ(host_.Count("d"), 2);  // cond and stoppost: the command never ran
  }
}

TEST_F(ConditionTest, Exit255OrASignalFails) {
  Start({Guarded()}, '3');
  ExitText("cond", Code(255));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_EQ(host_.StatesOf("d").back().why, "its start condition exited 255");
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("cond", SIGKILL);
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(TextsSince(0), ElementsAre("cond", "stoppost", "cond", "stoppost"));
}

TEST_F(ConditionTest, IgnoreFailurePrefixGoesOn) {
  Start({Guarded(Restart::kNo, /*ignore_failure=*/true)}, '3');
  ExitText("cond", Code(1));
  EXPECT_THAT(TextsSince(0), ElementsAre("cond", "cond2"));
  ExitText("cond2", Code(3));  // no prefix: skipped
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_EQ(host_.StatesOf("d").back().reason, ChangeReason::kSkipped);
}

TEST_F(ConditionTest, ASkippedServiceStartsAgainOnRequest) {
  Start({Guarded()}, '3');
  ExitText("cond", Code(1));
  ExitText("stoppost");
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("cond");
  ExitText("cond2");
  ExitText("pre");
  EXPECT_EQ(State("d"), ServiceState::kUp);
}

TEST_F(ConditionTest, AStopDuringTheConditionEndsTheStart) {
  Start({Guarded()}, '3');
  pid_t cond = PidOfText("cond");
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(KillsOf(cond), ElementsAre(std::make_pair(cond, SIGTERM)));
  ExitText("cond", SIGTERM);
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kStopped);
  EXPECT_EQ(CountText("pre"), 0);
}

TEST_F(ConditionTest, TheStartTimeoutBoundsTheCondition) {
  auto d = Guarded();
  d.start_timeout = seconds(5);
  Start({d}, '3');
  pid_t cond = PidOfText("cond");
  Advance(seconds(5));
  EXPECT_THAT(KillsOf(cond), ElementsAre(std::make_pair(cond, SIGTERM)));
  ExitText("cond", SIGTERM);
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
}

TEST_F(ConditionTest, AConditionThatCannotBeSpawnedFails) {
  host_.failing.insert("cond");
  Start({Guarded()}, '3');
  EXPECT_THAT(TextsSince(0), ElementsAre("cond", "stoppost"));
  ExitText("stoppost");
  EXPECT_EQ(State("d"), ServiceState::kFailed);
  EXPECT_THAT(host_.exited, IsEmpty());
}

}  // namespace
}  // namespace ctinit
