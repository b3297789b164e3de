// Issue 12: a READY=1 whose sender exited before PID 1 read it (a script's one-line helper) is
// taken by the one service that can be meant, and by none when that is ambiguous.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT

constexpr pid_t kGoneHelper = 9999;  // a pid no service knows: the helper has exited
constexpr uid_t kNobody = 65534;

class NotifyFromExitedTest : public UnitsTest {
 protected:
  static ServiceSpec AllAccess(const std::string& n) {
    ServiceSpec s = NotifyDaemon(n);
    s.notify_access = ServiceSpec::NotifyAccess::kAll;
    return s;
  }
};

TEST_F(NotifyFromExitedTest, TheOnlyServiceWaitingWithNotifyAccessAllTakesIt) {
  Start({AllAccess("d"), NotifyDaemon("main-only")}, '3');
  ASSERT_EQ(State("d"), ServiceState::kStarting);
  // The group lookup failed (0): OnNotify cannot place it.
  EXPECT_FALSE(sup_->OnNotify(kGoneHelper, 0, {"READY=1"}, 0));
  int waiting = -1;
  EXPECT_TRUE(sup_->OnNotifyFromExited(kGoneHelper, {"READY=1", "STATUS=up"}, 0, &waiting));
  EXPECT_EQ(waiting, 1);
  EXPECT_EQ(State("d"), ServiceState::kUp);
  EXPECT_EQ(State("main-only"), ServiceState::kStarting);  // NotifyAccess=main: not a candidate
}

TEST_F(NotifyFromExitedTest, TwoCandidatesIsAmbiguousAndChangesNothing) {
  Start({AllAccess("a"), AllAccess("b")}, '3');
  int waiting = -1;
  EXPECT_FALSE(sup_->OnNotifyFromExited(kGoneHelper, {"READY=1"}, 0, &waiting));
  EXPECT_EQ(waiting, 2);
  EXPECT_EQ(State("a"), ServiceState::kStarting);
  EXPECT_EQ(State("b"), ServiceState::kStarting);
}

TEST_F(NotifyFromExitedTest, AServiceAlreadyUpOrMainOnlyIsNoCandidate) {
  Start({AllAccess("up"), NotifyDaemon("main-only")}, '3');
  ASSERT_TRUE(sup_->OnNotify(PidOfText("/bin/up"), PidOfText("/bin/up"), {"READY=1"}, 0));
  ASSERT_EQ(State("up"), ServiceState::kUp);
  int waiting = -1;
  EXPECT_FALSE(sup_->OnNotifyFromExited(kGoneHelper, {"READY=1"}, 0, &waiting));
  EXPECT_EQ(waiting, 0);
  EXPECT_EQ(State("main-only"), ServiceState::kStarting);
}

TEST_F(NotifyFromExitedTest, ANonRootSenderOnlyReachesAServiceOfItsUser) {
  ServiceSpec mine = AllAccess("mine");
  mine.process.credentials = Credentials{};
  mine.process.credentials->uid = kNobody;
  Start({AllAccess("roots"), mine}, '3');
  int waiting = -1;
  // Two wait, but only one runs as nobody: that one is meant.
  EXPECT_TRUE(sup_->OnNotifyFromExited(kGoneHelper, {"READY=1"}, kNobody, &waiting));
  EXPECT_EQ(waiting, 1);
  EXPECT_EQ(State("mine"), ServiceState::kUp);
  EXPECT_EQ(State("roots"), ServiceState::kStarting);
  EXPECT_FALSE(sup_->OnNotifyFromExited(kGoneHelper, {"READY=1"}, 4242, &waiting));
  EXPECT_EQ(waiting, 0);
  EXPECT_EQ(State("roots"), ServiceState::kStarting);
}

}  // namespace
}  // namespace ctinit
