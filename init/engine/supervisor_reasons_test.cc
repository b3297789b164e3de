// The typed reasons of state changes (ChangeReason): each is reported with the change it
// explains, so that code (the control socket's replies) never has to read the human text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT
using R = ChangeReason;
using S = ServiceState;

class ReasonsTest : public UnitsTest {
 protected:
  // The reason of the latest change of `name` to `to` (kNone with a failure if there is none).
  R LastReason(const std::string& name, S to) const {
    auto recs = host_.StatesOf(name);
    for (auto it = recs.rbegin(); it != recs.rend(); ++it)
      if (it->to == to) return it->reason;
    ADD_FAILURE() << name << " never went to " << StateName(to);
    return R::kNone;
  }
  R Latest(const std::string& name) const {
    auto recs = host_.StatesOf(name);
    if (recs.empty()) {
      ADD_FAILURE() << name << " never changed";
      return R::kNone;
    }
    return recs.back().reason;
  }
};

TEST_F(ReasonsTest, OrdinaryStepsHaveNoReason) {
  Start({Daemon("d")}, '3');
  EXPECT_EQ(LastReason("d", S::kStarting), R::kNone);
  EXPECT_EQ(LastReason("d", S::kUp), R::kNone);
}

TEST_F(ReasonsTest, SkippedWhenTheConditionIsFalse) {
  auto d = Daemon("d");
  d.condition = [](std::string* why) {
    *why = "no /etc/d.conf";
    return false;
  };
  Start({d}, '3');
  ASSERT_FALSE(host_.StatesOf("d").empty());
  auto rec = host_.StatesOf("d").back();
  EXPECT_EQ(rec.reason, R::kSkipped);
  EXPECT_EQ(rec.from, S::kStopped);
  EXPECT_EQ(rec.to, S::kStopped);
}

TEST_F(ReasonsTest, FinishedAndFailed) {
  Start({Once("t", "3"), Daemon("ok"), Daemon("bad")}, '3');
  ExitText("/bin/t");
  ExitText("/bin/ok");
  ExitText("/bin/bad", kFail);
  EXPECT_EQ(LastReason("t", S::kStopped), R::kFinished);
  EXPECT_EQ(LastReason("ok", S::kStopped), R::kFinished);
  EXPECT_EQ(LastReason("bad", S::kFailed), R::kFailed);
}

TEST_F(ReasonsTest, DependencyFailedAndRequisiteMissing) {
  auto need = Scripted("need");
  auto a = Daemon("a");
  a.needs = {"need"};
  a.after = {"need"};
  auto b = Daemon("b");
  b.requisite = {"absent"};
  Start({need, a, b, Manual("absent")}, '3');
  ExitText("need start", kFail);
  EXPECT_EQ(LastReason("a", S::kFailed), R::kDependencyFailed);
  EXPECT_EQ(LastReason("b", S::kFailed), R::kRequisiteMissing);
}

TEST_F(ReasonsTest, RestartingAndTheTwoLimiters) {
  auto r = Daemon("r", Restart::kAlways);
  auto give_up = Daemon("g", Restart::kAlways);
  give_up.respawn_limit.max_starts = 1;
  give_up.respawn_limit.interval = seconds(10);
  give_up.respawn_limit.give_up = true;
  auto sysv = Daemon("v", Restart::kAlways);
  sysv.respawn_limit.max_starts = 1;
  sysv.respawn_limit.interval = seconds(10);
  Start({r, give_up, sysv}, '3');
  ExitText("/bin/r", kFail);
  EXPECT_EQ(LastReason("r", S::kStopped), R::kRestarting);
  ExitText("/bin/g", kFail);
  EXPECT_EQ(Latest("g"), R::kStartLimitHit);
  EXPECT_EQ(State("g"), S::kFailed);
  ExitText("/bin/v", kFail);
  EXPECT_EQ(Latest("v"), R::kRespawnTooFast);
  EXPECT_EQ(State("v"), S::kStopped);
}

TEST_F(ReasonsTest, ExitedThenStartingAgainWhenAStartWaited) {
  auto d = Daemon("d");
  d.stop = {Cmd("d stop")};
  Start({d}, '3');
  ExitText("/bin/d", kFail);  // ended on its own: its stop steps run
  EXPECT_EQ(LastReason("d", S::kStopping), R::kExited);
  ASSERT_TRUE(sup_->Start("d"));
  ExitText("d stop");
  EXPECT_EQ(LastReason("d", S::kStopped), R::kStartingAgain);
  EXPECT_EQ(State("d"), S::kUp);
}

TEST_F(ReasonsTest, StoppedOnRequestAndACancelledRestart) {
  auto d = Daemon("d");
  auto later = Daemon("later", Restart::kAlways);
  later.restart_delay = seconds(5);
  Start({d, later}, '3');
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_EQ(LastReason("d", S::kStopping), R::kNone);
  ExitText("/bin/d", SIGTERM);
  EXPECT_EQ(LastReason("d", S::kStopped), R::kStopped);
  ExitText("/bin/later", kFail);
  EXPECT_EQ(LastReason("later", S::kStopped), R::kRestarting);
  ASSERT_TRUE(sup_->Stop("later"));  // waits for its restart_delay: cancelled
  EXPECT_EQ(Latest("later"), R::kStopped);
}

TEST_F(ReasonsTest, StoppingNotified) {
  Start({NotifyDaemon("n")}, '3');
  ASSERT_TRUE(Notify("n", {"READY=1"}));
  ASSERT_TRUE(Notify("n", {"STOPPING=1"}));
  EXPECT_EQ(LastReason("n", S::kStopping), R::kStoppingNotified);
}

TEST_F(ReasonsTest, ReloadedAndReloadFailed) {
  auto d = Daemon("d");
  d.reload = {Cmd("reload")};
  Start({d}, '3');
  ASSERT_TRUE(sup_->ReloadService("d"));
  ExitText("reload");
  EXPECT_EQ(Latest("d"), R::kReloaded);
  ASSERT_TRUE(sup_->ReloadService("d"));
  ExitText("reload", kFail);
  EXPECT_EQ(Latest("d"), R::kReloadFailed);
  EXPECT_EQ(State("d"), S::kUp);
}

TEST_F(ReasonsTest, TheReplyCodeDoesNotDependOnTheWording) {
  // Every reason has a name of its own (logs, status).
  std::set<std::string> names;
  for (R r :
       {R::kNone, R::kSkipped, R::kFinished, R::kFailed, R::kDependencyFailed, R::kRequisiteMissing,
        R::kStartLimitHit, R::kRespawnTooFast, R::kRestarting, R::kStartingAgain, R::kStopped,
        R::kExited, R::kStoppingNotified, R::kReloaded, R::kReloadFailed})
    names.insert(ReasonName(r));
  EXPECT_EQ(names.size(), 15u);
  EXPECT_EQ(names.count("?"), 0u);
}

}  // namespace
}  // namespace ctinit
