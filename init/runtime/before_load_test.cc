// BeforeLoadRunner (before_load.h) on FakeSystem: commands run one after the other, their ends
// come from the reaper, the bound kills, and `done` is posted once.
#include "init/runtime/before_load.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "init/runtime/system_fake.h"

namespace ctinit {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class BeforeLoadTest : public ::testing::Test {
 protected:
  FakeSystem sys_;
  std::vector<std::string> started_;
  bool fail_spawn_ = false;
  BeforeLoadRunner runner_{sys_, [this](const BeforeLoadRunner::Command& c) -> pid_t {
                             started_.push_back(c.name);
                             if (fail_spawn_) return -1;
                             std::string err;
                             return sys_.Spawn(c.argv, "", {}, {}, {}, &err);
                           }};
  int done_ = 0;
  std::function<void()> Done() {
    return [this] { ++done_; };
  }
  // What the reaper would do: hand every reapable child to the runner.
  std::vector<pid_t> Reap() {
    std::vector<pid_t> not_ours;
    while (auto r = sys_.ReapOne())
      if (!runner_.Exited(r->pid, r->status)) not_ours.push_back(r->pid);
    return not_ours;
  }
  void Exit(pid_t pid, int status = 0) {
    std::erase_if(sys_.procs, [&](const auto& p) { return p.pid == pid; });
    sys_.reapable.push_back({pid, status});
  }
};

TEST_F(BeforeLoadTest, RunsOneAfterTheOtherThenPostsDone) {
  ASSERT_TRUE(runner_.Run({{"a", {"/bin/a"}, 15s}, {"b", {"/bin/b"}, 15s}}, Done()));
  EXPECT_THAT(started_, ElementsAre("a"));
  EXPECT_TRUE(runner_.busy());
  EXPECT_FALSE(runner_.Run({{"c", {"/bin/c"}, 1s}}, Done()));  // one run at a time
  pid_t a = sys_.procs.back().pid;
  Exit(a, 1 << 8);  // exit 1: a warning, and on
  EXPECT_THAT(Reap(), IsEmpty());
  EXPECT_THAT(started_, ElementsAre("a", "b"));
  Exit(sys_.procs.back().pid);
  Exit(4242);  // an orphan: not ours
  EXPECT_THAT(Reap(), ElementsAre(4242));
  EXPECT_EQ(done_, 0);  // posted, not called from inside the reaper
  sys_.RunPosted();
  EXPECT_EQ(done_, 1);
  EXPECT_FALSE(runner_.busy());
}

TEST_F(BeforeLoadTest, KilledAtItsBoundAndItsLateExitIsSwallowed) {
  ASSERT_TRUE(runner_.Run({{"gen", {"/bin/gen"}, 15s}}, Done()));
  pid_t pid = sys_.procs.back().pid;
  sys_.procs.back().unkillable = true;  // not even SIGKILL ends it at once
  sys_.Advance(14s);
  EXPECT_THAT(sys_.kills, IsEmpty());
  sys_.Advance(1s);
  EXPECT_THAT(sys_.KillsWith(SIGKILL), ElementsAre(-pid));
  EXPECT_EQ(done_, 1);  // the load goes on without waiting for it
  Exit(pid, SIGKILL);
  EXPECT_THAT(Reap(), IsEmpty());  // its late end is ours, and nobody else's news
  EXPECT_EQ(done_, 1);
}

TEST_F(BeforeLoadTest, ACommandThatCannotStartIsPassedOver) {
  fail_spawn_ = true;
  ASSERT_TRUE(runner_.Run({{"x", {"/bin/x"}, 1s}, {"y", {"/bin/y"}, 1s}}, Done()));
  EXPECT_THAT(started_, ElementsAre("x", "y"));
  sys_.RunPosted();
  EXPECT_EQ(done_, 1);
}

TEST_F(BeforeLoadTest, AbandonedRunsNeverCallDoneAndANewRunCanStart) {
  ASSERT_TRUE(runner_.Run({{"a", {"/bin/a"}, 15s}}, Done()));
  pid_t a = sys_.procs.back().pid;
  runner_.Abandon();
  EXPECT_FALSE(runner_.busy());
  ASSERT_TRUE(runner_.Run({{"b", {"/bin/b"}, 15s}}, Done()));
  Exit(a);
  EXPECT_THAT(Reap(), IsEmpty());  // a's exit is swallowed; b still runs
  EXPECT_TRUE(runner_.busy());
  Exit(sys_.procs.back().pid);
  Reap();
  sys_.Advance(20s);
  EXPECT_EQ(done_, 1);
  EXPECT_THAT(sys_.kills, IsEmpty());
}

TEST_F(BeforeLoadTest, NothingToRunIsDoneAtOnce) {
  ASSERT_TRUE(runner_.Run({}, Done()));
  sys_.RunPosted();
  EXPECT_EQ(done_, 1);
  EXPECT_THAT(sys_.spawned, IsEmpty());
}

}  // namespace
}  // namespace ctinit
