// The fake System itself: tests that drive PID 1 on it rely on these rules.
#include "init/runtime/system_fake.h"

#include <gtest/gtest.h>

namespace ctinit {
namespace {

using std::chrono::milliseconds;

TEST(FakeSystemTest, TimersFireInOrderOfTheirDeadlineAndOnlyOnce) {
  FakeSystem sys;
  auto a = sys.NewTimer(), b = sys.NewTimer();
  std::vector<std::string> fired;
  a->After(milliseconds(30), [&] { fired.push_back("a"); });
  b->After(milliseconds(10), [&] { fired.push_back("b"); });
  sys.Advance(milliseconds(5));
  EXPECT_TRUE(fired.empty());
  sys.Advance(milliseconds(100));
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "a"}));
  sys.Advance(milliseconds(100));
  EXPECT_EQ(fired.size(), 2u);
}

TEST(FakeSystemTest, CancelAndReArmVoidTheEarlierWait) {
  FakeSystem sys;
  auto t = sys.NewTimer();
  int first = 0, second = 0;
  t->After(milliseconds(10), [&] { ++first; });
  t->Cancel();
  sys.Advance(milliseconds(20));
  t->After(milliseconds(10), [&] { ++first; });
  t->After(milliseconds(50), [&] { ++second; });
  sys.Advance(milliseconds(20));
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 0);
  sys.Advance(milliseconds(40));
  EXPECT_EQ(second, 1);
}

TEST(FakeSystemTest, ATimerSeesTheClockAtItsDeadlineAndPostsRunAfterIt) {
  FakeSystem sys;
  auto start = sys.Now();
  auto t = sys.NewTimer();
  std::vector<std::string> order;
  t->After(milliseconds(10), [&] {
    EXPECT_EQ(sys.Now() - start, milliseconds(10));
    sys.Post([&] { order.push_back("posted"); });
    order.push_back("timer");
  });
  sys.Advance(milliseconds(25));
  EXPECT_EQ(order, (std::vector<std::string>{"timer", "posted"}));
  EXPECT_EQ(sys.Now() - start, milliseconds(25));
}

TEST(FakeSystemTest, TermEndsWhatDoesNotIgnoreItAndKillEndsEverything) {
  FakeSystem sys;
  sys.procs = {{10, "a"}, {11, "stubborn", true}};
  EXPECT_EQ(sys.Kill(-1, SIGTERM), 0);
  EXPECT_FALSE(sys.Alive(10));
  EXPECT_TRUE(sys.Alive(11));
  EXPECT_EQ(sys.ProcessName(11), "stubborn[11]");
  EXPECT_EQ(sys.Kill(-1, SIGKILL), 0);
  EXPECT_TRUE(sys.procs.empty());
  EXPECT_EQ(sys.Kill(-1, 0), ESRCH);
  ASSERT_TRUE(sys.ReapOne());
  ASSERT_TRUE(sys.ReapOne());
  EXPECT_FALSE(sys.ReapOne());
}

}  // namespace
}  // namespace ctinit
