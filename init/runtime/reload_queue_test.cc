// ReloadQueue (reload_queue.h) with a real BeforeLoadRunner on FakeSystem: a reload is answered
// only after its generators have ended and the load has run; requests during a reload share one
// more reload after it; refusals, a shutdown that begins meanwhile and Abandon answer false.
#include "init/runtime/reload_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "init/runtime/system_fake.h"

namespace ctinit {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ReloadQueueTest : public ::testing::Test {
 protected:
  FakeSystem sys_;
  // What happened, in order: "spawn <name>", "load", "answer <tag> <ok|why>".
  std::vector<std::string> events_;
  std::string refusal_;
  BeforeLoadRunner runner_{sys_, [this](const BeforeLoadRunner::Command& c) -> pid_t {
                             events_.push_back("spawn " + c.name);
                             std::string err;
                             return sys_.Spawn(c.argv, "", {}, {}, {}, &err);
                           }};
  ReloadQueue reloads_{runner_, ReloadQueue::Hooks{
                                    .commands =
                                        [] {
                                          return std::vector<BeforeLoadRunner::Command>{
                                              {"run-generators", {"/sbin/ctinit"}, 15s}};
                                        },
                                    .refusal = [this] { return refusal_; },
                                    .load = [this] { events_.push_back("load"); },
                                }};

  ReloadQueue::Answer Answer(const std::string& tag) {
    return [this, tag](bool reloaded, const std::string& why) {
      events_.push_back("answer " + tag + " " + (reloaded ? "ok" : why));
    };
  }
  // The running generator ends; the reaper hands it over and the posted load runs.
  void GeneratorEnds() {
    ASSERT_FALSE(sys_.procs.empty());
    pid_t pid = sys_.procs.back().pid;
    sys_.procs.pop_back();
    sys_.reapable.push_back({pid, 0});
    while (auto r = sys_.ReapOne()) EXPECT_TRUE(runner_.Exited(r->pid, r->status));
    sys_.RunPosted();
  }
};

TEST_F(ReloadQueueTest, AnsweredOnlyAfterTheGeneratorsAndTheLoad) {
  reloads_.Request(Answer("a"));
  EXPECT_THAT(events_, ElementsAre("spawn run-generators"));
  sys_.Advance(1s);  // a slow generator: the loop goes on, nobody is answered
  EXPECT_THAT(events_, ElementsAre("spawn run-generators"));
  EXPECT_TRUE(reloads_.running());
  GeneratorEnds();
  EXPECT_THAT(events_, ElementsAre("spawn run-generators", "load", "answer a ok"));
  EXPECT_FALSE(reloads_.running());
}

TEST_F(ReloadQueueTest, RequestsDuringAReloadShareOneMoreReloadAfterIt) {
  reloads_.Request(Answer("a"));
  reloads_.Request(Answer("b"));
  reloads_.Request(nullptr);  // SIGHUP: nobody to answer
  reloads_.Request(Answer("c"));
  EXPECT_EQ(reloads_.queued(), 3u);
  GeneratorEnds();
  // a is answered by the first load; the generators run again for b and c.
  EXPECT_THAT(events_,
              ElementsAre("spawn run-generators", "load", "spawn run-generators", "answer a ok"));
  EXPECT_EQ(reloads_.queued(), 0u);
  GeneratorEnds();
  EXPECT_THAT(events_, ElementsAre("spawn run-generators", "load", "spawn run-generators",
                                   "answer a ok", "load", "answer b ok", "answer c ok"));
  EXPECT_FALSE(reloads_.running());
}

TEST_F(ReloadQueueTest, AGeneratorPastItsBoundIsKilledAndTheReloadAnswered) {
  reloads_.Request(Answer("a"));
  pid_t pid = sys_.procs.back().pid;
  sys_.Advance(14s);
  EXPECT_THAT(events_, ElementsAre("spawn run-generators"));
  sys_.Advance(1s);
  EXPECT_THAT(sys_.KillsWith(SIGKILL), ElementsAre(-pid));
  EXPECT_THAT(events_, ElementsAre("spawn run-generators", "load", "answer a ok"));
}

TEST_F(ReloadQueueTest, RefusedAtOnceWhenNoLoadMayHappen) {
  refusal_ = "a shutdown is under way";
  reloads_.Request(Answer("a"));
  EXPECT_THAT(events_, ElementsAre("answer a a shutdown is under way"));
  EXPECT_THAT(sys_.spawned, IsEmpty());
}

TEST_F(ReloadQueueTest, AShutdownDuringTheGeneratorsAnswersEveryoneWithoutLoading) {
  reloads_.Request(Answer("a"));
  reloads_.Request(Answer("b"));
  refusal_ = "a shutdown is under way";
  GeneratorEnds();
  EXPECT_THAT(events_, ElementsAre("spawn run-generators", "answer b a shutdown is under way",
                                   "answer a a shutdown is under way"));
  EXPECT_FALSE(reloads_.running());
}

TEST_F(ReloadQueueTest, AbandonAnswersEveryoneAndALateEndLoadsNothing) {
  reloads_.Request(Answer("a"));
  reloads_.Request(Answer("b"));
  reloads_.Abandon("ctinit boots again in place");
  EXPECT_THAT(events_, ElementsAre("spawn run-generators", "answer a ctinit boots again in place",
                                   "answer b ctinit boots again in place"));
  GeneratorEnds();  // its exit is swallowed by the runner; no load follows
  EXPECT_EQ(events_.size(), 3u);
  reloads_.Request(Answer("c"));  // a new reload starts afresh
  GeneratorEnds();
  EXPECT_EQ(events_.back(), "answer c ok");
}

}  // namespace
}  // namespace ctinit
