// The engine at the size of bench/units.sh: 2,000 units wanted by one target boot and handle a
// child exit. The work of one event is counted (Supervisor::Stats): it depends on what the
// event changed, so one child exit or one start request costs the same with 10 or 2,000
// services. The times are printed for people.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT

class ScaleTest : public UnitsTest {
 protected:
  // `n` independent daemons wanted by one grouping target, the shape bench/units.sh starts.
  void BootUnits(int n) {
    std::vector<ServiceSpec> specs;
    auto target = Spec("multi-user.target", Trigger::kRunlevel, Kind::kScripted, false, "3", "t");
    target.command = {};
    for (int i = 0; i < n; ++i) {
      auto d = Daemon("u" + std::to_string(i) + ".service");
      d.trigger = Trigger::kManual;
      d.after = {"sysinit.target", "basic.target"};
      target.wants.push_back(d.name);
      target.after.push_back(d.name);
      specs.push_back(std::move(d));
    }
    specs.push_back(std::move(target));
    Start(std::move(specs), '3');
  }
};

TEST_F(ScaleTest, TwoThousandUnitsBootAndHandleAnExit) {
  for (int n : {10, 2000}) {
    host_ = FakeHost();
    auto t0 = std::chrono::steady_clock::now();
    BootUnits(n);
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_EQ(State("u5.service"), ServiceState::kUp);
    ExitText("/bin/u5.service", SIGKILL);
    EXPECT_EQ(State("u5.service"), ServiceState::kFailed);  // killed, no restart rule
    EXPECT_EQ(State("u6.service"), ServiceState::kUp);
    auto t2 = std::chrono::steady_clock::now();
    std::printf("n=%d boot %.3f ms, one exit %.3f ms\n", n,
                std::chrono::duration<double, std::milli>(t1 - t0).count(),
                std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
}

// The slots the engine looks at for one event, after a boot of `n` units.
struct EventCosts {
  uint64_t exit = 0;
  uint64_t start = 0;
  uint64_t stop = 0;
};

TEST_F(ScaleTest, OneEventCostsTheSameWithTenOrTwoThousandServices) {
  std::map<int, EventCosts> costs;
  for (int n : {10, 2000}) {
    host_ = FakeHost();
    BootUnits(n);
    ASSERT_EQ(State("u5.service"), ServiceState::kUp);
    EventCosts& c = costs[n];
    uint64_t before = sup_->stats().slots_visited;
    ExitText("/bin/u5.service", SIGKILL);  // one child exit
    c.exit = sup_->stats().slots_visited - before;
    EXPECT_EQ(State("u5.service"), ServiceState::kFailed);
    before = sup_->stats().slots_visited;
    ASSERT_TRUE(sup_->Start("u5.service"));  // one start request
    c.start = sup_->stats().slots_visited - before;
    EXPECT_EQ(State("u5.service"), ServiceState::kUp);
    before = sup_->stats().slots_visited;
    ASSERT_TRUE(sup_->Stop("u7.service"));  // one stop request and its end (printed only)
    ExitText("/bin/u7.service", SIGTERM);
    c.stop = sup_->stats().slots_visited - before;
    EXPECT_EQ(State("u7.service"), ServiceState::kStopped);
    std::printf("n=%d slots visited: exit %llu, start %llu, stop %llu\n", n,
                static_cast<unsigned long long>(c.exit), static_cast<unsigned long long>(c.start),
                static_cast<unsigned long long>(c.stop));
  }
  // A handful of slots each (the service, the target that names it), whatever the number of
  // services: before the indexes an exit looked at every slot several times (> 10,000).
  for (auto EventCosts::*cost : {&EventCosts::exit, &EventCosts::start}) {
    EXPECT_LE(costs[2000].*cost, 20u);
    EXPECT_EQ(costs[2000].*cost, costs[10].*cost);
  }
  // A stop request still computes "wanted" anew (it may shrink it): one pass, printed above.
}

// A connection to an Accept=yes socket: its instance is added as a supervised service, runs
// and ends (SocketActivation, PID 1's instance host). Neither the connection nor the end may
// cost more with 2,000 services, and an ended instance leaves nothing behind: a client that
// keeps connecting must not grow PID 1.
TEST_F(ScaleTest, AConnectionInstanceCostsTheSameWithTenOrTwoThousandServices) {
  std::map<int, uint64_t> costs;
  for (int n : {10, 2000}) {
    host_ = FakeHost();
    BootUnits(n);
    size_t listed = sup_->List().size();
    uint64_t before = sup_->stats().slots_visited;
    for (int i = 0; i < 50; ++i) {
      std::string name = "echo@" + std::to_string(i) + "-10.0.0.1:4000-10.0.0.2:5000.service";
      std::string err;
      auto instance = Manual(name);
      instance.after = {"sysinit.target", "echo.socket"};
      ASSERT_TRUE(sup_->AddSupervised(instance, &err)) << err;
      ASSERT_EQ(State(name), ServiceState::kUp);
      ExitText("/bin/" + name, i % 2 ? 0 : Code(1));  // a clean end or a failure
      EXPECT_FALSE(sup_->Get(name).has_value()) << name;
    }
    costs[n] = sup_->stats().slots_visited - before;
    EXPECT_EQ(sup_->List().size(), listed);
    std::printf("n=%d slots visited for 50 connections: %llu\n", n,
                static_cast<unsigned long long>(costs[n]));
  }
  EXPECT_EQ(costs[2000], costs[10]);
}

}  // namespace
}  // namespace ctinit
