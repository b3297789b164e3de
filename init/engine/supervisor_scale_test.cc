// The engine at the size of bench/units.sh: 2,000 units wanted by one target boot and handle a
// child exit. The times are printed for people (a lookup by name is a hash lookup now; the
// drain still makes a few passes over every service per event, so an exit is not yet as cheap
// with 2,000 services as with 10).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

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

}  // namespace
}  // namespace ctinit
